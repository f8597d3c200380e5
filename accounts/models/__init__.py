"""The accounts app's tables, one module per topic."""

from accounts.models.organizations import AuditEntry, Membership, Organization

__all__ = ["AuditEntry", "Membership", "Organization"]
