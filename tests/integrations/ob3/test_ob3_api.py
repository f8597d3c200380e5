"""The Open Badges 3.0 API's doors: the discovery document, dynamic client
registration (RFC 7591) and its errors, and every operation's refusals
(missing, expired, revoked, under-scoped tokens, another person's, a client's
own, an organization's Cairn API token) in 1EdTech's Imsx_StatusInfo shape."""

import json
import secrets
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken, set_token_value
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from accounts.models import AuditEntry
from integrations.models import AppAuthorization, PushedCredential
from integrations.oauth import services as oauth
from integrations.ob3 import scopes, services
from tests.credentials.test_outside_credentials import DATA
from tests.integrations.conftest import bearer, personal_token

from .conftest import ALL_OB3, registration

pytestmark = pytest.mark.django_db
API = "/ims/ob/v3p0"
OPERATIONS = [
    ("get", "credentials", scopes.CREDENTIAL_READONLY),
    ("post", "credentials", scopes.CREDENTIAL_UPSERT),
    ("get", "profile", scopes.PROFILE_READONLY),
    ("put", "profile", scopes.PROFILE_UPDATE),
]


def token_for(application, user, scope: str, *, expires_in=timedelta(hours=1)):
    """An access token as the token endpoint gives one (its checksum stored)."""
    raw = secrets.token_urlsafe(30)
    token = AccessToken(
        user=user,
        application=application,
        scope=scope,
        expires=timezone.now() + expires_in,
    )
    set_token_value(token, raw)
    token.save()
    return raw, token


def call(api: APIClient, method: str, name: str):
    body = {"type": ["Profile"], "givenName": "Changed"} if name == "profile" else {}
    return getattr(api, method)(f"{API}/{name}", body, format="json")


def refused(response, spec, status: int, minor: str):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    spec["Imsx_StatusInfo"].validate(body)
    assert body["imsx_codeMajor"] == "failure"
    assert body["imsx_severity"] == "error"
    field = body["imsx_codeMinor"]["imsx_codeMinorField"][0]
    assert field["imsx_codeMinorFieldValue"] == minor
    assert body["imsx_description"]
    return body


# The service description document


