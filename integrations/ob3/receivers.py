"""What the OAuth provider announces: a token given for a person puts the app
on their “Connected apps” page."""

from django.dispatch import receiver
from oauth2_provider.signals import app_authorized

from integrations.ob3 import connections


@receiver(app_authorized)
def note_authorization(sender, request, token, **kwargs) -> None:
    connections.record_authorization(token)
