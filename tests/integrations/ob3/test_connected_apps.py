"""A person's “Connected apps” page: the apps they allowed, in plain words,
with last use; disconnecting one asks first, deletes its tokens and is in the
audit trail."""

import json

import pytest
from django.urls import reverse
from oauth2_provider.models import AccessToken, Grant, RefreshToken

from accounts.models import AuditEntry
from integrations.models import AppAuthorization
from integrations.ob3 import connections, services
from tests.credentials.test_outside_credentials import DATA

from .conftest import ALL_OB3, registration
from .test_ob3_api import token_for

pytestmark = pytest.mark.django_db
PAGE = "/integrations/connected-apps/"


def allow(host_application, person, scope=ALL_OB3):
    raw, token = token_for(host_application, person, scope)
    connections.record_authorization(token)
    RefreshToken.objects.create(
        user=person, application=host_application, token="r", access_token=token
    )
    return raw, AppAuthorization.objects.get(user=person, application=host_application)


def test_the_page_says_when_no_app_is_connected(client, cast):
    client.force_login(cast["learner"])
    page = client.get(PAGE).content.decode()
    assert "You have not allowed any app yet." in page
    assert "No app has stored a credential for you." in page
    assert "/ims/ob/v3p0/discovery" in page


def test_the_account_page_links_to_it(client, cast):
    client.force_login(cast["learner"])
    assert PAGE in client.get(reverse("accounts:account")).content.decode()


def test_the_page_lists_each_app_with_its_scopes_in_plain_words(
    client, cast, host, django_assert_max_num_queries
):
    allow(host[0].application, cast["learner"])
    other, _ = services.register_host(registration(client_name="Backpack"))
    allow(
        other.application,
        cast["learner"],
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly",
    )
    services.upsert_credential(
        cast["learner"],
        json.loads((DATA / "openbadges3/dcpv-ob30-simple.json").read_text()),
        application=host[0].application,
    )
    client.force_login(cast["learner"])
    with django_assert_max_num_queries(12):
        page = client.get(PAGE).content.decode()
    assert "Data wallet" in page
    assert "Backpack" in page
    assert "See the credentials you earned in Cairn" in page
    assert "See your name and e-mail address" in page
    assert "purl.imsglobal.org" not in page  # scopes in words, not URIs
    assert "Never" in page  # neither used its token yet
    assert "Teamwork Badge" in page  # what an app stored, with its verdict
    # Someone else sees none of it.
    client.force_login(cast["other_learner"])
    assert "Data wallet" not in client.get(PAGE).content.decode()


def test_disconnecting_asks_then_deletes_every_token_and_is_audited(client, cast, host):
    application = host[0].application
    raw, authorization = allow(application, cast["learner"])
    Grant.objects.create(
        user=cast["learner"],
        application=application,
        code="c",
        expires=authorization.authorized_at,
        redirect_uri="http://127.0.0.1:9/callback",
        code_challenge="x" * 43,
        code_challenge_method="S256",
    )
    # The other learner's connection to the same host stays.
    _, theirs = allow(application, cast["other_learner"])
    url = reverse("integrations:connected-app-disconnect", args=[authorization.pk])
    client.force_login(cast["learner"])
    confirm = client.get(url).content.decode()
    assert "Disconnect “Data wallet”?" in confirm
    assert AccessToken.objects.filter(user=cast["learner"]).exists()  # not yet
    answer = client.post(url)
    assert answer.status_code == 302
    for model in (AccessToken, RefreshToken, Grant, AppAuthorization):
        assert not model.objects.filter(user=cast["learner"]).exists()
    assert AppAuthorization.objects.filter(pk=theirs.pk).exists()
    entry = AuditEntry.objects.get(action="oauth_app.disconnected")
    assert entry.actor == cast["learner"]
    assert entry.organization == cast.organization
    assert entry.data["name"] == "Data wallet"
    assert bearer_get(raw).status_code == 401


def bearer_get(raw):
    from tests.integrations.conftest import bearer

    return bearer(raw).get("/ims/ob/v3p0/profile")


def test_nobody_disconnects_another_person_s_app(client, cast, host):
    _, authorization = allow(host[0].application, cast["learner"])
    url = reverse("integrations:connected-app-disconnect", args=[authorization.pk])
    client.force_login(cast["other_learner"])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert AppAuthorization.objects.filter(pk=authorization.pk).exists()


def test_the_page_needs_a_login(client):
    assert client.get(PAGE).status_code == 302


def test_the_consent_page_names_a_host_s_scopes_in_plain_words(client, cast, host):
    from urllib.parse import urlencode

    from integrations.ob3 import scopes

    client.force_login(cast["learner"])
    page = client.get(
        "/oauth/authorize/?"
        + urlencode(
            {
                "response_type": "code",
                "client_id": host[1]["client_id"],
                "redirect_uri": "http://127.0.0.1:9/callback",
                "scope": f"{scopes.CREDENTIAL_READONLY} {scopes.PROFILE_UPDATE}",
                "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                "code_challenge_method": "S256",
            }
        )
    ).content.decode()
    assert "Allow “Data wallet” to use your Cairn account?" in page
    assert "See the credentials you earned in Cairn" in page
    assert "Change your name" in page
    assert "https://wallet.example.org/privacy" in page  # its own policy
    asked = page.split("It asks to:", 1)[1].split("</ul>", 1)[0]
    assert "purl.imsglobal.org" not in asked  # words, not the scopes' URIs
