"""Cairn's rules for allauth's account flows: sign-up is open only through an
organization's self-registration link, and only for the e-mail domains that
organization accepts."""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse

from accounts.lifecycle import services
from accounts.models import SignupPolicy

# What the organization's join link leaves in the session for the sign-up form.
SIGNUP_SESSION_KEY = "cairn_signup"


def signup_policy_in(request: HttpRequest | None) -> SignupPolicy | None:
    """The open self-registration policy the person came to sign up under."""
    chosen = request.session.get(SIGNUP_SESSION_KEY) if request is not None else None
    if not chosen:
        return None
    return (
        SignupPolicy.objects.select_related("organization")
        .filter(organization__slug=chosen.get("slug"), is_open=True)
        .first()
    )


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return signup_policy_in(request) is not None

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        request = self.request
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name != "account_signup":
            return email
        policy = signup_policy_in(request)
        if policy is not None and not policy.accepts(email):
            raise ValidationError(
                f"{policy.organization.name} takes registrations from addresses "
                f"at {', '.join(policy.email_domains)} only."
            )
        return email

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        policy = signup_policy_in(request)
        if commit and policy is not None:
            services.update_preferences(user, registered_with=policy.organization)
            request.session.pop(SIGNUP_SESSION_KEY, None)
        return user

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        """To the account page, which says the address waits for verification."""
        return reverse("accounts:account")

    def get_email_verification_redirect_url(self, email_address) -> str:
        return reverse("accounts:account")
