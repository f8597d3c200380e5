import gc
import json
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator

# 1EdTech's Open Badges 3.0 AchievementCredential schema (tests/data/schemas/SOURCE.md).
SCHEMA_PATH = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "schemas"
    / "ob_v3p0_achievementcredential_schema.json"
)


@pytest.fixture(scope="session")
def schema_validator() -> Draft201909Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft201909Validator(
        schema, format_checker=Draft201909Validator.FORMAT_CHECKER
    )


@pytest.fixture
def issued(cast, pathway, django_capture_on_commit_callbacks):
    """A module award, issued through the real path (grade → completion → award)."""
    from credentials.models import Award
    from tests import builders

    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    return Award.objects.get()


@pytest.fixture
def unfrozen():
    """No object frozen before the test, and none left frozen after it: a
    process's start-up freezes its heap (certificate_warmup.set_heap_aside),
    which the test process should not keep."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def served(client, credential: dict) -> dict:
    """What a verifier fetches for a credential: its status lists and, for
    did:web, its DID documents, from this site's own URLs."""
    from django.conf import settings

    lists = {}
    status = credential.get("credentialStatus") or []
    for entry in status if isinstance(status, list) else [status]:
        url = entry["statusListCredential"]
        response = client.get(url.removeprefix(settings.SITE_URL))
        assert response.status_code == 200, url
        lists[url] = response.json()
    dids = {}
    for document in [credential, *lists.values()]:
        method = document["proof"][0]["verificationMethod"]
        did = method.split("#")[0]
        if did.startswith("did:web:"):
            path = "/" + "/".join(did.split(":")[3:]) + "/did.json"
            if path == "//did.json":
                path = "/.well-known/did.json"
            dids[did] = client.get(path).json()
    return {"status_lists": lists, "did_documents": dids}
