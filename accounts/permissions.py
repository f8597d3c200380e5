"""Who holds which role where. Roles are held per organization; every app's
permission functions are built on these."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Membership, Organization

Role = Membership.Role
User = AbstractBaseUser | AnonymousUser


def roles_in(user: User, organization: Organization) -> set[str]:
    """The user's roles in one organization, cached on the user for the request."""
    if not user.is_authenticated:
        return set()
    cache = user.__dict__.setdefault("_cairn_roles", {})
    if organization.pk not in cache:
        cache[organization.pk] = set(
            Membership.objects.filter(user=user, organization=organization).values_list(
                "role", flat=True
            )
        )
    return cache[organization.pk]


def has_role(user: User, organization: Organization, *roles: str) -> bool:
    return bool(roles_in(user, organization) & set(roles))


def organizations_where(user: User, *roles: str):
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(
        memberships__user=user, memberships__role__in=roles
    ).distinct()


def get_organization_for(user: User, slug: str, *roles: str) -> Organization:
    organization = get_object_or_404(Organization, slug=slug)
    if not has_role(user, organization, *roles):
        raise PermissionDenied
    return organization
