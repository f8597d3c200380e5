"""What a person is told: an in-app notification, and whether it was e-mailed
(accounts/notifications/services.py; docs/decisions/0021)."""

from django.conf import settings
from django.db import models

from accounts.models.organizations import Organization


class Notification(models.Model):
    """One thing a person was told. `kind` names the event ("credential.issued")
    and decides the e-mail preference it falls under; `url` is where to act."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # Whose branding the e-mail wears; none: Cairn's own.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)  # a path on this site
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when its e-mail went, alone or in a digest: a repeat sends nothing.
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Its e-mail is to go on its own (not in a digest): sent with the person's
    # other notifications of the same burst, in one message.
    email_due = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            # The e-mails still to send (the mail flush's and the sweep's
            # reads): a few rows among every notification ever made.
            models.Index(
                fields=["user", "created_at"],
                condition=models.Q(email_due=True, emailed_at__isnull=True),
                name="notification_email_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}: {self.title}"
