from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEntry, Deactivation, Invitation, Membership
from accounts.people import services
from accounts.permissions import has_role, roles_in
from accounts.selectors import AUDIT_ACTIONS
from accounts.tokens import token_hash
from pathways.selectors import organization_timezone

Role = Membership.Role


def _fresh(user):
    user.__dict__.pop("_cairn_roles", None)
    return user


def test_a_site_admin_creates_an_organization_with_zone_and_logo(people, logo_png):
    organization = services.create_organization(
        by=people["site_admin"],
        name="Harbour Institute",
        slug="harbour",
        url="https://harbour.example.edu",
        time_zone="Europe/Dublin",
        logo=logo_png,
    )
    assert organization.time_zone == "Europe/Dublin"
    assert organization.logo_type == "image/png"
    assert AuditEntry.objects.filter(
        organization=organization, action="organization.created"
    ).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus", "not a time zone"),
        ("slug", "has spaces", "letters, numbers"),
        ("logo", b"GIF89a not really", "not a PNG or JPEG"),
    ],
)
def test_a_bad_organization_is_refused_and_nothing_made(people, field, value, message):
    fields = {"name": "Harbour", "slug": "harbour", "time_zone": "UTC", field: value}
    with pytest.raises(ValidationError) as caught:
        services.create_organization(by=people["site_admin"], **fields)
    assert message in str(caught.value.message_dict[field])
    assert not people.organization.__class__.objects.filter(name="Harbour").exists()


def test_a_taken_slug_is_refused(people):
    with pytest.raises(ValidationError, match="taken"):
        services.create_organization(
            by=people["site_admin"], name="Again", slug=people.organization.slug
        )


def test_only_site_admins_create_organizations(people):
    with pytest.raises(PermissionDenied):
        services.create_organization(by=people["admin"], name="Mine", slug="mine")


def test_an_invitation_stores_only_a_hash_and_mails_the_link(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invite_member(
            people.organization,
            by=people["admin"],
            email="New.Person@Example.EDU",
            role=Role.FACULTY,
        )
    assert invitation.email == "New.Person@example.edu"
    assert invitation.token_hash == token_hash(token)
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values()[0])
    assert len(mail.outbox) == 1
    assert token in mail.outbox[0].body
    assert mail.outbox[0].to == ["New.Person@example.edu"]


def test_a_second_invitation_to_the_same_address_withdraws_the_first(people):
    first, first_token = services.invite_member(
        people.organization, by=people["admin"], email="a@example.edu", role="learner"
    )
    services.invite_member(
        people.organization, by=people["admin"], email="A@example.edu", role="faculty"
    )
    first.refresh_from_db()
    assert first.withdrawn_at is not None
    with pytest.raises(ValidationError, match="withdrawn"):
        services.accept_invitation(first_token, user=people["stranger"])


def test_accepting_joins_once_and_the_link_is_spent(people):
    _, token = services.invite_member(
        people.organization, by=people["admin"], email="s@example.edu", role="faculty"
    )
    stranger = people["stranger"]
    services.accept_invitation(token, user=stranger)
    assert has_role(_fresh(stranger), people.organization, Role.FACULTY)
    with pytest.raises(ValidationError, match="used already"):
        services.accept_invitation(token, user=people["other_learner"])
    assert not has_role(people["other_learner"], people.organization, Role.FACULTY)
    assert AuditEntry.objects.filter(action="member.joined", actor=stranger).exists()


def test_an_expired_invitation_is_refused(people):
    invitation, token = services.invite_member(
        people.organization, by=people["admin"], email="x@example.edu", role="learner"
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ValidationError, match="expired"):
        services.accept_invitation(token, user=people["stranger"])
    assert roles_in(people["stranger"], people.organization) == set()


def test_an_unknown_token_is_refused(people):
    with pytest.raises(ValidationError, match="not valid"):
        services.accept_invitation("not-a-token", user=people["stranger"])


def test_register_and_accept_makes_an_account_for_the_invited_address(people):
    _, token = services.invite_member(
        people.organization, by=people["admin"], email="n@example.edu", role="learner"
    )
    user = services.register_and_accept(
        token,
        username="newbie",
        first_name="New",
        last_name="Bie",
        password="x9!long-pw",
    )
    assert user.email == "n@example.edu"
    assert user.check_password("x9!long-pw")
    assert has_role(user, people.organization, Role.LEARNER)


def test_register_refuses_an_address_that_has_an_account(people):
    email = people["stranger"].email
    _, token = services.invite_member(
        people.organization, by=people["admin"], email=email, role="learner"
    )
    with pytest.raises(ValidationError, match="sign in to accept"):
        services.register_and_accept(
            token, username="dup", first_name="D", last_name="", password="x9!long-pw"
        )


