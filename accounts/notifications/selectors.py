"""Reads for the notification list and the navigation's badge."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from accounts.models import Notification


def notifications_of(user: AbstractBaseUser) -> QuerySet[Notification]:
    """Newest first; unread ones are marked so on the page."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user: AbstractBaseUser) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
