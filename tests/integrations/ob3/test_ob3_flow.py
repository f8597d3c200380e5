"""The Open Badges 3.0 API end to end over real HTTP, with Authlib as the host
(a wallet): discovery, dynamic client registration, authorization code with
PKCE through Cairn's consent page, paging through getCredentials, token
refresh, upsertCredential with 1EdTech's signed test vectors, getProfile and
putProfile, and the learner disconnecting the host. Every answer is checked
against 1EdTech's JSON schemas."""

import json
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from django.utils import timezone

from accounts.models import AuditEntry
from credentials.models import Award
from credentials.services import verify_credential
from integrations.models import AppAuthorization, PushedCredential
from integrations.ob3 import scopes
from tests import builders
from tests.credentials.test_outside_credentials import DATA
from tests.integrations.oauth.test_oauth_flows import consent, signed_in

from .conftest import ALL_OB3, CALLBACK, registration

API = "/ims/ob/v3p0"


@pytest.fixture
def cast(transactional_db, settings, live_server):
    # The discovery document names this site's own address.
    settings.SITE_URL = live_server.url
    return builders.make_cast()


@pytest.fixture
def earned(cast):
    """The learner's awards, issued through the real path (grade → award)."""
    pathway = builders.make_pathway(cast)
    for task in pathway.tasks:
        builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    awards = Award.objects.filter(learner=cast["learner"], revoked_at__isnull=True)
    assert awards.count() >= 3
    return awards


def connect(live_server, person, *, scope: str = ALL_OB3, **metadata):
    """A host discovers, registers, is allowed by `person` and gets tokens."""
    discovery = requests.get(f"{live_server.url}{API}/discovery").json()
    scheme = discovery["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    registered = requests.post(
        scheme["x-imssf-registrationUrl"], json=registration(**metadata)
    )
    assert registered.status_code == 201, registered.text
    client = registered.json()
    oauth = OAuth2Session(
        client["client_id"],
        client.get("client_secret"),
        scope=scope,
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method=client["token_endpoint_auth_method"],
    )
    verifier = secrets.token_urlsafe(48)
    url, state = oauth.create_authorization_url(
        flow["authorizationUrl"], code_verifier=verifier
    )
    back = consent(signed_in(live_server, person), url)
    assert parse_qs(urlsplit(back).query)["state"] == [state]
    token = oauth.fetch_token(
        flow["tokenUrl"], authorization_response=back, code_verifier=verifier
    )
    assert set(token["scope"].split()) == set(scope.split())
    return oauth, flow, client


