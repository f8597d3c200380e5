"""What the navigation needs to show each user only the links for their roles."""

from django.utils.functional import SimpleLazyObject

from accounts.models import Membership

Role = Membership.Role
STAFF_ROLES = {Role.DESIGNER, Role.REVIEWER, Role.FACULTY, Role.ADMIN}


def memberships(request, *, known: list | None = None) -> list[tuple[str, str]]:
    """The signed-in user's (role, organization slug) pairs, by organization
    name: one query per request, shared by the navigation and the page, or
    none when a page `known` them already (kept in its cache)."""
    found = getattr(request, "_cairn_memberships", None)
    if found is None:
        found = known
    if found is None:
        found = list(
            Membership.objects.filter(user=request.user)
            .order_by("organization__name")
            .values_list("role", "organization__slug")
        )
    request._cairn_memberships = found
    return found


def _nav(user, memberships: list[tuple[str, str]]) -> dict:
    roles = {role for role, _ in memberships}
    admin_of = [slug for role, slug in memberships if role == Role.ADMIN]
    return {
        "designs": bool(roles & {Role.DESIGNER, Role.ADMIN}),
        "grades": bool(roles & {Role.FACULTY, Role.ADMIN}),
        "reviews": bool(roles & {Role.DESIGNER, Role.REVIEWER, Role.ADMIN}),
        "learns": Role.LEARNER in roles,
        "administers": bool(admin_of),
        "staff": bool(roles & STAFF_ROLES) or user.is_staff,
        "issuer_slug": admin_of[0] if admin_of else "",
    }


def navigation(request) -> dict:
    """`nav`: which sections the user works in, read once per request when the
    page asks (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {"nav": SimpleLazyObject(lambda: _nav(user, memberships(request)))}
