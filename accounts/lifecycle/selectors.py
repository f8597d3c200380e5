"""Reads for the account page and the admins' erasure queue."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from accounts.models import (
    AccountPreferences,
    AccountSession,
    ErasureRequest,
    Organization,
)


@dataclass(frozen=True)
class Identity:
    pk: int
    provider: str
    uid: str
    connected_at: object


@dataclass(frozen=True)
class AccountOverview:
    email_addresses: list[EmailAddress]
    identities: list[Identity]
    sessions: list[AccountSession]
    open_erasure: ErasureRequest | None
    last_erasure: ErasureRequest | None


def _provider_name(account: SocialAccount) -> str:
    """The provider's display name; its id when the provider was removed since."""
    try:
        return account.get_provider().name
    except SocialApp.DoesNotExist:
        return account.provider


def _identities(user: AbstractBaseUser) -> list[Identity]:
    accounts = list(SocialAccount.objects.filter(user=user).order_by("pk"))
    # One provider lookup per provider, not per connected account.
    names: dict[str, str] = {}
    for account in accounts:
        if account.provider not in names:
            names[account.provider] = _provider_name(account)
    return [
        Identity(
            pk=account.pk,
            provider=names[account.provider],
            uid=account.uid,
            connected_at=account.date_joined,
        )
        for account in accounts
    ]


def account_overview(user: AbstractBaseUser) -> AccountOverview:
    erasures = list(ErasureRequest.objects.filter(user=user).order_by("-pk")[:1])
    last = erasures[0] if erasures else None
    return AccountOverview(
        email_addresses=list(
            EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ),
        identities=_identities(user),
        sessions=list(AccountSession.objects.filter(user=user)),
        open_erasure=last
        if last is not None
        and last.status
        in (ErasureRequest.Status.PENDING, ErasureRequest.Status.CONFIRMED)
        else None,
        last_erasure=last,
    )


def erasure_requests(
    organization: Organization, *, status: str | None = ErasureRequest.Status.PENDING
) -> QuerySet[ErasureRequest]:
    """Requests of people who belong to the organization, oldest first; of
    one status (waiting, by default), or of every status when None."""
    found = ErasureRequest.objects.filter(user__memberships__organization=organization)
    if status is not None:
        found = found.filter(status=status)
    return found.select_related("user", "decided_by").distinct()


# What a person may turn e-mail off for (AccountPreferences.email_on_<topic>).
EMAIL_TOPICS = ("credentials", "reviews", "grades", "work")


def wants_email(user: AbstractBaseUser, topic: str) -> bool:
    """Whether the person takes e-mail on `topic` (one of EMAIL_TOPICS); yes
    until they say otherwise on their account page."""
    if topic not in EMAIL_TOPICS:
        raise ValueError(f"Unknown e-mail topic {topic!r}.")
    return not AccountPreferences.objects.filter(
        user=user, **{f"email_on_{topic}": False}
    ).exists()


def takes_digest(user: AbstractBaseUser) -> bool:
    """Whether the person chose one e-mail a day instead of one each time."""
    return AccountPreferences.objects.filter(user=user, email_digest=True).exists()