def test_a_wallet_connects_pages_refreshes_and_is_disconnected(
    live_server, cast, earned, pinned, spec
):
    oauth, flow, client = connect(live_server, cast["learner"])
    total = earned.count()

    # Paging: limit/offset, X-Total-Count and the Link header, all of them.
    seen = []
    url = f"{live_server.url}{API}/credentials?limit=2&offset=0"
    while url:
        page = oauth.get(url)
        assert page.status_code == 200, page.text
        spec["GetOpenBadgeCredentialsResponse"].validate(page.json())
        assert page.headers["X-Total-Count"] == str(total)
        links = page.links
        assert {"first", "last"} <= set(links)
        seen += [c["id"] for c in page.json().get("credential", [])]
        url = links.get("next", {}).get("url")
    assert sorted(seen) == sorted(a.credential["id"] for a in earned)
    assert len(seen) == len(set(seen)) == total
    assert "offset=0" in links["first"]["url"]
    assert "prev" in links

    # since: only what was issued after the moment.
    newest = earned.order_by("-issued_at").first()
    since = (newest.issued_at - timezone.timedelta(microseconds=1)).isoformat()
    page = oauth.get(f"{live_server.url}{API}/credentials", params={"since": since})
    assert page.headers["X-Total-Count"] == "1"
    assert [c["id"] for c in page.json()["credential"]] == [newest.credential["id"]]

    # Refreshing: a new access token; the old one is refused in the spec's shape.
    first = oauth.token["access_token"]
    oauth.refresh_token(flow["refreshUrl"])
    assert oauth.token["access_token"] != first
    stale = requests.get(
        f"{live_server.url}{API}/profile",
        headers={"Authorization": f"Bearer {first}"},
    )
    assert stale.status_code == 401
    assert stale.headers["WWW-Authenticate"].startswith("Bearer")
    spec["Imsx_StatusInfo"].validate(stale.json())

    # upsertCredential: 1EdTech's signed vector is verified and stored (201),
    # sent again it replaces (200); getCredentials then lists it.
    vector = json.loads((DATA / "openbadges3/1edtech-ob3-test-vector.json").read_text())
    made = oauth.post(f"{live_server.url}{API}/credentials", json=vector)
    assert made.status_code == 201, made.text
    assert made.json() == vector
    again = oauth.post(f"{live_server.url}{API}/credentials", json=vector)
    assert again.status_code == 200
    stored = PushedCredential.objects.get(learner=cast["learner"])
    assert stored.verdict == "valid"
    assert stored.pushed_by.client_id == client["client_id"]
    everything = oauth.get(f"{live_server.url}{API}/credentials?limit=100").json()
    spec["GetOpenBadgeCredentialsResponse"].validate(everything)
    (listed,) = [c for c in everything["credential"] if c["id"] == vector["id"]]
    # Given back in the strict JSON form (its proof as an array), still genuine.
    assert listed["proof"] == [vector["proof"]]
    assert verify_credential(listed).status == "valid"
    entry = AuditEntry.objects.get(action="ob3.credential_stored")
    assert entry.data["via"] == "OAuth client Data wallet"

    # A VC-JWT, as text/plain, comes back in compactJwsString.
    svg = (DATA / "openbadges3/dcpv-ob30-simple-jwt.svg").read_text()
    jws = svg.split('verify="', 1)[1].split('"', 1)[0]
    sent = oauth.post(
        f"{live_server.url}{API}/credentials",
        data=jws,
        headers={"Content-Type": "text/plain"},
    )
    assert sent.status_code == 201, sent.text
    assert sent.text == jws
    listed = oauth.get(f"{live_server.url}{API}/credentials?limit=100").json()
    spec["GetOpenBadgeCredentialsResponse"].validate(listed)
    assert listed["compactJwsString"] == [jws]

    # getProfile and putProfile.
    profile = oauth.get(f"{live_server.url}{API}/profile")
    assert profile.status_code == 200
    spec["Profile"].validate(profile.json())
    assert profile.json()["email"] == cast["learner"].email
    changed = oauth.put(
        f"{live_server.url}{API}/profile",
        json={**profile.json(), "givenName": "Ada", "familyName": "Byron"},
    )
    assert changed.status_code == 200, changed.text
    spec["Profile"].validate(changed.json())
    assert changed.json()["name"] == "Ada Byron"
    cast["learner"].refresh_from_db()
    assert cast["learner"].get_full_name() == "Ada Byron"
    assert AuditEntry.objects.get(action="profile.updated").data["after"] == (
        "Ada Byron"
    )

    # The learner sees the host, with its last use, and disconnects it.
    connection = AppAuthorization.objects.get(user=cast["learner"])
    assert connection.application.name == "Data wallet"
    assert connection.last_used_at is not None
    browser = signed_in(live_server, cast["learner"])
    page = browser.get(f"{live_server.url}/integrations/connected-apps/")
    assert "Data wallet" in page.text
    assert "See your name and e-mail address" in page.text
    disconnect = (
        f"{live_server.url}/integrations/connected-apps/{connection.pk}/disconnect/"
    )
    confirm = browser.get(disconnect)
    assert "Disconnect “Data wallet”?" in confirm.text
    browser.post(
        disconnect,
        {"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        headers={"Referer": disconnect},
    )
    assert not AppAuthorization.objects.filter(user=cast["learner"]).exists()
    refused = oauth.get(f"{live_server.url}{API}/credentials")
    assert refused.status_code == 401
    spec["Imsx_StatusInfo"].validate(refused.json())
    with pytest.raises(Exception, match="invalid_grant"):
        oauth.refresh_token(flow["refreshUrl"])
    assert AuditEntry.objects.filter(action="oauth_app.disconnected").exists()


def test_a_public_host_connects_with_pkce_alone(live_server, cast, spec):
    oauth, _, client = connect(
        live_server,
        cast["learner"],
        scope=scopes.PROFILE_READONLY,
        token_endpoint_auth_method="none",
    )
    assert "client_secret" not in client
    profile = oauth.get(f"{live_server.url}{API}/profile")
    assert profile.status_code == 200
    spec["Profile"].validate(profile.json())
    # It was allowed to read the profile only.
    refused = oauth.get(f"{live_server.url}{API}/credentials")
    assert refused.status_code == 403
    spec["Imsx_StatusInfo"].validate(refused.json())


def test_a_host_cannot_ask_for_more_than_it_registered(live_server, cast):
    discovery = requests.get(f"{live_server.url}{API}/discovery").json()
    scheme = discovery["components"]["securitySchemes"]["OAuth2ACG"]
    client = requests.post(
        scheme["x-imssf-registrationUrl"],
        json=registration(scope=scopes.CREDENTIAL_READONLY),
    ).json()
    for asked in (scopes.PROFILE_UPDATE, "read admin"):
        oauth = OAuth2Session(
            client["client_id"],
            client["client_secret"],
            scope=asked,
            redirect_uri=CALLBACK,
            code_challenge_method="S256",
        )
        url, _ = oauth.create_authorization_url(
            scheme["flows"]["authorizationCode"]["authorizationUrl"],
            code_verifier=secrets.token_urlsafe(48),
        )
        page = signed_in(live_server, cast["learner"]).get(url, allow_redirects=False)
        assert page.status_code == 302, page.text[:300]
        assert parse_qs(urlsplit(page.headers["Location"]).query)["error"] == [
            "invalid_scope"
        ]
