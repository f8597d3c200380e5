"""Thin tasks: e-mail about reviews on the mail queue, and the daily reminder."""

from celery import shared_task

from reviews import notifications, services


@shared_task
def send_invitation(member_id: int, token: str) -> None:
    notifications.send_invitation(member_id, token)


@shared_task
def notify(kind: str, object_id: int) -> None:
    notifications.send(kind, object_id)


@shared_task
def remind_due_reviews() -> int:
    return services.remind_due_reviews()
