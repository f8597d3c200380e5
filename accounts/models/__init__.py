"""The accounts app's tables, one module per topic."""

from accounts.models.organizations import AuditEntry, Membership, Organization
from accounts.models.people import (
    Deactivation,
    Invitation,
    MemberNumber,
    RosterImport,
)

__all__ = [
    "AuditEntry",
    "Deactivation",
    "Invitation",
    "MemberNumber",
    "Membership",
    "Organization",
    "RosterImport",
]
