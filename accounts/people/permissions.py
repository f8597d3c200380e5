"""Who may manage an organization's people: its admins, and site administrators
(Django staff), who create organizations and seat their first admin."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Deactivation, Membership, Organization
from accounts.permissions import Role, User, has_role


def is_site_admin(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.is_staff)


def can_manage_people(user: User, organization: Organization) -> bool:
    return is_site_admin(user) or has_role(user, organization, Role.ADMIN)


def get_organization_for_people(user: User, slug: str) -> Organization:
    """The organization whose people the user manages; 403 for anyone else
    (which organizations exist is public: they issue credentials)."""
    organization = get_object_or_404(Organization, slug=slug)
    if not can_manage_people(user, organization):
        raise PermissionDenied
    return organization


def get_member_of(organization: Organization, user_id: int):
    """A member or deactivated member of the organization; 404 for others."""
    found = (
        Membership.objects.filter(organization=organization, user_id=user_id).exists()
        or Deactivation.objects.filter(
            organization=organization, user_id=user_id
        ).exists()
    )
    if not found:
        raise Http404
    return get_object_or_404(get_user_model(), pk=user_id)
