"""Celery tasks of webhooks: each loads by id and calls one service."""

from celery import shared_task

from integrations.models import WebhookSubscription
from integrations.webhooks import services


@shared_task
def deliver(delivery_id: int, manual: bool = False) -> None:
    # Safe to run twice: the service's conditional update lets one run attempt.
    services.attempt_delivery(delivery_id, manual=manual)


@shared_task
def send_due_deliveries() -> int:
    """The periodic sweep: sends what is due, including what a lost task left."""
    due = services.due_delivery_ids()
    for delivery_id in due:
        deliver.delay(delivery_id)
    return len(due)


@shared_task
def notify_admins_of_pause(subscription_id: int) -> None:
    subscription = WebhookSubscription.objects.select_related("organization").get(
        pk=subscription_id
    )
    services.notify_admins_of_pause(subscription)
