"""Equivalences: another issuer's credential approved as counting toward
the organization's pathways."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Organization
from curriculum.models import Module
from pathways.models import Equivalence, PathwayVersion
from pathways.services.cohorts import start_reevaluation


@transaction.atomic
def approve_equivalence(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    issuer: str,
    achievement: str,
    module: Module | None = None,
    note: str = "",
) -> Equivalence:
    """Record an approved crosswalk and re-evaluate the pathways it touches."""
    issuer, achievement = issuer.strip(), achievement.strip()
    if not issuer or not achievement:
        raise ValidationError("Name the issuer and the achievement.")
    if module is not None and module.organization_id != organization.pk:
        raise ValidationError({"module": "Choose one of your organization's modules."})
    if issuer == organization.slug:
        raise ValidationError(
            {"issuer": "An equivalence maps another issuer's credential to yours."}
        )
    if (
        Equivalence.objects.approved()
        .filter(
            organization=organization,
            issuer=issuer,
            achievement=achievement,
            module=module,
        )
        .exists()
    ):
        raise ValidationError("This equivalence is already approved.")
    equivalence = Equivalence.objects.create(
        organization=organization,
        issuer=issuer,
        achievement=achievement,
        module=module,
        note=note,
        approved_by=by,
        approved_at=timezone.now(),
    )
    log_action(
        by,
        "equivalence.approved",
        equivalence,
        organization=organization,
        issuer=issuer,
        achievement=achievement,
        module=module.code if module else "",
    )
    _reevaluate_organization(organization, by=by, reason=f"Equivalence {equivalence}")
    return equivalence


@transaction.atomic
def withdraw_equivalence(
    equivalence: Equivalence, *, by: AbstractBaseUser
) -> Equivalence:
    if equivalence.withdrawn_at:
        raise ValidationError("This equivalence is already withdrawn.")
    equivalence.withdrawn_at = timezone.now()
    equivalence.save(update_fields=["withdrawn_at"])
    log_action(
        by, "equivalence.withdrawn", equivalence, organization=equivalence.organization
    )
    return equivalence


def _reevaluate_organization(
    organization: Organization, *, by: AbstractBaseUser, reason: str
) -> None:
    for version in PathwayVersion.objects.published().filter(
        pathway__organization=organization
    ):
        if version.enrolments.exists():
            start_reevaluation(version, by=by, reason=reason)
