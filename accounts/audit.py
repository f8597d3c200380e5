"""The audit trail: one call, inside the caller's transaction.

A request that came through an API token names it: the door that authenticated
the request sets `acting_via` for the request, and every entry written while it
holds carries `via` in its details. The door lives in a higher app; this module
only keeps the name, so it imports none of them."""

from contextvars import ContextVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from accounts.models import AuditEntry, Organization

acting_via: ContextVar[str] = ContextVar("cairn_audit_via", default="")


def audit_entry(
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model,
    *,
    organization: Organization,
    **data: object,
) -> AuditEntry:
    """An entry not yet saved, for `log_actions` to write many in one go."""
    if via := acting_via.get():
        data.setdefault("via", via)
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


class ActingViaMiddleware:
    """Start every request with no token named, so that a name set for one
    request never leaks into the next one the same thread serves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reset = acting_via.set("")
        try:
            return self.get_response(request)
        finally:
            acting_via.reset(reset)