def test_grant_and_withdraw_roles_are_audited(people):
    org, admin, faculty = people.organization, people["admin"], people["faculty"]
    services.grant_role(org, by=admin, user=faculty, role=Role.DESIGNER)
    assert roles_in(_fresh(faculty), org) == {"faculty", "designer"}
    services.withdraw_role(org, by=admin, user=faculty, role=Role.DESIGNER)
    assert roles_in(_fresh(faculty), org) == {"faculty"}
    actions = list(
        AuditEntry.objects.filter(organization=org, action__startswith="member.role")
        .order_by("pk")
        .values_list("action", "data__role")
    )
    assert actions == [
        ("member.role_granted", "designer"),
        ("member.role_withdrawn", "designer"),
    ]


def test_a_member_keeps_at_least_one_role(people):
    with pytest.raises(ValidationError, match="only role"):
        services.withdraw_role(
            people.organization,
            by=people["admin"],
            user=people["faculty"],
            role=Role.FACULTY,
        )


def test_roles_are_granted_only_to_members(people):
    with pytest.raises(ValidationError, match="invite them"):
        services.grant_role(
            people.organization,
            by=people["admin"],
            user=people["stranger"],
            role=Role.LEARNER,
        )


def test_the_last_admin_cannot_be_removed(people):
    org, admin = people.organization, people["admin"]
    services.grant_role(org, by=admin, user=admin, role=Role.FACULTY)
    with pytest.raises(ValidationError, match="last admin"):
        services.withdraw_role(org, by=admin, user=admin, role=Role.ADMIN)
    with pytest.raises(ValidationError, match="last admin"):
        services.deactivate_member(org, by=admin, user=admin)
    assert has_role(_fresh(admin), org, Role.ADMIN)


def test_delegating_admin_lets_the_first_admin_step_down(people):
    org, admin, faculty = people.organization, people["admin"], people["faculty"]
    services.grant_role(org, by=admin, user=faculty, role=Role.ADMIN)
    services.deactivate_member(org, by=_fresh(faculty), user=admin)
    assert roles_in(_fresh(admin), org) == set()


def test_deactivating_keeps_the_account_and_reactivating_restores_roles(people):
    org, admin, learner = people.organization, people["admin"], people["learner"]
    services.deactivate_member(org, by=admin, user=learner)
    learner.refresh_from_db()
    assert learner.is_active
    assert roles_in(_fresh(learner), org) == set()
    assert Deactivation.objects.get(organization=org, user=learner).roles == ["learner"]
    services.reactivate_member(org, by=admin, user=learner)
    assert roles_in(_fresh(learner), org) == {"learner"}
    assert not Deactivation.objects.filter(user=learner).exists()


def test_admins_of_another_organization_manage_nothing_here(people):
    with pytest.raises(PermissionDenied):
        services.invite_member(
            people.organization,
            by=people["other_admin"],
            email="a@example.edu",
            role="learner",
        )
    with pytest.raises(PermissionDenied):
        services.deactivate_member(
            people.organization, by=people["other_admin"], user=people["learner"]
        )


def test_inviting_someone_who_holds_the_role_is_refused(people):
    with pytest.raises(ValidationError, match="already is"):
        services.invite_member(
            people.organization,
            by=people["admin"],
            email=people["learner"].email.upper(),
            role=Role.LEARNER,
        )


def test_the_audit_trail_names_the_new_actions(people):
    for action in (
        "member.invited",
        "member.joined",
        "member.role_granted",
        "member.role_withdrawn",
        "member.deactivated",
        "member.reactivated",
        "organization.created",
        "roster.imported",
    ):
        assert action in AUDIT_ACTIONS


def test_the_organizations_time_zone_dates_its_pathway_rules(people):
    made = services.create_organization(
        by=people["site_admin"], name="Far", slug="far", time_zone="Pacific/Auckland"
    )
    assert str(organization_timezone(made)) == "Pacific/Auckland"
    assert str(organization_timezone(people.organization)) == "UTC"  # the site's


def test_a_new_invitation_brings_a_deactivated_member_back(people):
    org, admin, learner = people.organization, people["admin"], people["learner"]
    services.deactivate_member(org, by=admin, user=learner)
    _, token = services.invite_member(
        org, by=admin, email=learner.email, role="faculty"
    )
    services.accept_invitation(token, user=learner)
    assert roles_in(_fresh(learner), org) == {"faculty"}
    assert not Deactivation.objects.filter(organization=org, user=learner).exists()