def test_the_discovery_document_is_a_valid_openapi_document(client, settings):
    answer = client.get(f"{API}/discovery")
    assert answer.status_code == 200
    document = answer.json()
    validate(document)
    site = settings.SITE_URL
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    assert scheme["type"] == "oauth2"
    assert scheme["x-imssf-registrationUrl"] == f"{site}/oauth/register/"
    flow = scheme["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == f"{site}/oauth/authorize/"
    assert flow["tokenUrl"] == flow["refreshUrl"] == f"{site}/oauth/token/"
    assert set(flow["scopes"]) == set(scopes.OB3_SCOPES)
    assert document["info"]["x-imssf-privacyPolicyUrl"] == (
        f"{site}/integrations/connected-apps/about/"
    )
    assert document["servers"] == [{"url": f"{site}/ims/ob/v3p0"}]
    operations = {
        op["operationId"]: op["security"][0]["OAuth2ACG"][0]
        for path in document["paths"].values()
        for op in path.values()
        if "security" in op
    }
    assert operations == {
        "getCredentials": scopes.CREDENTIAL_READONLY,
        "upsertCredential": scopes.CREDENTIAL_UPSERT,
        "getProfile": scopes.PROFILE_READONLY,
        "putProfile": scopes.PROFILE_UPDATE,
    }
    # The privacy page it names is there, in plain words.
    about = client.get(document["info"]["x-imssf-privacyPolicyUrl"][len(site) :])
    assert about.status_code == 200
    assert "See your name and e-mail address" in about.content.decode()


def test_the_privacy_policy_can_be_the_site_s_own(client, settings):
    settings.CAIRN_OB3_PRIVACY_POLICY_URL = "https://college.example.edu/privacy"
    info = client.get(f"{API}/discovery").json()["info"]
    assert info["x-imssf-privacyPolicyUrl"] == "https://college.example.edu/privacy"
    assert info["termsOfService"] == "https://college.example.edu/privacy"


def test_cairn_s_own_openapi_schema_leaves_the_ob3_api_out(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert not [path for path in schema["paths"] if path.startswith("/ims/")]


# Dynamic client registration


def register(client, body):
    return client.post(
        reverse("ob3-register"),
        json.dumps(body) if not isinstance(body, str) else body,
        content_type="application/json",
    )


def test_registration_makes_a_confidential_authorization_code_client(client):
    answer = register(client, registration(contacts=["it@wallet.example.org"]))
    assert answer.status_code == 201, answer.content
    assert answer["Cache-Control"] == "no-store"
    body = answer.json()
    assert body["client_secret"]
    assert body["client_secret_expires_at"] == 0
    assert isinstance(body["client_id_issued_at"], int)
    for field in ("client_name", "client_uri", "logo_uri", "tos_uri", "policy_uri"):
        assert body[field] == registration()[field]
    assert body["grant_types"] == ["authorization_code", "refresh_token"]
    assert body["response_types"] == ["code"]
    assert body["contacts"] == ["it@wallet.example.org"]
    host = services.HostRegistration.objects.get(
        application__client_id=body["client_id"]
    )
    application = host.application
    assert application.client_type == application.CLIENT_CONFIDENTIAL
    assert application.authorization_grant_type == "authorization-code"
    assert application.redirect_uris == "http://127.0.0.1:9/callback"
    assert set(host.scopes) == {*scopes.OB3_SCOPES, "offline_access"}
    # Only a hash of the secret is kept.
    assert application.client_secret != body["client_secret"]


def test_a_public_host_gets_no_secret(client):
    body = register(client, registration(token_endpoint_auth_method="none")).json()
    assert "client_secret" not in body
    host = services.HostRegistration.objects.get(
        application__client_id=body["client_id"]
    )
    assert host.application.client_type == host.application.CLIENT_PUBLIC


@pytest.mark.parametrize(
    ("change", "error", "says"),
    [
        ({"client_uri": None}, "invalid_client_metadata", "Missing: client_uri"),
        ({"software_id": ""}, "invalid_client_metadata", "software_id must be"),
        ({"scope": "read admin"}, "invalid_client_metadata", "Unknown scopes"),
        ({"scope": "offline_access"}, "invalid_client_metadata", "Open Badges 3.0"),
        ({"grant_types": ["client_credentials"]}, "invalid_client_metadata",
         "grant_types"),
        ({"response_types": ["token"]}, "invalid_client_metadata", "response_types"),
        ({"token_endpoint_auth_method": "private_key_jwt"},
         "invalid_client_metadata", "token_endpoint_auth_method"),
        ({"logo_uri": "ftp://wallet.example.org/logo"}, "invalid_client_metadata",
         "logo_uri must be an absolute"),
        ({"redirect_uris": []}, "invalid_redirect_uri", "redirect_uris"),
        ({"redirect_uris": ["/relative"]}, "invalid_redirect_uri", "absolute"),
        ({"redirect_uris": ["https://w.example.org/cb#frag"]}, "invalid_redirect_uri",
         "fragment"),
        ({"redirect_uris": ["javascript:alert(1)"]}, "invalid_redirect_uri",
         "absolute"),
    ],
)  # fmt: skip
def test_a_bad_registration_is_refused_as_rfc_7591_says(client, change, error, says):
    body = registration(**change)
    if change.get("client_uri", "") is None:
        del body["client_uri"]
    answer = register(client, body)
    assert answer.status_code == 400
    assert answer.json()["error"] == error
    assert says in answer.json()["error_description"]
    assert not services.HostRegistration.objects.exists()


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"a": "\\u0000"}'])
def test_a_registration_that_is_not_a_json_object_is_refused(client, body):
    answer = register(client, body)
    assert answer.status_code == 400
    assert not services.HostRegistration.objects.exists()


def test_registration_only_takes_post(client):
    answer = client.get(reverse("ob3-register"))
    assert answer.status_code == 405


def test_registrations_are_limited_per_address(client, monkeypatch):
    from integrations.ob3 import api

    monkeypatch.setattr(api, "REGISTRATIONS_PER_MINUTE", 2)
    codes = [register(client, registration()).status_code for _ in range(3)]
    assert codes == [201, 201, 429]


# Refusals of every operation


def test_every_operation_refuses_a_call_without_a_token(spec):
    for method, name, _ in OPERATIONS:
        answer = call(APIClient(), method, name)
        refused(answer, spec, 401, "unauthorizedrequest")
        assert answer["WWW-Authenticate"].startswith("Bearer")


def test_every_operation_refuses_an_expired_token(host, cast, spec):
    raw, _ = token_for(
        host[0].application, cast["learner"], ALL_OB3, expires_in=-timedelta(1)
    )
    for method, name, _ in OPERATIONS:
        refused(call(bearer(raw), method, name), spec, 401, "unauthorizedrequest")


def test_every_operation_refuses_a_revoked_token(host, cast, spec):
    raw, token = token_for(host[0].application, cast["learner"], ALL_OB3)
    token.revoke()
    for method, name, _ in OPERATIONS:
        refused(call(bearer(raw), method, name), spec, 401, "unauthorizedrequest")


@pytest.mark.parametrize(("method", "name", "needed"), OPERATIONS)
def test_each_operation_needs_its_own_scope(host, cast, spec, method, name, needed):
    others = " ".join(s for s in scopes.OB3_SCOPES if s != needed)
    raw, _ = token_for(host[0].application, cast["learner"], others)
    body = refused(call(bearer(raw), method, name), spec, 403, "forbidden")
    assert needed in body["imsx_description"]
    cast["learner"].refresh_from_db()
    assert cast["learner"].first_name != "Changed"


def test_cairn_s_own_tokens_and_clients_cannot_use_the_ob3_api(cast, spec):
    pat = personal_token(cast["learner"])
    for method, name, _ in OPERATIONS:
        refused(call(bearer(pat), method, name), spec, 401, "unauthorizedrequest")
    # An organization's client: its own client-credentials token acts for no
    # person; an authorization-code token has Cairn's scopes, not these.
    client, _ = oauth.register_client(
        cast.organization,
        by=cast["admin"],
        name="Student records",
        grant=oauth.CLIENT_CREDENTIALS,
        roles=["admin"],
    )
    own, _ = token_for(client.application, None, ALL_OB3)
    for method, name, _ in OPERATIONS:
        body = refused(call(bearer(own), method, name), spec, 403, "forbidden")
        assert "acts for a person" in body["imsx_description"]
    reader, _ = token_for(client.application, cast["learner"], "read admin")
    for method, name, _ in OPERATIONS:
        refused(call(bearer(reader), method, name), spec, 403, "forbidden")


def test_a_token_gives_its_own_person_s_data_only(host, cast, spec):
    vector = json.loads((DATA / "openbadges3/dcpv-ob30-simple.json").read_text())
    services.upsert_credential(cast["learner"], vector)
    raw, _ = token_for(host[0].application, cast["other_learner"], ALL_OB3)
    api = bearer(raw)
    theirs = api.get(f"{API}/credentials")
    assert theirs.status_code == 200
    spec["GetOpenBadgeCredentialsResponse"].validate(theirs.json())
    assert theirs.json() == {}
    assert theirs["X-Total-Count"] == "0"
    profile = api.get(f"{API}/profile").json()
    assert profile["email"] == cast["other_learner"].email
    # Storing the same credential for them is storing it for them.
    api.post(f"{API}/credentials", vector, format="json")
    assert PushedCredential.objects.filter(learner=cast["other_learner"]).count() == 1
    assert PushedCredential.objects.filter(learner=cast["learner"]).count() == 1


def test_wrong_methods_paths_and_queries_answer_in_the_spec_s_shape(host, cast, spec):
    raw, _ = token_for(host[0].application, cast["learner"], ALL_OB3)
    api = bearer(raw)
    refused(api.delete(f"{API}/credentials"), spec, 405, "not_allowed")
    refused(api.post(f"{API}/profile", {}, format="json"), spec, 405, "not_allowed")
    refused(api.get(f"{API}/nothing-here"), spec, 404, "unknown")
    for query in ("limit=0", "limit=x", "offset=-1", "since=yesterday"):
        refused(
            api.get(f"{API}/credentials?{query}"),
            spec,
            400,
            "invalid_query_parameter",
        )
    refused(
        api.post(f"{API}/credentials", "{not json", content_type="application/json"),
        spec,
        400,
        "invalid_data",
    )


def test_calls_are_limited_per_token(host, cast, spec, settings):
    settings.CAIRN_TOKEN_REQUESTS_PER_MINUTE = 2
    raw, _ = token_for(host[0].application, cast["learner"], ALL_OB3)
    api = bearer(raw)
    assert [api.get(f"{API}/profile").status_code for _ in range(2)] == [200, 200]
    answer = api.get(f"{API}/profile")
    refused(answer, spec, 429, "server_busy")
    assert answer["Retry-After"] == "60"


# upsertCredential and putProfile refusals


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"type": ["VerifiableCredential"]}, "AchievementCredential"),
        ("spec-ob3-endorsementcredential.json", "AchievementCredential"),
        ("tampered", "Cairn did not store it"),
        ("dcpv-ob30-simple-err-expired.json", None),
    ],
)
def test_upsert_refuses_what_is_not_a_genuine_achievement_credential(
    host, cast, spec, pinned, body, says
):
    if body == "tampered":
        body = json.loads((DATA / "openbadges3/dcpv-ob30-simple.json").read_text())
        body["name"] = "Something else"
    elif isinstance(body, str):
        body = json.loads((DATA / "openbadges3" / body).read_text())
    raw, _ = token_for(host[0].application, cast["learner"], ALL_OB3)
    answer = bearer(raw).post(f"{API}/credentials", body, format="json")
    if says is None:
        # An expired credential is the learner's history: kept, as expired.
        assert answer.status_code == 201
        assert PushedCredential.objects.get().verdict == "expired"
        return
    result = refused(answer, spec, 400, "invalid_data")
    assert says in result["imsx_description"]
    assert not PushedCredential.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="ob3.").exists()


