"""The accounts app's tables, one module per topic."""

from accounts.models.lifecycle import (
    AccountPreferences,
    AccountSession,
    ErasureRequest,
    SignupPolicy,
)
from accounts.models.organizations import AuditEntry, Membership, Organization

__all__ = [
    "AccountPreferences",
    "AccountSession",
    "AuditEntry",
    "ErasureRequest",
    "Membership",
    "Organization",
    "SignupPolicy",
]
