"""What waits for designers and admins among module versions, for the home
page: each a count and the first few, in a fixed number of queries."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from accounts.models import Organization
from curriculum.models import ModuleVersion

SHOWN = 5
Status = ModuleVersion.Status


@dataclass(frozen=True)
class Waiting:
    """A count and the first few of them, newest or most urgent first."""

    count: int
    items: list


def waiting(queryset: QuerySet, *, shown: int = SHOWN) -> Waiting:
    """Two queries whatever the size: the count, then the first `shown`."""
    items = list(queryset[:shown])
    count = len(items) if len(items) < shown else queryset.count()
    return Waiting(count, items)


def _versions(organizations) -> QuerySet[ModuleVersion]:
    return ModuleVersion.objects.filter(
        module__organization__in=organizations
    ).select_related("module__organization")


def module_drafts_of(
    user: AbstractBaseUser, organizations: QuerySet[Organization]
) -> Waiting:
    """Drafts the designer started, newest first."""
    return waiting(
        _versions(organizations)
        .filter(status=Status.DRAFT, created_by=user)
        .order_by("-created_at", "-pk")
    )


def modules_to_publish(organizations: QuerySet[Organization]) -> Waiting:
    """Approved versions waiting for an admin to publish them, oldest first."""
    return waiting(
        _versions(organizations)
        .filter(status=Status.APPROVED)
        .order_by("created_at", "pk")
    )
