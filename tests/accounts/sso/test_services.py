import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError

from accounts.models import AuditEntry, IdentityProvider, Membership
from accounts.sso import mapping, selectors, services
from tests import factories
from tests.accounts.sso.factories import make_oidc_provider

pytestmark = pytest.mark.django_db


def test_the_client_secret_is_stored_sealed_and_opens(cast):
    provider = make_oidc_provider(cast.organization, by=cast["admin"])
    provider.refresh_from_db()
    assert b"s3cret" not in bytes(provider.client_secret_sealed)
    assert provider.open_client_secret() == "s3cret"
    entry = AuditEntry.objects.get(action="sso.provider_added")
    assert "s3cret" not in str(entry.data)


def test_changing_keeps_the_secret_unless_a_new_one_is_given(cast):
    provider = make_oidc_provider(cast.organization, by=cast["admin"])
    services.update_identity_provider(provider, by=cast["admin"], name="Renamed")
    provider.refresh_from_db()
    assert (provider.name, provider.open_client_secret()) == ("Renamed", "s3cret")
    services.update_identity_provider(provider, by=cast["admin"], client_secret="new")
    provider.refresh_from_db()
    assert provider.open_client_secret() == "new"
    changes = AuditEntry.objects.filter(action="sso.provider_changed")
    assert [entry.data["changed"] for entry in changes.order_by("pk")] == [
        ["name"],
        ["client_secret"],
    ]


def test_a_domain_is_served_by_one_provider_only(cast):
    make_oidc_provider(cast.organization, email_domains=["north.edu"])
    with pytest.raises(ValidationError) as refused:
        make_oidc_provider(
            cast.other_organization, slug="other", email_domains=["north.edu"]
        )
    assert "another organization" in str(refused.value)
    assert IdentityProvider.objects.count() == 1


def test_an_incomplete_provider_is_refused_with_reasons(cast):
    with pytest.raises(ValidationError) as refused:
        services.create_identity_provider(
            cast.organization,
            by=cast["admin"],
            name="Shibboleth",
            slug="shib",
            protocol="saml",
        )
    assert set(refused.value.message_dict) == {"entity_id", "metadata_url"}
    assert not IdentityProvider.objects.exists()


def test_the_login_page_finds_the_provider_by_the_email_domain(cast):
    provider = make_oidc_provider(cast.organization, email_domains=["north.edu"])
    assert selectors.provider_for_email("Ada@NORTH.edu") == provider
    assert selectors.provider_for_email("ada@south.edu") is None
    services.update_identity_provider(provider, by=None, is_active=False)
    assert selectors.provider_for_email("ada@north.edu") is None


def test_a_sign_in_grants_and_withdraws_only_the_roles_the_rules_name(cast):
    provider = make_oidc_provider(
        cast.organization, default_role="learner", by=cast["admin"]
    )
    user = factories.UserFactory()
    Membership.objects.create(
        user=user, organization=cast.organization, role="reviewer"
    )
    first = services.sync_person(
        user,
        provider,
        {"groups": ["faculty-staff"], "given_name": "Ada", "family_name": "L"},
        first_sign_in=True,
    )
    assert first.granted == {"faculty"}
    assert set(user.memberships.values_list("role", flat=True)) == {
        "faculty",
        "reviewer",
    }
    later = services.sync_person(
        user, provider, {"groups": ["curriculum"]}, first_sign_in=False
    )
    assert (later.granted, later.withdrawn) == ({"designer"}, {"faculty"})
    assert set(user.memberships.values_list("role", flat=True)) == {
        "designer",
        "reviewer",  # given in Cairn, named by no rule: stays
    }
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Ada", "L")
    actions = list(
        AuditEntry.objects.filter(action__startswith="sso.")
        .exclude(action="sso.provider_added")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "sso.account_provisioned",
        "sso.role_granted",
        "sso.signed_in",
        "sso.role_granted",
        "sso.role_withdrawn",
    ]


def test_an_account_is_linked_only_when_both_sides_verified_the_email():
    user = factories.UserFactory(email="ada@north.edu")
    verified = mapping.Person("ada@north.edu", True, "", "")
    unverified = mapping.Person("ada@north.edu", False, "", "")
    EmailAddress.objects.create(user=user, email="ada@north.edu", verified=False)
    assert services.account_with_email("ADA@north.edu") == user
    assert not services.may_link(user, verified)
    EmailAddress.objects.filter(user=user).update(verified=True)
    assert services.may_link(user, verified)
    assert not services.may_link(user, unverified)


def test_an_organization_may_keep_its_members_off_passwords(cast):
    provider = make_oidc_provider(cast.organization, allows_local_passwords=False)
    assert provider.name in services.password_login_refusal(cast["faculty"])
    assert services.password_login_refusal(cast["outside_faculty"]) == ""
    site_admin = factories.UserFactory(is_superuser=True)
    Membership.objects.create(
        user=site_admin, organization=cast.organization, role="admin"
    )
    assert services.password_login_refusal(site_admin) == ""


def test_removing_a_provider_keeps_the_people(cast):
    provider = make_oidc_provider(cast.organization)
    services.remove_identity_provider(provider, by=cast["admin"])
    assert not IdentityProvider.objects.exists()
    assert Membership.objects.filter(organization=cast.organization).count() == 6
    assert AuditEntry.objects.filter(action="sso.provider_removed").exists()
