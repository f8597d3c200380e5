"""Making, using and revoking API tokens and service accounts."""

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Membership, Organization
from accounts.permissions import organizations_where
from curriculum import services as curriculum
from integrations.models import ApiToken, Scope, ServiceAccount

# "cairn_pat_" for a person's token, "cairn_sat_" for a service account's; the
# prefix and the first characters of the secret identify a token on its page.
PERSONAL, SERVICE = "cairn_pat_", "cairn_sat_"
VISIBLE_SECRET_CHARS = 8
# Roles a service account may hold (a machine is never a learner).
SERVICE_ROLES = (
    Membership.Role.DESIGNER,
    Membership.Role.REVIEWER,
    Membership.Role.FACULTY,
    Membership.Role.ADMIN,
)
# The last use is written at most once a minute, not on every call.
LAST_USE_RESOLUTION = timedelta(minutes=1)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _check(name: str, scopes: Iterable[str], expires_at: datetime) -> list[str]:
    scopes = sorted(set(scopes))
    errors = {}
    if not name.strip():
        errors["name"] = "Give the token a name, so you can tell it apart later."
    if not scopes:
        errors["scopes"] = "Choose at least one scope."
    elif unknown := set(scopes) - set(Scope.values):
        errors["scopes"] = f"Unknown scopes: {', '.join(sorted(unknown))}."
    now = timezone.now()
    if expires_at <= now:
        errors["expires_at"] = "The expiry date must be in the future."
    elif expires_at > now + timedelta(days=settings.CAIRN_TOKEN_MAX_DAYS):
        errors["expires_at"] = (
            f"A token lives at most {settings.CAIRN_TOKEN_MAX_DAYS} days."
        )
    if errors:
        raise ValidationError(errors)
    return scopes


def _new_token(
    *,
    user: AbstractBaseUser,
    by: AbstractBaseUser,
    name: str,
    scopes: list[str],
    expires_at: datetime,
    service_account: ServiceAccount | None = None,
) -> tuple[ApiToken, str]:
    kind = SERVICE if service_account else PERSONAL
    raw = kind + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        service_account=service_account,
        name=name.strip(),
        prefix=raw[: len(kind) + VISIBLE_SECRET_CHARS],
        secret_hash=hash_secret(raw),
        scopes=scopes,
        expires_at=expires_at,
        created_by=by,
    )
    return token, raw


@transaction.atomic
def create_personal_token(
    user: AbstractBaseUser, *, name: str, scopes: Iterable[str], expires_at: datetime
) -> tuple[ApiToken, str]:
    """A token acting as `user`; returns it and its secret, shown only now.
    Every organization where the user holds a role sees it in its audit trail,
    as the token can act there."""
    scopes = _check(name, scopes, expires_at)
    token, raw = _new_token(
        user=user, by=user, name=name, scopes=scopes, expires_at=expires_at
    )
    for organization in organizations_where(user, *Membership.Role.values):
        log_action(
            user,
            "token.created",
            token,
            organization=organization,
            name=token.name,
            scopes=scopes,
            expires=expires_at.date().isoformat(),
        )
    return token, raw


@transaction.atomic
def create_service_account(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    name: str,
    roles: Iterable[str],
) -> ServiceAccount:
    """A named machine member of `organization`, holding `roles` there only."""
    name, roles = name.strip(), sorted(set(roles))
    if not name:
        raise ValidationError({"name": "Give the service account a name."})
    if not roles or set(roles) - set(SERVICE_ROLES):
        raise ValidationError(
            {"roles": "Choose its roles among designer, reviewer, faculty and admin."}
        )
    if ServiceAccount.objects.filter(organization=organization, name=name).exists():
        raise ValidationError(
            {"name": "This organization already has a service account of that name."}
        )
    user = get_user_model()(
        username=f"svc-{organization.slug[:100]}-{uuid.uuid4().hex[:12]}",
        first_name=name[:150],
        last_name="(service account)",
    )
    user.set_unusable_password()
    user.save()
    account = ServiceAccount.objects.create(
        organization=organization, name=name, user=user, created_by=by
    )
    for role in roles:
        curriculum.add_member(organization, user, role=role, by=by)
    log_action(
        by,
        "service_account.created",
        account,
        organization=organization,
        name=name,
        roles=roles,
    )
    return account


@transaction.atomic
def create_service_token(
    account: ServiceAccount,
    *,
    by: AbstractBaseUser,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime,
) -> tuple[ApiToken, str]:
    """A token of a service account; returns it and its secret, shown only now."""
    account = ServiceAccount.objects.select_for_update().get(pk=account.pk)
    if not account.is_active:
        raise ValidationError("This service account is deactivated.")
    scopes = _check(name, scopes, expires_at)
    token, raw = _new_token(
        user=account.user,
        by=by,
        name=name,
        scopes=scopes,
        expires_at=expires_at,
        service_account=account,
    )
    log_action(
        by,
        "token.created",
        token,
        organization=account.organization,
        name=token.name,
        service_account=account.name,
        scopes=scopes,
        expires=expires_at.date().isoformat(),
    )
    return token, raw


def _token_organizations(token: ApiToken):
    if token.service_account_id:
        return [token.service_account.organization]
    return list(organizations_where(token.user, *Membership.Role.values))


@transaction.atomic
def revoke_token(token: ApiToken, *, by: AbstractBaseUser) -> ApiToken:
    """Stop a token from working, now and for good."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at, token.revoked_by = timezone.now(), by
    token.save(update_fields=["revoked_at", "revoked_by"])
    for organization in _token_organizations(token):
        log_action(
            by, "token.revoked", token, organization=organization, name=token.name
        )
    return token


@transaction.atomic
def deactivate_service_account(
    account: ServiceAccount, *, by: AbstractBaseUser
) -> ServiceAccount:
    """Stop a service account and every token and OAuth grant it holds."""
    account = ServiceAccount.objects.select_for_update().get(pk=account.pk)
    if account.deactivated_at is not None:
        return account
    now = timezone.now()
    account.deactivated_at = now
    account.save(update_fields=["deactivated_at"])
    account.tokens.filter(revoked_at__isnull=True).update(revoked_at=now, revoked_by=by)
    # Its user can no longer authenticate by any door (OAuth tokens included).
    account.user.is_active = False
    account.user.save(update_fields=["is_active"])
    log_action(
        by,
        "service_account.deactivated",
        account,
        organization=account.organization,
        name=account.name,
    )
    return account


def record_use(token: ApiToken) -> None:
    """Note that the token was just used, at most once a minute per token."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < LAST_USE_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
