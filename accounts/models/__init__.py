"""The accounts app's tables, one module per topic."""

from accounts.models.organizations import AuditEntry, Membership, Organization
from accounts.models.people import (
    Deactivation,
    Invitation,
    MemberNumber,
    RosterImport,
)
from accounts.models.sso import IdentityProvider, RoleRule

__all__ = [
    "AuditEntry",
    "Deactivation",
    "IdentityProvider",
    "Invitation",
    "MemberNumber",
    "Membership",
    "Organization",
    "RoleRule",
    "RosterImport",
]
