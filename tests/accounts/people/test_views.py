"""Every organization-admin page and action, by who asks (STYLE.md §12)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import (
    Deactivation,
    Invitation,
    MemberNumber,
    Membership,
    Organization,
)
from accounts.people import services
from tests import factories
from tests.accounts.people import MANAGERS, ROLES, roles_now

Role = Membership.Role


def _slug(cast):
    return cast.organization.slug


def _member_url(cast, name, person="faculty"):
    return reverse(name, args=[_slug(cast), cast[person].pk])


def _invitation(cast):
    invitation, _ = services.invite_member(
        cast.organization, by=cast["admin"], email="wait@example.edu", role="learner"
    )
    return invitation


# Each action: (method, url(cast), data(cast), effect(cast) -> bool)
ACTIONS = {
    "member list": ("get", lambda c: reverse("accounts:people", args=[_slug(c)])),
    "invite": (
        "post",
        lambda c: reverse("accounts:invite", args=[_slug(c)]),
        lambda c: {"email": "newcomer@example.edu", "role": "faculty"},
        lambda c: Invitation.objects.filter(email="newcomer@example.edu").exists(),
    ),
    "withdraw invitation": (
        "post",
        lambda c: reverse(
            "accounts:invitation-withdraw", args=[_slug(c), _invitation(c).pk]
        ),
        lambda c: {},
        lambda c: Invitation.objects.filter(withdrawn_at__isnull=False).exists(),
    ),
    "member page": ("get", lambda c: _member_url(c, "accounts:member-detail")),
    "grant role": (
        "post",
        lambda c: _member_url(c, "accounts:role-grant"),
        lambda c: {"role": "designer"},
        lambda c: "designer" in roles_now(c, "faculty"),
    ),
    "withdraw role": (
        "post",
        lambda c: reverse(
            "accounts:role-withdraw", args=[_slug(c), _two_roles(c).pk, "designer"]
        ),
        lambda c: {},
        lambda c: "designer" not in roles_now(c, "faculty"),
    ),
    "deactivate (confirm)": (
        "get",
        lambda c: _member_url(c, "accounts:member-deactivate", "learner"),
    ),
    "deactivate": (
        "post",
        lambda c: _member_url(c, "accounts:member-deactivate", "learner"),
        lambda c: {},
        lambda c: Deactivation.objects.filter(user=c["learner"]).exists(),
    ),
    "reactivate": (
        "post",
        lambda c: _member_url(c, "accounts:member-reactivate", _deactivated(c)),
        lambda c: {},
        lambda c: "learner" in roles_now(c, "other_learner"),
    ),
    "roster page": ("get", lambda c: reverse("pathways:roster", args=[_slug(c)])),
}


def _two_roles(cast):
    Membership.objects.create(
        organization=cast.organization, user=cast["faculty"], role="designer"
    )
    return cast["faculty"]


def _deactivated(cast):
    services.deactivate_member(
        cast.organization, by=cast["admin"], user=cast["other_learner"]
    )
    return "other_learner"


def _log_in(client, cast, role):
    if role != "anonymous":
        client.force_login(cast[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_the_organizations_admins_and_site_admins_manage_people(
    client, people, role, action
):
    method, url, *rest = ACTIONS[action]
    target = url(people)
    data = rest[0](people) if rest else None
    _log_in(client, people, role)
    response = (
        getattr(client, method)(target, data)
        if data is not None
        else (getattr(client, method)(target))
    )
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif role in MANAGERS:
        assert response.status_code in (200, 302), response.content[:500]
        if rest:
            assert rest[1](people), f"{action} by {role} changed nothing"
    else:
        assert response.status_code == 403
        if rest:
            assert not rest[1](people), f"{action} by {role} went through"


@pytest.mark.parametrize("role", ROLES)
def test_only_site_admins_create_organizations(client, people, role):
    _log_in(client, people, role)
    response = client.post(
        reverse("accounts:organization-list"),
        {"name": "Harbour", "slug": "harbour", "time_zone": "Pacific/Auckland"},
    )
    made = Organization.objects.filter(slug="harbour").exists()
    if role == "site_admin":
        assert response.status_code == 302
        assert made
        assert Organization.objects.get(slug="harbour").time_zone == "Pacific/Auckland"
    elif role == "anonymous":
        assert response.status_code == 302
        assert not made
    else:
        assert response.status_code == 403
        assert not made


def test_a_bad_time_zone_is_shown_beside_its_field(client, people):
    client.force_login(people["site_admin"])
    response = client.post(
        reverse("accounts:organization-list"),
        {"name": "Harbour", "slug": "harbour", "time_zone": "Europe/Atlantis"},
    )
    assert response.status_code == 400
    assert "is not a time zone" in response.content.decode()
    assert not Organization.objects.filter(slug="harbour").exists()


def test_the_member_list_searches_and_showsroles_now(client, people):
    client.force_login(people["admin"])
    learner = people["learner"]
    # Not Faker's random surname, which may be part of another member's name.
    learner.last_name = "Quennell-Abaroa"
    learner.save(update_fields=["last_name"])
    response = client.get(
        reverse("accounts:people", args=[_slug(people)]), {"q": learner.last_name}
    )
    page = response.content.decode()
    assert learner.username in page
    assert people["designer"].username not in page
    assert "Learner" in page


def test_the_member_list_answers_htmx_with_the_list_alone(client, people):
    client.force_login(people["admin"])
    response = client.get(
        reverse("accounts:people", args=[_slug(people)]), HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="members"')
    assert "Invite someone" not in page


def test_the_member_list_costs_the_same_queries_for_3_or_60_members(client, db):
    organization = Organization.objects.create(name="Flat", slug="flat")
    admin = factories.UserFactory()
    Membership.objects.create(organization=organization, user=admin, role="admin")

    def add(n):
        for _ in range(n):
            user = factories.UserFactory()
            for role in ("learner", "faculty"):
                Membership.objects.create(
                    organization=organization, user=user, role=role
                )
            MemberNumber.objects.create(
                organization=organization, user=user, number=user.username
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("accounts:people", args=["flat"]))
        assert response.status_code == 200
        return len(captured)

    client.force_login(admin)
    add(2)
    few = queries()
    add(57)
    assert queries() == few <= 12


def test_the_last_admin_is_told_why_they_stay(client, people):
    client.force_login(people["admin"])
    response = client.post(
        _member_url(people, "accounts:member-deactivate", "admin"), follow=True
    )
    assert "last admin" in response.content.decode()
    assert "admin" in roles_now(people, "admin")


def test_an_invitee_without_an_account_signs_up_and_joins(client, people):
    _, token = services.invite_member(
        people.organization,
        by=people["admin"],
        email="fresh@example.edu",
        role="learner",
    )
    url = reverse("accounts:invitation", args=[token])
    assert "Create your account" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "username": "fresh",
            "first_name": "Fresh",
            "last_name": "Face",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    assert response.status_code == 302
    user = Membership.objects.get(
        organization=people.organization, user__username="fresh"
    )
    assert user.role == "learner"
    again = client.get(url)
    assert again.status_code == 410
    assert "used already" in again.content.decode()


def test_a_signed_in_invitee_accepts_with_one_click(client, people):
    _, token = services.invite_member(
        people.organization, by=people["admin"], email="s@example.edu", role="reviewer"
    )
    client.force_login(people["stranger"])
    url = reverse("accounts:invitation", args=[token])
    assert "Accept and join" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert "reviewer" in roles_now(people, "stranger")


def test_an_invitee_with_an_account_is_sent_to_sign_in(client, people):
    _, token = services.invite_member(
        people.organization,
        by=people["admin"],
        email=people["stranger"].email,
        role="learner",
    )
    page = client.get(reverse("accounts:invitation", args=[token])).content.decode()
    assert "Sign in to accept" in page
    assert "Create your account" not in page


def test_a_weak_password_is_refused_with_the_reason(client, people, settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}
    ]
    _, token = services.invite_member(
        people.organization, by=people["admin"], email="w@example.edu", role="learner"
    )
    response = client.post(
        reverse("accounts:invitation", args=[token]),
        {
            "username": "weak",
            "first_name": "W",
            "password1": "short",
            "password2": "short",
        },
    )
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    assert not Membership.objects.filter(user__username="weak").exists()


def test_an_unknown_invitation_link_is_404(client, db):
    assert client.get(reverse("accounts:invitation", args=["nope"])).status_code == 404


def test_an_organizations_logo_is_served_with_its_checked_type(
    client, people, logo_png
):
    services.create_organization(
        by=people["site_admin"], name="Logo", slug="logo", logo=logo_png
    )
    response = client.get(reverse("accounts:organization-logo", args=["logo"]))
    assert response["Content-Type"] == "image/png"
    assert response.content == logo_png
    missing = reverse("accounts:organization-logo", args=[people.organization.slug])
    assert client.get(missing).status_code == 404
