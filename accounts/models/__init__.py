"""The accounts app's tables, one module per topic."""

from accounts.models.organizations import AuditEntry, Membership, Organization
from accounts.models.sso import IdentityProvider, RoleRule

__all__ = ["AuditEntry", "IdentityProvider", "Membership", "Organization", "RoleRule"]