@pytest.mark.parametrize(
    "body",
    [
        {"type": ["Achievement"], "givenName": "X"},
        {"type": ["Profile"], "givenName": 5},
        {"type": ["Profile"], "givenName": "", "familyName": ""},
        {"type": ["Profile"], "email": "someone.else@example.org"},
        {"type": ["Profile"], "givenName": "x" * 151},
        ["Profile"],
    ],
)
def test_put_profile_refuses_what_it_cannot_take(host, cast, spec, body):
    raw, _ = token_for(host[0].application, cast["learner"], ALL_OB3)
    before = cast["learner"].get_full_name()
    answer = bearer(raw).put(f"{API}/profile", body, format="json")
    refused(answer, spec, 400, "invalid_data")
    cast["learner"].refresh_from_db()
    assert cast["learner"].get_full_name() == before
    assert not AuditEntry.objects.filter(action="profile.updated").exists()


def test_a_name_alone_becomes_the_given_name(host, cast, spec):
    raw, _ = token_for(host[0].application, cast["learner"], ALL_OB3)
    answer = bearer(raw).put(
        f"{API}/profile",
        {"type": "Profile", "name": "Grace Hopper", "phone": "111-222-3333"},
        format="json",
    )
    assert answer.status_code == 200
    spec["Profile"].validate(answer.json())
    cast["learner"].refresh_from_db()
    assert (cast["learner"].first_name, cast["learner"].last_name) == (
        "Grace Hopper",
        "",
    )
    entry = AuditEntry.objects.get(action="profile.updated")
    assert entry.organization == cast.organization
    assert entry.data["via"] == "OAuth client Data wallet"


def test_a_token_s_use_is_recorded_for_the_connected_apps_page(host, cast):
    raw, token = token_for(host[0].application, cast["learner"], ALL_OB3)
    from integrations.ob3 import connections

    connections.record_authorization(token)
    bearer(raw).get(f"{API}/profile")
    used = AppAuthorization.objects.get(user=cast["learner"]).last_used_at
    assert used is not None
    bearer(raw).get(f"{API}/profile")  # within the minute: not written again
    assert AppAuthorization.objects.get(user=cast["learner"]).last_used_at == used
