"""The apps a person allowed, as the OAuth provider's tokens tell it. Kept
light (models only): the API's OAuth door calls it on every request."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from integrations.models import AppAuthorization


def record_authorization(token) -> AppAuthorization | None:
    """A token was given for a person (`app_authorized`): their connected apps
    list the app, with the scopes it holds."""
    if token.user_id is None:
        return None  # a client's own token (client credentials): no person
    authorization, created = AppAuthorization.objects.get_or_create(
        user_id=token.user_id,
        application_id=token.application_id,
        defaults={"scope": token.scope, "authorized_at": timezone.now()},
    )
    if not created and authorization.scope != token.scope:
        authorization.scope = token.scope
        authorization.save(update_fields=["scope"])
    return authorization


def record_use(token) -> None:
    """Note that an app used its token, at most once a minute."""
    if token.user_id is None:
        return
    now = timezone.now()
    AppAuthorization.objects.filter(
        user_id=token.user_id, application_id=token.application_id
    ).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - timedelta(minutes=1))
    ).update(last_used_at=now)
