"""An organization's people managed in the product: organizations created by
site administrators, members and their roles, invitations, deactivation, and
the people half of roster imports (docs/decisions/0009)."""
