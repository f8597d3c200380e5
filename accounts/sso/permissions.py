"""Who may configure an organization's sign-in: its admins and site admins."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import IdentityProvider, Organization
from accounts.permissions import Role, User, has_role


def can_configure_identity_providers(user: User, organization: Organization) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or has_role(user, organization, Role.ADMIN)


def get_organization_for_sso(user: User, slug: str) -> Organization:
    organization = get_object_or_404(Organization, slug=slug)
    if not can_configure_identity_providers(user, organization):
        raise PermissionDenied
    return organization


def get_identity_provider_for_configuring(
    user: User, slug: str, provider_slug: str
) -> IdentityProvider:
    organization = get_organization_for_sso(user, slug)
    return get_object_or_404(
        IdentityProvider.objects.select_related("organization"),
        organization=organization,
        slug=provider_slug,
    )
