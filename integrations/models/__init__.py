"""Models of the doors for other systems, one module each by subject."""

from integrations.models.webhooks import (
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

__all__ = ["WebhookDelivery", "WebhookEvent", "WebhookSubscription"]
