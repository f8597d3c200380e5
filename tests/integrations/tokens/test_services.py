from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEntry, Membership
from integrations.models import ApiToken
from integrations.tokens import selectors, services
from tests.integrations.conftest import in_days, personal_token, service_token


def test_only_a_hash_of_the_secret_is_kept_with_a_visible_prefix(cast):
    token, raw = services.create_personal_token(
        cast["designer"], name="CI", scopes=["read"], expires_at=in_days(30)
    )
    assert raw.startswith("cairn_pat_")
    assert len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in {stored.secret_hash, stored.prefix, stored.name}
    assert stored.secret_hash == services.hash_secret(raw)
    assert raw.startswith(stored.prefix)
    assert len(stored.prefix) == len("cairn_pat_") + services.VISIBLE_SECRET_CHARS
    assert selectors.usable_token(raw) == token
    assert selectors.usable_token(raw + "x") is None


@pytest.mark.parametrize(
    ("name", "scopes", "days", "field"),
    [
        ("", ["read"], 30, "name"),
        ("CI", [], 30, "scopes"),
        ("CI", ["read", "root"], 30, "scopes"),
        ("CI", ["read"], -1, "expires_at"),
        ("CI", ["read"], 400, "expires_at"),
    ],
)
def test_bad_requests_make_no_token(cast, name, scopes, days, field):
    with pytest.raises(ValidationError) as error:
        services.create_personal_token(
            cast["designer"], name=name, scopes=scopes, expires_at=in_days(days)
        )
    assert field in error.value.message_dict
    assert not ApiToken.objects.exists()


def test_expired_and_revoked_tokens_do_not_work(cast):
    raw = personal_token(cast["designer"], "read")
    token = selectors.usable_token(raw)
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert selectors.usable_token(raw) is None

    raw = personal_token(cast["designer"], "read", name="second")
    token = selectors.usable_token(raw)
    services.revoke_token(token, by=cast["designer"])
    assert selectors.usable_token(raw) is None
    token.refresh_from_db()
    assert token.revoked_by == cast["designer"]


def test_a_personal_token_is_in_the_audit_trail_of_every_organization_it_reaches(
    cast,
):
    from curriculum import services as curriculum

    person = cast["faculty"]
    curriculum.add_member(cast.other_organization, person, role="faculty")
    raw = personal_token(person, "read", "grade", name="marks export")
    token = selectors.usable_token(raw)
    created = AuditEntry.objects.filter(action="token.created", object_id=token.pk)
    assert {e.organization for e in created} == {
        cast.organization,
        cast.other_organization,
    }
    assert created.first().data["name"] == "marks export"
    services.revoke_token(token, by=person)
    assert (
        AuditEntry.objects.filter(action="token.revoked", object_id=token.pk).count()
        == 2
    )


def test_a_service_account_is_a_member_of_its_organization_only(cast, service_account):
    user = service_account.user
    assert not user.has_usable_password()
    assert set(
        Membership.objects.filter(user=user).values_list("organization", "role")
    ) == {
        (cast.organization.pk, "admin"),
        (cast.organization.pk, "faculty"),
        (cast.organization.pk, "designer"),
    }
    assert AuditEntry.objects.filter(
        action="service_account.created", organization=cast.organization
    ).exists()


@pytest.mark.parametrize("roles", [[], ["learner"], ["admin", "owner"]])
def test_a_service_account_holds_staff_roles_only(cast, roles):
    with pytest.raises(ValidationError):
        services.create_service_account(
            cast.organization, by=cast["admin"], name="Bot", roles=roles
        )


def test_a_service_account_name_is_unique_in_its_organization(cast, service_account):
    with pytest.raises(ValidationError) as error:
        services.create_service_account(
            cast.organization, by=cast["admin"], name="Records system", roles=["admin"]
        )
    assert "name" in error.value.message_dict


def test_deactivating_a_service_account_stops_all_its_tokens(cast, service_account):
    first = service_token(service_account, cast["admin"], "read")
    second = service_token(service_account, cast["admin"], "grade", name="other")
    services.deactivate_service_account(service_account, by=cast["admin"])
    assert selectors.usable_token(first) is None
    assert selectors.usable_token(second) is None
    service_account.user.refresh_from_db()
    assert not service_account.user.is_active
    assert (
        ApiToken.objects.filter(
            service_account=service_account, revoked_at__isnull=True
        ).count()
        == 0
    )
    with pytest.raises(ValidationError):
        service_token(service_account, cast["admin"], "read", name="third")


def test_last_use_is_written_at_most_once_a_minute(cast):
    raw = personal_token(cast["designer"], "read")
    token = selectors.usable_token(raw)
    services.record_use(token)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    services.record_use(selectors.usable_token(raw))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=first - timedelta(minutes=2)
    )
    services.record_use(selectors.usable_token(raw))
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first
