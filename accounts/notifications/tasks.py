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
def send_burst(user_id: int) -> int:
    return services.send_burst(user_id)


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=8)
def send_digest(user_id: int) -> int:
    return services.send_digest(user_id)


@shared_task
def send_daily_digests() -> int:
    return services.send_daily_digests()
