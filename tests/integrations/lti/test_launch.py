"""LTI 1.3 launches from a real platform on loopback, and each refusal."""

import base64
import json

import pytest
import requests
from allauth.account.models import EmailAddress
from django.conf import settings

from accounts.models import AuditEntry, Membership
from integrations.models import LtiContext, LtiIdentity, LtiToolKey
from tests import builders
from tests.integrations.lti.conftest import authorize, launch
from tests.integrations.lti.platform import INSTRUCTOR, path_of


def test_the_jwks_serves_the_public_tool_key_only(cast, client, platform):
    keys = client.get(f"/integrations/lti/{cast.organization.slug}/jwks/").json()
    [key] = keys["keys"]
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert "d" not in key
    assert "p" not in key
    stored = LtiToolKey.objects.get(organization=cast.organization)
    assert b"PRIVATE KEY" not in bytes(stored.private_key_sealed)
    assert "PRIVATE KEY" in stored.open_private_key()


def test_a_learner_lands_signed_in_on_the_module_the_link_points_to(
    cast, client, platform
):
    task = builders.make_module(cast, "A-101")
    answer = launch(
        client,
        platform,
        "lms-user-1",
        custom={"cairn_module": "A-101"},
        name="Lee Park",
        email="lee@example.edu",
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"/curriculum/versions/{task.version.pk}/"
    identity = LtiIdentity.objects.get(subject="lms-user-1")
    assert identity.user.get_username().startswith("lti-")
    assert Membership.objects.filter(
        organization=cast.organization, user=identity.user, role="learner"
    ).exists()
    assert client.session["_auth_user_id"] == str(identity.user.pk)
    page = client.get(answer["Location"])
    assert page.status_code == 200
    # The session cookie works in the LMS frame; the platform may frame Cairn.
    cookie = answer.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["samesite"] == "None"
    assert cookie["secure"] is True
    # Chromium keeps only partitioned cookies (CHIPS) in a cross-site frame
    # when third-party cookies are blocked (test_browser_lti.py).
    assert cookie.output().endswith("; Partitioned")
    assert "X-Frame-Options" not in page
    assert f"frame-ancestors 'self' {platform.url}" in page["Content-Security-Policy"]
    # The platform sent only the full name (the `name` claim).
    assert identity.user.get_full_name() == "Lee Park"


def test_pages_outside_a_launch_keep_the_default_cookie_and_framing(cast, client):
    client.force_login(cast["learner"])
    page = client.get("/")
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_a_second_launch_signs_in_the_same_account(cast, client, platform):
    launch(client, platform, "lms-user-1")
    first = LtiIdentity.objects.get(subject="lms-user-1").user
    client.logout()
    launch(client, platform, "lms-user-1")
    assert client.session["_auth_user_id"] == str(first.pk)
    assert LtiIdentity.objects.count() == 1


def test_a_name_corrected_in_the_platform_reaches_the_account(cast, client, platform):
    launch(client, platform, "lms-user-1", name="Lee Park", email="lee@example.edu")
    client.logout()
    launch(client, platform, "lms-user-1", name="Lee Park-Ortiz", email="lee@ex.edu")
    identity = LtiIdentity.objects.select_related("user").get(subject="lms-user-1")
    assert identity.user.get_full_name() == "Lee Park-Ortiz"
    assert (identity.name, identity.email) == ("Lee Park-Ortiz", "lee@ex.edu")
    client.logout()
    launch(client, platform, "lms-user-1")  # no name sent: the known one stays
    identity.user.refresh_from_db()
    assert identity.user.get_full_name() == "Lee Park-Ortiz"


def test_an_account_linked_by_email_keeps_its_own_name(cast, client, platform):
    registered = cast.organization.lti_platforms.get()
    registered.link_by_email = True
    registered.save(update_fields=["link_by_email"])
    learner = cast["learner"]
    EmailAddress.objects.create(
        user=learner, email=learner.email, verified=True, primary=True
    )
    before = learner.get_full_name()
    launch(client, platform, "lms-user-9", email=learner.email, name="L. Nickname")
    client.logout()
    launch(client, platform, "lms-user-9", email=learner.email, name="Other Name")
    learner.refresh_from_db()
    assert learner.get_full_name() == before
    assert LtiIdentity.objects.get(subject="lms-user-9").name == "Other Name"


def test_a_verified_email_links_an_existing_account_where_allowed(
    cast, client, platform
):
    registered = cast.organization.lti_platforms.get()
    registered.link_by_email = True
    registered.save(update_fields=["link_by_email"])
    EmailAddress.objects.create(
        user=cast["learner"],
        email=cast["learner"].email,
        verified=True,
        primary=True,
    )
    launch(client, platform, "lms-user-9", email=cast["learner"].email)
    assert LtiIdentity.objects.get(subject="lms-user-9").user == cast["learner"]


def test_an_unverified_email_links_nothing(cast, client, platform):
    registered = cast.organization.lti_platforms.get()
    registered.link_by_email = True
    registered.save(update_fields=["link_by_email"])
    EmailAddress.objects.create(
        user=cast["learner"], email=cast["learner"].email, verified=False
    )
    launch(client, platform, "lms-user-9", email=cast["learner"].email)
    assert LtiIdentity.objects.get(subject="lms-user-9").user != cast["learner"]


def test_an_instructor_lands_on_the_course_page(cast, client, platform):
    answer = launch(client, platform, "teacher-1", roles=(INSTRUCTOR,))
    context = LtiContext.objects.get()
    assert answer["Location"] == f"/integrations/lti/courses/{context.pk}/"
    assert context.title == "Data Analysis 101"
    assert context.lineitems_url == platform.url + "/course/lineitems"


def _tamper(token: str) -> str:
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    return f"{head}.{forged.decode()}.{signature}"


def _refused(answer) -> bool:
    return answer.status_code == 400 and b"not accepted" in answer.content


def test_a_launch_with_a_bad_signature_is_refused(cast, client, platform):
    url, form = authorize(client, platform, "lms-user-1")
    form["id_token"] = _tamper(form["id_token"])
    assert _refused(client.post(url, form))
    assert not LtiIdentity.objects.exists()


def test_a_replayed_launch_is_refused(cast, client, platform):
    url, form = authorize(client, platform, "lms-user-1")
    assert client.post(url, form).status_code == 302
    assert _refused(client.post(url, form))


@pytest.mark.parametrize(
    "overrides",
    [
        {"claims": {"aud": "another-tool"}},
        {"claims": {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "x"}},
        {"expires": -120},
    ],
    ids=["wrong audience", "unknown deployment", "expired token"],
)
def test_a_launch_cairn_did_not_agree_to_is_refused(cast, client, platform, overrides):
    url, form = authorize(client, platform, "lms-user-1", **overrides)
    assert _refused(client.post(url, form))
    assert not LtiIdentity.objects.exists()


def test_a_launch_at_another_organization_is_refused(cast, client, platform):
    url, form = authorize(client, platform, "lms-user-1")
    other = cast.other_organization.slug
    url = url.replace(f"/lti/{cast.organization.slug}/", f"/lti/{other}/")
    assert _refused(client.post(url, form))


def test_a_login_for_an_unknown_platform_is_refused(cast, client, platform):
    answer = client.get(
        f"/integrations/lti/{cast.organization.slug}/login/",
        {
            "iss": "https://unknown.example",
            "login_hint": "x",
            "target_link_uri": "https://testserver/",
        },
    )
    assert answer.status_code == 400
    # No platform to name: nobody may frame the refusal.
    assert "frame-ancestors 'none'" in answer["Content-Security-Policy"]


def _frame_ancestors(policy: str) -> list[str]:
    """The sources of a policy's frame-ancestors directive, wherever it stands."""
    for directive in policy.split(";"):
        name, *sources = directive.split()
        if name == "frame-ancestors":
            return sources
    return []


def test_a_refusal_shows_in_the_frame_of_the_platform_it_names(cast, client, platform):
    url, form = authorize(client, platform, "lms-user-1")
    form["id_token"] = _tamper(form["id_token"])
    answer = client.post(url, form)
    assert _refused(answer)
    policy = answer["Content-Security-Policy"]
    assert _frame_ancestors(policy) == ["'self'", platform.url]
    assert "X-Frame-Options" not in answer


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("learner", 403)])
def test_only_admins_see_the_registration_page(cast, client, platform, role, status):
    client.force_login(cast[role])
    answer = client.get(f"/integrations/organizations/{cast.organization.slug}/lti/")
    assert answer.status_code == status
    if status == 200:
        assert b"/integrations/lti/" in answer.content
        assert b"Loopback LMS" in answer.content


