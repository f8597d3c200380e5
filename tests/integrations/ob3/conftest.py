"""1EdTech's Open Badges 3.0 API schemas as validators (schemas/SOURCE.md), and
hosts registered as a wallet would register itself."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator
from referencing import Registry, Resource

from integrations.ob3 import scopes, services
from tests.credentials.test_outside_credentials import _pinned_documents

HERE = Path(__file__).resolve().parent
ACHIEVEMENT_SCHEMA = (
    HERE.parents[1] / "data" / "schemas" / "ob_v3p0_achievementcredential_schema.json"
)
CALLBACK = "http://127.0.0.1:9/callback"  # never fetched: the code is read off it
ALL_OB3 = " ".join(scopes.OB3_SCOPES)


def _validator(name: str) -> Draft201909Validator:
    schema = json.loads((HERE / "schemas" / name).read_text())
    Draft201909Validator.check_schema(schema)
    achievement = json.loads(ACHIEVEMENT_SCHEMA.read_text())
    registry = Registry().with_resource(
        achievement["$id"], Resource.from_contents(achievement)
    )
    return Draft201909Validator(
        schema, registry=registry, format_checker=Draft201909Validator.FORMAT_CHECKER
    )


@pytest.fixture(scope="session")
def spec():
    """Validators of 1EdTech's schemas, by the class's name."""
    return {
        "Imsx_StatusInfo": _validator("imsx_statusinfo.json"),
        "GetOpenBadgeCredentialsResponse": _validator(
            "getopenbadgecredentialsresponse.json"
        ),
        "Profile": _validator("profile.json"),
    }


def registration(**changes) -> dict:
    """A registration request as the specification's example makes it."""
    return {
        "client_name": "Data wallet",
        "client_uri": "https://wallet.example.org/",
        "logo_uri": "https://wallet.example.org/logo.png",
        "tos_uri": "https://wallet.example.org/terms",
        "policy_uri": "https://wallet.example.org/privacy",
        "software_id": "c88b6ed8-269e-448e-99be-7e2ff47167d1",
        "software_version": "v4.0.30319",
        "redirect_uris": [CALLBACK],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": f"{ALL_OB3} offline_access",
    } | changes


@pytest.fixture
def host(db):
    """A registered host and its registration response (client id, secret)."""
    return services.register_host(registration())


@pytest.fixture
def pinned(settings, tmp_path):
    """The issuers' documents an administrator pinned (as the outside
    credentials' tests pin them), so that 1EdTech's vectors verify offline."""
    for number, document in enumerate(_pinned_documents().values()):
        (tmp_path / f"issuer-{number}.json").write_text(json.dumps(document))
    settings.CAIRN_ISSUER_DOCUMENTS = [str(tmp_path)]
