"""The accounts app's tables, one module per topic."""

from accounts.models.lifecycle import (
    AccountPreferences,
    AccountSession,
    ErasureRequest,
    SignupPolicy,
)
from accounts.models.notifications import Notification
from accounts.models.organizations import AuditEntry, Membership, Organization
from accounts.models.people import (
    Deactivation,
    Invitation,
    MemberNumber,
    RosterImport,
)
from accounts.models.sso import IdentityProvider, RoleRule
from accounts.models.tasks import TaskFailure

__all__ = [
    "AccountPreferences",
    "AccountSession",
    "AuditEntry",
    "Deactivation",
    "ErasureRequest",
    "IdentityProvider",
    "Invitation",
    "MemberNumber",
    "Membership",
    "Notification",
    "Organization",
    "RoleRule",
    "RosterImport",
    "SignupPolicy",
    "TaskFailure",
]