def test_an_admin_registers_a_platform_by_hand(cast, client):
    client.force_login(cast["admin"])
    answer = client.post(
        f"/integrations/organizations/{cast.organization.slug}/lti/",
        {
            "name": "Moodle",
            "issuer": "https://moodle.example.edu",
            "client_id": "abc",
            "deployment_ids": "1\n2",
            "auth_login_url": "https://moodle.example.edu/mod/lti/auth.php",
            "auth_token_url": "https://moodle.example.edu/mod/lti/token.php",
            "key_set_url": "https://moodle.example.edu/mod/lti/certs.php",
        },
    )
    assert answer.status_code == 302
    registered = cast.organization.lti_platforms.get()
    assert registered.deployment_ids == ["1", "2"]
    assert AuditEntry.objects.filter(action="lti.platform_registered").exists()


def test_a_platform_without_keys_is_not_registered(cast, client):
    client.force_login(cast["admin"])
    answer = client.post(
        f"/integrations/organizations/{cast.organization.slug}/lti/",
        {
            "name": "Moodle",
            "issuer": "https://moodle.example.edu",
            "client_id": "abc",
            "deployment_ids": "1",
            "auth_login_url": "https://moodle.example.edu/auth",
            "auth_token_url": "https://moodle.example.edu/token",
        },
    )
    assert answer.status_code == 200
    assert not cast.organization.lti_platforms.exists()


