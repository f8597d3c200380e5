"""The audit trail: one call, inside the caller's transaction."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from accounts.models import AuditEntry, Organization


def log_action(
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model,
    *,
    organization: Organization,
    **data: object,
) -> AuditEntry:
    return AuditEntry.objects.create(
        organization=organization,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        data=data,
    )
