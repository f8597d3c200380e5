"""Reading API tokens and service accounts."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet

from accounts.models import Organization
from integrations.models import ApiToken, ServiceAccount
from integrations.tokens import services


def usable_token(raw: str) -> ApiToken | None:
    """The live token whose secret is `raw`, or None (unknown, expired, revoked,
    or its account deactivated)."""
    # Looked up by the SHA-256 of the secret: equal hashes leak nothing of it.
    return (
        ApiToken.objects.usable()
        .select_related("user", "service_account")
        .filter(secret_hash=services.hash_secret(raw))
        .first()
    )


def personal_tokens(user: AbstractBaseUser) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, service_account__isnull=True)


def service_accounts(organization: Organization) -> QuerySet[ServiceAccount]:
    """The organization's service accounts with their roles and tokens."""
    return (
        ServiceAccount.objects.filter(organization=organization)
        .select_related("user", "created_by")
        .prefetch_related(
            Prefetch(
                "tokens", queryset=ApiToken.objects.order_by("-created_at", "-pk")
            ),
            "user__memberships",
        )
        .order_by("deactivated_at", "name")
    )
