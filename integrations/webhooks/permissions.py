"""Who may manage an organization's webhooks: its admins, and site admins."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Membership, Organization
from accounts.permissions import User, has_role
from integrations.models import WebhookDelivery, WebhookSubscription


def can_manage_webhooks(user: User, organization: Organization) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or has_role(user, organization, Membership.Role.ADMIN)


def get_organization_for_webhooks(user: User, slug: str) -> Organization:
    organization = get_object_or_404(Organization, slug=slug)
    if not can_manage_webhooks(user, organization):
        raise PermissionDenied
    return organization


def get_subscription_for_managing(user: User, slug: str, uuid) -> WebhookSubscription:
    organization = get_organization_for_webhooks(user, slug)
    # Looked up within the organization: another one's subscription is a 404.
    return get_object_or_404(
        WebhookSubscription.objects.select_related("organization"),
        organization=organization,
        uuid=uuid,
    )


def get_delivery_for_managing(
    user: User, slug: str, uuid, delivery_uuid
) -> WebhookDelivery:
    subscription = get_subscription_for_managing(user, slug, uuid)
    return get_object_or_404(
        WebhookDelivery.objects.select_related("event", "subscription__organization"),
        subscription=subscription,
        uuid=delivery_uuid,
    )
