"""Who is asked about in the people tables: the cast's roles, an admin of
another organization, a site administrator and an anonymous visitor."""

from accounts.permissions import roles_in

ROLES = [
    "learner",
    "faculty",
    "designer",
    "reviewer",
    "admin",
    "other_admin",
    "site_admin",
    "anonymous",
]
MANAGERS = {"admin", "site_admin"}


def roles_now(cast, person) -> set[str]:
    """The person's roles read afresh (roles_in caches them on the user)."""
    cast[person].__dict__.pop("_cairn_roles", None)
    return roles_in(cast[person], cast.organization)
