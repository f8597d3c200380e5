"""The W3C VC API with an OAuth 2.0 client-credentials token, over real HTTP
with Authlib as the client: a back-office system issues, checks and revokes a
credential as its organization's service account."""

import pytest
from authlib.integrations.requests_client import OAuth2Session

from accounts.models import AuditEntry
from integrations.models import IssuedCredential
from integrations.oauth import services
from tests import builders
from tests.integrations.vcapi_helpers import valid_credential


@pytest.fixture
def cast(transactional_db):
    return builders.make_cast()


def _client(live_server, cast, scope: str) -> OAuth2Session:
    client, secret = services.register_client(
        cast.organization,
        by=cast["admin"],
        name=f"Registrar ({scope})",
        grant=services.CLIENT_CREDENTIALS,
        roles=["admin"],
    )
    oauth = OAuth2Session(client.application.client_id, secret, scope=scope)
    oauth.fetch_token(
        f"{live_server.url}/oauth/token/", grant_type="client_credentials"
    )
    return oauth


def test_a_client_credentials_token_issues_verifies_and_revokes(live_server, cast):
    oauth = _client(live_server, cast, "read issue")
    api = f"{live_server.url}/api/organizations/{cast.organization.slug}/vc-api"
    issued = oauth.post(
        f"{api}/credentials/issue", json={"credential": valid_credential()}
    )
    assert issued.status_code == 201, issued.text
    credential = issued.json()["verifiableCredential"]
    checked = oauth.post(
        f"{api}/credentials/verify", json={"verifiableCredential": credential}
    )
    assert checked.status_code == 200
    assert checked.json()["verified"] is True
    revoked = oauth.post(
        f"{api}/credentials/status",
        json={
            "credentialId": credential["id"],
            "credentialStatus": [
                {"type": "BitstringStatusListCredential", "status": "revoked"}
            ],
        },
    )
    assert revoked.status_code == 200
    assert IssuedCredential.objects.get().is_revoked
    entry = AuditEntry.objects.get(action="vc_api.revoked")
    assert entry.data["via"] == "OAuth client Registrar (read issue)"
    again = oauth.post(
        f"{api}/credentials/verify", json={"verifiableCredential": credential}
    )
    assert again.status_code == 400


def test_a_read_only_client_cannot_issue(live_server, cast):
    oauth = _client(live_server, cast, "read")
    api = f"{live_server.url}/api/organizations/{cast.organization.slug}/vc-api"
    refused = oauth.post(
        f"{api}/credentials/issue", json={"credential": valid_credential()}
    )
    assert refused.status_code == 403
    assert not IssuedCredential.objects.exists()
