"""Thin tasks on the mail queue. A send that fails (the mail server refuses or
cannot be reached) is retried with backoff; the action that asked for it
stood already."""

import smtplib

from celery import shared_task

from accounts.notifications import services

RETRY_ON = (smtplib.SMTPException, OSError)


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=8)
def send_notification_email(notification_id: int) -> bool:
    return services.send_notification_email(notification_id)


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=8)
def send_due_bursts() -> int:
    """Send every person's burst that has ended; queued again while bursts
    grow (see services._queue_email)."""
    return services.send_due_bursts()


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=8)
def send_burst(user_id: int, wait: bool = True) -> int:
    """Send the person's burst (the sweep's message, or every notification's
    without bursts), unless it is still growing (services.burst_wait;
    `wait=False` sends at once): the flush sends it then."""
    if wait and (seconds := services.burst_wait(user_id)) > 0:
        services.requeue_flush(seconds + 1)
        return 0
    return services.send_burst(user_id)


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=8)
def send_digest(user_id: int) -> int:
    return services.send_digest(user_id)


@shared_task
def send_daily_digests() -> int:
    return services.send_daily_digests()
