"""The audit trail: one call, inside the caller's transaction."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from accounts.models import AuditEntry, Organization


def audit_entry(
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model,
    *,
    organization: Organization,
    **data: object,
) -> AuditEntry:
    """An entry not yet saved, for `log_actions` to write many in one go."""
    return AuditEntry(
        organization=organization,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        data=data,
    )


def log_actions(entries: list[AuditEntry]) -> None:
    """Bulk work's entries (a roster import's people), written in batches."""
    AuditEntry.objects.bulk_create(entries, batch_size=1000)


def log_action(
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model,
    *,
    organization: Organization,
    **data: object,
) -> AuditEntry:
    entry = audit_entry(actor, action, obj, organization=organization, **data)
    entry.save(force_insert=True)
    return entry
