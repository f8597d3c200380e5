"""An organization admin's OAuth clients page, and the schema's schemes."""

import re

import pytest
from django.urls import reverse
from oauth2_provider.models import get_application_model

from integrations.models import OAuthClient, ServiceAccount

Application = get_application_model()


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("designer", 403)])
def test_only_admins_register_clients(client, cast, role, status):
    client.force_login(cast[role])
    url = reverse("integrations:oauth-clients", args=[cast.organization.slug])
    assert client.get(url).status_code == status


def test_an_admin_registers_a_wallet_and_sees_its_secret_once(client, cast):
    client.force_login(cast["admin"])
    url = reverse("integrations:oauth-clients", args=[cast.organization.slug])
    refused = client.post(url, {"name": "Wallet", "grant": "authorization-code"})
    assert refused.status_code == 400
    assert "Give at least one redirect URI." in refused.text
    bad = client.post(
        url,
        {
            "name": "Wallet",
            "grant": "authorization-code",
            "redirect_uris": "javascript:alert(1)",
        },
    )
    assert bad.status_code == 400
    assert not Application.objects.exists()
    made = client.post(
        url,
        {
            "name": "Wallet",
            "grant": "authorization-code",
            "redirect_uris": "https://wallet.example/cb\nhttp://127.0.0.1:5000/cb",
        },
    )
    assert made.status_code == 200
    secret = re.search(r'id="new-secret">([^<]+)<', made.text).group(1)
    application = OAuthClient.objects.get().application
    assert application.client_secret != secret  # only a hash is kept
    assert application.redirect_uris.split() == [
        "https://wallet.example/cb",
        "http://127.0.0.1:5000/cb",
    ]
    assert secret not in client.get(url).text


def test_a_client_credentials_client_gets_its_own_service_account(client, cast):
    client.force_login(cast["admin"])
    url = reverse("integrations:oauth-clients", args=[cast.organization.slug])
    missing = client.post(url, {"name": "SIS", "grant": "client-credentials"})
    assert "Choose the roles of its service account." in missing.text
    client.post(
        url, {"name": "SIS", "grant": "client-credentials", "roles": ["faculty"]}
    )
    registered = OAuthClient.objects.get()
    assert registered.service_account.name == "OAuth client: SIS"
    assert registered.application.user == registered.service_account.user
    remove = reverse(
        "integrations:oauth-client-remove",
        args=[cast.organization.slug, registered.pk],
    )
    assert "Remove the OAuth client “SIS”?" in client.get(remove).text
    client.post(remove)
    assert not OAuthClient.objects.exists()
    assert not ServiceAccount.objects.get().is_active


def test_the_schema_documents_the_security_schemes_and_scopes(client, db):
    schema = client.get("/api/schema/?format=json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["cairnToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["cairnToken"]["description"],
    }
    flows = schemes["oauth2"]["flows"]
    assert set(flows) == {"authorizationCode", "clientCredentials"}
    assert flows["authorizationCode"]["authorizationUrl"].endswith("/oauth/authorize/")
    assert set(flows["clientCredentials"]["scopes"]) == {
        "read",
        "grade",
        "issue",
        "admin",
    }
    revoke = schema["paths"]["/api/credentials/{uuid}/revoke/"]["post"]
    assert {"oauth2": ["issue"]} in revoke["security"]
    grade = schema["paths"]["/api/submissions/{id}/grade/"]["post"]
    assert {"oauth2": ["grade"]} in grade["security"]


def test_the_swagger_page_can_authorize(client, db):
    # The page loads its settings as a script of its own (no inline script
    # under the Content-Security-Policy).
    page = client.get("/api/docs/").text
    assert "/api/docs/?script=" in page
    docs = client.get("/api/docs/?script=").text
    assert '"persistAuthorization": true' in docs
    assert "/api/docs/oauth2-redirect.html" in docs
    assert "usePkceWithAuthorizationCodeGrant" in docs
    redirect = client.get("/api/docs/oauth2-redirect.html")
    assert redirect.status_code == 302
    assert "swagger-ui-dist/oauth2-redirect.html" in redirect["Location"]
