"""What the account lifecycle does when Django or allauth announce a fact."""

from allauth.account.signals import email_confirmed
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from accounts.lifecycle import services


@receiver(user_logged_in, dispatch_uid="accounts.lifecycle.record_session")
def record_session(sender, *, request, user, **kwargs) -> None:
    # The test client's force_login passes a request without a session cookie
    # behind it; only real logins (with an address) are worth listing.
    if request is not None and hasattr(request, "session") and request.META:
        services.record_session(request, user)


@receiver(user_logged_out, dispatch_uid="accounts.lifecycle.forget_session")
def forget_session(sender, *, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        services.forget_session(request.session.session_key)


@receiver(email_confirmed, dispatch_uid="accounts.lifecycle.join_on_verification")
def join_on_verification(sender, *, request, email_address, **kwargs) -> None:
    services.join_after_verification(email_address)
