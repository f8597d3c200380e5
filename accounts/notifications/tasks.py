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
def send_burst(user_id: int, wait: bool = True) -> int:
    """Send the person's burst, unless it is still growing (a queued burst
    waits for quiet, see services.burst_wait; `wait=False` sends at once)."""
    if wait and (seconds := services.burst_wait(user_id)) > 0:
        # Still growing: woken once more when it can have ended, the burst's
        # key still standing, so that no other message is queued meanwhile.
        send_burst.apply_async((user_id,), countdown=seconds)
        return 0
    services.start_sending(user_id)
    return services.send_burst(user_id)


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=8)
def send_digest(user_id: int) -> int:
    return services.send_digest(user_id)


@shared_task
def send_daily_digests() -> int:
    return services.send_daily_digests()