def _without_state_cookie(client):
    for name in [n for n in client.cookies if n.startswith("lti1p3-")]:
        del client.cookies[name]


def test_a_frame_without_cookies_keeps_the_state_in_platform_storage(
    cast, client, platform
):
    url = platform.initiate_login("lms-user-1") + "&lti_storage_target=_parent"
    login = client.get(path_of(url))
    assert login.status_code == 200
    put = login.context
    assert put["put"] is True
    assert put["origin"] == platform.url
    # The platform frames the storage page.
    assert _frame_ancestors(login["Content-Security-Policy"]) == [
        "'self'",
        platform.url,
    ]
    form = requests.get(put["next_url"], timeout=10).json()
    assert form["state"] == put["state"]
    _without_state_cookie(client)
    fields = {"id_token": form["id_token"], "state": form["state"]}
    launch_path = path_of(form["launch_url"])
    # Without the cookie and without the platform's storage: refused.
    assert _refused(client.post(launch_path, fields))

    # The platform offers its storage: the page reads the state from it...
    check = client.post(launch_path, {**fields, "lti_storage_target": "_parent"})
    assert check.status_code == 200
    assert check.context["put"] is False
    assert check.context["origin"] == platform.url
    assert b'data-lti-storage="get"' in check.content
    assert platform.url in check["Content-Security-Policy"]
    # ...and sends the launch on with the state confirmed, once.
    confirmed = {**fields, "lti_storage_target": "_parent", "lti_storage_checked": "1"}
    assert client.post(launch_path, confirmed).status_code == 302
    assert _refused(client.post(launch_path, confirmed))


def test_a_state_cairn_never_issued_is_refused_even_when_confirmed(
    cast, client, platform
):
    url, form = authorize(client, platform, "lms-user-1")
    _without_state_cookie(client)
    form.update(state="state-made-up", lti_storage_checked="1")
    assert _refused(client.post(url, form))
