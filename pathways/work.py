"""What waits for designers and admins among pathway versions, for the home
page (the counterpart of curriculum/work.py)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from accounts.models import Organization
from curriculum.work import Waiting, waiting
from pathways.models import PathwayVersion

Status = PathwayVersion.Status


def _versions(organizations) -> QuerySet[PathwayVersion]:
    return PathwayVersion.objects.filter(
        pathway__organization__in=organizations
    ).select_related("pathway__organization")


def pathway_drafts(organizations: QuerySet[Organization]) -> Waiting:
    """Every pathway draft of the organizations, newest first."""
    return waiting(
        _versions(organizations)
        .filter(status=Status.DRAFT)
        .order_by("-created_at", "-pk")
    )


def pathway_drafts_of(
    user: AbstractBaseUser, organizations: QuerySet[Organization]
) -> Waiting:
    return waiting(
        _versions(organizations)
        .filter(status=Status.DRAFT, created_by=user)
        .order_by("-created_at", "-pk")
    )


def pathways_to_publish(organizations: QuerySet[Organization]) -> Waiting:
    return waiting(
        _versions(organizations)
        .filter(status=Status.APPROVED)
        .order_by("created_at", "pk")
    )
