"""The real SAML identity provider's signed responses, tampered with, expired,
for another audience and replayed: each refused with a clear message and
nothing signed in. (The browser tests walk the same IdP in Chromium.)"""

import base64
import html
import re
from urllib.parse import urlsplit

import pytest
import requests

from accounts.models import AuditEntry, IdentityProvider
from accounts.sso import services
from tests.accounts.sso.factories import make_oidc_provider  # noqa: F401

pytestmark = pytest.mark.django_db

ADA = {
    "email": "ada@north.edu",
    "email_verified": "true",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "groups": ["faculty-staff"],
}


@pytest.fixture
def saml_provider(cast, providers, client):
    client.defaults["HTTP_HOST"] = "localhost"  # python3-saml wants a real host
    providers.set_users(ada=ADA)
    return services.create_identity_provider(
        cast.organization,
        by=cast["admin"],
        name="North Shibboleth",
        slug="north-shib",
        protocol=IdentityProvider.Protocol.SAML,
        metadata_url=providers.saml_metadata,
        entity_id=providers.saml_entity_id,
        email_domains=["north.edu"],
        rules=[services.mapping.Rule("groups", "faculty-staff", "faculty")],
    )


def signed_response(client, provider) -> tuple[str, str]:
    """The real IdP signs a response to Cairn's own request: (ACS path, response)."""
    start = client.post(f"/auth/saml/{provider.slug}/login/")
    assert start.status_code == 302, start
    idp_url = start["Location"]
    query = dict(
        pair.split("=", 1) for pair in urlsplit(idp_url).query.split("&") if pair
    )
    from urllib.parse import unquote

    answer = requests.post(
        idp_url.split("?")[0] + "/login",
        data={
            "SAMLRequest": unquote(query["SAMLRequest"]),
            "username": "ada",
        },
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    acs = html.unescape(re.search(r'action="([^"]+)"', answer.text).group(1))
    response = html.unescape(
        re.search(r'name="SAMLResponse" value="([^"]+)"', answer.text).group(1)
    )
    return urlsplit(acs).path, response


def post_to_cairn(client, acs: str, response: str):
    posted = client.post(acs, {"SAMLResponse": response})
    assert posted.status_code == 302
    return client.get(posted["Location"])


def test_the_genuine_response_signs_in(client, saml_provider):
    acs, response = signed_response(client, saml_provider)
    page = post_to_cairn(client, acs, response)
    assert page.status_code == 302, page.content.decode()[:2000]
    assert "_auth_user_id" in client.session


def test_a_tampered_assertion_is_refused(client, saml_provider):
    acs, response = signed_response(client, saml_provider)
    xml = base64.b64decode(response).decode()
    assert "faculty-staff" in xml
    forged = base64.b64encode(xml.replace("faculty-staff", "curriculum").encode())
    page = post_to_cairn(client, acs, forged.decode())
    assert page.status_code == 403
    assert "altered or forged" in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.get(action="sso.sign_in_refused").data["reason"] == (
        "forged"
    )


def test_an_assertion_stripped_of_its_signatures_is_refused(client, saml_provider):
    acs, response = signed_response(client, saml_provider)
    xml = base64.b64decode(response).decode()
    unsigned = re.sub(r"<ds:Signature.*?</ds:Signature>", "", xml, flags=re.S)
    assert "ds:Signature" not in unsigned
    page = post_to_cairn(client, acs, base64.b64encode(unsigned.encode()).decode())
    assert page.status_code == 403
    assert "altered or forged" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_expired_assertion_is_refused(client, saml_provider, providers):
    providers.set_mode(saml="expired")
    acs, response = signed_response(client, saml_provider)
    page = post_to_cairn(client, acs, response)
    assert page.status_code == 403
    assert "has expired" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_assertion_for_another_audience_is_refused(client, saml_provider, providers):
    providers.set_mode(saml="wrong-audience")
    acs, response = signed_response(client, saml_provider)
    page = post_to_cairn(client, acs, response)
    assert page.status_code == 403
    assert "wrong audience" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_replayed_response_is_refused(client, saml_provider):
    acs, response = signed_response(client, saml_provider)
    assert post_to_cairn(client, acs, response).status_code == 302
    client.logout()
    replay = post_to_cairn(client, acs, response)
    assert replay.status_code == 403
    assert "used already" in replay.content.decode()
    assert "_auth_user_id" not in client.session
