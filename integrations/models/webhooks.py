"""Webhooks: an organization's subscriptions, the events it announced and one
delivery per event and subscription (docs/decisions/0016-webhooks.md)."""

import uuid

from django.conf import settings
from django.db import models

from accounts.models import Organization


class WebhookSubscription(models.Model):
    """A URL an organization's admin asked Cairn to tell about some events."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    # Event type names (integrations/webhooks/events.py); a short list read whole,
    # so a JSON list serves on SQLite and PostgreSQL alike.
    events = models.JSONField(default=list)
    # The signing secret sealed with the key-encryption key (credentials/keystore.py):
    # the HMAC needs it back, so it cannot be a one-way hash.
    sealed_secret = models.BinaryField()
    secret_hint = models.CharField(max_length=12)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    # The first failed attempt since the last success: the streak that pauses it.
    failing_since = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["organization", "url", "pk"]

    def __str__(self) -> str:
        return self.description or self.url

    @property
    def is_paused(self) -> bool:
        return self.status == self.Status.PAUSED


class WebhookEvent(models.Model):
    """One fact an organization announced, with the body every subscriber gets."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_events"
    )
    type = models.CharField(max_length=40)
    data = models.JSONField()
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.uuid}"


class WebhookDeliveryQuerySet(models.QuerySet):
    def due(self, now):
        """Waiting deliveries whose time has come, of subscriptions not paused."""
        return self.filter(
            status__in=[
                WebhookDelivery.Status.PENDING,
                WebhookDelivery.Status.RETRYING,
            ],
            next_attempt_at__lte=now,
            subscription__status=WebhookSubscription.Status.ACTIVE,
        )


class WebhookDelivery(models.Model):
    """One event sent to one subscription, with its attempts so far."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RETRYING = "retrying", "Failing, will retry"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed, gave up"

    # Sent as the delivery id: the same on every attempt, so a receiver that saw
    # it already can answer 2xx and do nothing (idempotence).
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(
        WebhookEvent, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "subscription"], name="one_delivery_per_subscription"
            )
        ]
        indexes = [
            models.Index(
                fields=["subscription", "-created_at"], name="webhook_delivery_log"
            ),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription}"
