"""OAuth 2.0 end to end over real HTTP, with Authlib as the client: the
authorization code with PKCE through Cairn's consent page, refreshing, and
client credentials. A person signs in with a plain HTTP session, as a browser
without JavaScript would."""

import secrets
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from oauth2_provider.models import AccessToken

from accounts.models import AuditEntry
from integrations.oauth import services
from tests import builders

CALLBACK = (
    "http://127.0.0.1:9/callback"  # never fetched: the code is read off the redirect
)


class _Form(HTMLParser):
    """The fields of the consent form."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""


def signed_in(live_server, user) -> requests.Session:
    browser = requests.Session()
    login = f"{live_server.url}/accounts/login/"
    browser.get(login)
    answer = browser.post(
        login,
        {
            "username": user.username,
            "password": "pw",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Referer": login},
        allow_redirects=False,
    )
    assert answer.status_code == 302
    return browser


def consent(browser: requests.Session, url: str, *, allow: bool = True) -> str:
    """Open the authorization URL as the signed-in person, answer the consent
    page, and return where Cairn sends the browser back to."""
    page = browser.get(url)
    assert page.status_code == 200
    assert "Allow “Data wallet” to use your Cairn account?" in page.text
    form = _Form()
    form.feed(page.text)
    fields = {k: v for k, v in form.fields.items() if k != "allow"}
    if allow:
        fields["allow"] = "Authorize"
    answer = browser.post(
        page.url, fields, headers={"Referer": page.url}, allow_redirects=False
    )
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


@pytest.fixture
def cast(transactional_db):
    return builders.make_cast()


@pytest.fixture
def wallet(cast):
    client, secret = services.register_client(
        cast.organization,
        by=cast["admin"],
        name="Data wallet",
        grant=services.AUTHORIZATION_CODE,
        redirect_uris=[CALLBACK],
    )
    return client.application.client_id, secret


def test_authorization_code_with_pkce_then_refresh(live_server, cast, wallet):
    client_id, secret = wallet
    oauth = OAuth2Session(
        client_id,
        secret,
        scope="read",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    )
    verifier = secrets.token_urlsafe(48)
    url, state = oauth.create_authorization_url(
        f"{live_server.url}/oauth/authorize/", code_verifier=verifier
    )
    back = consent(signed_in(live_server, cast["designer"]), url)
    assert parse_qs(urlsplit(back).query)["state"] == [state]
    token = oauth.fetch_token(
        f"{live_server.url}/oauth/token/",
        authorization_response=back,
        code_verifier=verifier,
    )
    assert token["scope"] == "read"
    assert token["refresh_token"]

    mine = oauth.get(f"{live_server.url}/api/organizations/")
    assert mine.status_code == 200
    assert [o["slug"] for o in mine.json()["results"]] == [cast.organization.slug]
    # Only what the person consented to: read, never a change.
    refused = oauth.post(
        f"{live_server.url}/api/module-versions/",
        json={"organization": cast.organization.slug, "code": "X-1", "title": "X"},
    )
    assert refused.status_code == 403
    assert "“admin” scope" in refused.json()["detail"]

    first = token["access_token"]
    renewed = oauth.refresh_token(f"{live_server.url}/oauth/token/")
    assert renewed["access_token"] != first
    assert oauth.get(f"{live_server.url}/api/organizations/").status_code == 200
    stale = requests.get(
        f"{live_server.url}/api/organizations/",
        headers={"Authorization": f"Bearer {first}"},
    )
    assert stale.status_code == 401
    # The refresh token rotates: the one spent cannot be used again.
    again = requests.post(
        f"{live_server.url}/oauth/token/",
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        auth=(client_id, secret),
    )
    assert again.status_code == 400
    # ... and presenting it again revokes the whole family (RFC 9700 §4.14):
    # someone replays a stolen token, so the renewed one is refused too.
    assert oauth.get(f"{live_server.url}/api/organizations/").status_code == 401


def test_the_code_is_worthless_without_the_pkce_verifier(live_server, cast, wallet):
    client_id, secret = wallet
    oauth = OAuth2Session(
        client_id,
        secret,
        scope="read",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    )
    verifier = secrets.token_urlsafe(48)
    url, _ = oauth.create_authorization_url(
        f"{live_server.url}/oauth/authorize/", code_verifier=verifier
    )
    back = consent(signed_in(live_server, cast["designer"]), url)
    code = parse_qs(urlsplit(back).query)["code"][0]
    answer = requests.post(
        f"{live_server.url}/oauth/token/",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": secrets.token_urlsafe(48),
        },
        auth=(client_id, secret),
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_an_authorization_without_pkce_is_refused(live_server, cast, wallet):
    client_id, _ = wallet
    page = signed_in(live_server, cast["designer"]).get(
        f"{live_server.url}/oauth/authorize/",
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": CALLBACK,
            "scope": "read",
        },
        allow_redirects=False,
    )
    assert page.status_code == 302, page.text[:300]
    query = parse_qs(urlsplit(page.headers["Location"]).query)
    assert query["error"] == ["invalid_request"]
    assert query["error_description"] == ["Code challenge required."]
    assert "code" not in query


def test_denying_consent_gives_the_client_nothing(live_server, cast, wallet):
    client_id, secret = wallet
    oauth = OAuth2Session(
        client_id,
        secret,
        scope="read grade",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    )
    url, _ = oauth.create_authorization_url(
        f"{live_server.url}/oauth/authorize/", code_verifier=secrets.token_urlsafe(48)
    )
    back = consent(signed_in(live_server, cast["faculty"]), url, allow=False)
    query = parse_qs(urlsplit(back).query)
    assert query["error"] == ["access_denied"]
    assert "code" not in query


def test_client_credentials_act_as_the_organization_s_service_account(
    live_server, cast
):
    client, secret = services.register_client(
        cast.organization,
        by=cast["admin"],
        name="Student records",
        grant=services.CLIENT_CREDENTIALS,
        roles=["designer"],
    )
    oauth = OAuth2Session(client.application.client_id, secret, scope="read admin")
    token = oauth.fetch_token(
        f"{live_server.url}/oauth/token/", grant_type="client_credentials"
    )
    assert set(token["scope"].split()) == {"read", "admin"}
    # Only a checksum of the access token is kept (RFC 9700 §4.x token storage).
    stored = AccessToken.objects.get()
    assert token["access_token"] not in (stored.token, stored.token_checksum)
    api = f"{live_server.url}/api"
    orgs = oauth.get(f"{api}/organizations/").json()["results"]
    assert [o["slug"] for o in orgs] == [cast.organization.slug]
    made = oauth.post(
        f"{api}/frameworks/",
        json={"organization": cast.organization.slug, "name": "Records skills"},
    )
    assert made.status_code == 201, made.text
    entry = AuditEntry.objects.get(action="framework.created")
    assert entry.actor == client.service_account.user
    assert entry.data["via"] == "OAuth client Student records"
    elsewhere = oauth.post(
        f"{api}/frameworks/",
        json={"organization": cast.other_organization.slug, "name": "Theirs"},
    )
    assert elsewhere.status_code == 403

    wrong = OAuth2Session(client.application.client_id, "not-the-secret")
    with pytest.raises(Exception, match="invalid_client"):
        wrong.fetch_token(
            f"{live_server.url}/oauth/token/", grant_type="client_credentials"
        )


def test_removing_a_client_stops_its_tokens(live_server, cast):
    client, secret = services.register_client(
        cast.organization,
        by=cast["admin"],
        name="Old system",
        grant=services.CLIENT_CREDENTIALS,
        roles=["admin"],
    )
    oauth = OAuth2Session(client.application.client_id, secret, scope="read")
    oauth.fetch_token(
        f"{live_server.url}/oauth/token/", grant_type="client_credentials"
    )
    assert oauth.get(f"{live_server.url}/api/organizations/").status_code == 200
    services.remove_client(client, by=cast["admin"])
    assert oauth.get(f"{live_server.url}/api/organizations/").status_code == 401
    assert AuditEntry.objects.filter(action="oauth_client.removed").exists()
