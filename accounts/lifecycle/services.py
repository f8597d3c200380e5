"""Every change to a person's own account, and to an organization's
self-registration policy and erasure requests."""

import re
import secrets
from collections.abc import Iterable
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts import ratelimit
from accounts.audit import log_action
from accounts.lifecycle.signals import erasure_confirmed
from accounts.models import (
    AccountPreferences,
    AccountSession,
    AuditEntry,
    ErasureRequest,
    Membership,
    Notification,
    Organization,
    SignupPolicy,
)

DOMAIN = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)
ERASED_PREFIX = "erased-"


def preferences_of(user: AbstractBaseUser) -> AccountPreferences:
    preferences, _ = AccountPreferences.objects.get_or_create(user=user)
    return preferences


def update_name(user: AbstractBaseUser, *, first_name: str, last_name: str):
    """A person's own name, as credentials issued from now on show it."""
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.save(update_fields=["first_name", "last_name"])
    return user


def update_preferences(user: AbstractBaseUser, **choices: object) -> AccountPreferences:
    preferences = preferences_of(user)
    for name, value in choices.items():
        setattr(preferences, name, value)
    preferences.save(update_fields=list(choices))
    return preferences


# Sessions


def _session_store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def record_session(request: HttpRequest, user: AbstractBaseUser) -> AccountSession:
    """Remember a new login's session so that its owner can see and end it."""
    if not request.session.session_key:
        request.session.save()
    address = ratelimit.client_address(request) or None
    session, _ = AccountSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip": address,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        },
    )
    return session


def forget_session(session_key: str | None) -> None:
    if session_key:
        AccountSession.objects.filter(session_key=session_key).delete()


def end_session(user: AbstractBaseUser, session_key: str) -> None:
    """Sign one of a person's sessions out (on whatever device it is)."""
    session = AccountSession.objects.filter(user=user, session_key=session_key).first()
    if session is None:
        raise ValidationError("That session has ended already.")
    _session_store().delete(session.session_key)
    session.delete()


def end_all_sessions(user: AbstractBaseUser) -> int:
    """Sign a person out everywhere, this session included. Returns how many
    sessions were ended."""
    store = _session_store()
    sessions = list(AccountSession.objects.filter(user=user))
    for session in sessions:
        store.delete(session.session_key)
    AccountSession.objects.filter(pk__in=[s.pk for s in sessions]).delete()
    return len(sessions)


# Self-registration


def parse_domains(text: str) -> list[str]:
    """Domains from an admin's list (commas, spaces or lines; "@" optional)."""
    domains = []
    for part in re.split(r"[\s,;]+", text.strip().lower()):
        part = part.removeprefix("@").strip(".")
        if not part:
            continue
        if not DOMAIN.match(part):
            raise ValidationError(f"“{part}” is not an e-mail domain.")
        if part not in domains:
            domains.append(part)
    return domains


def signup_policy_of(organization: Organization) -> SignupPolicy:
    policy = SignupPolicy.objects.filter(organization=organization).first()
    return policy or SignupPolicy(organization=organization)


@transaction.atomic
def set_signup_policy(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    is_open: bool,
    email_domains: Iterable[str],
) -> SignupPolicy:
    """Open or close self-registration of learners, and say from which domains."""
    domains = list(email_domains)
    if is_open and not domains:
        raise ValidationError(
            {"email_domains": "Name at least one domain to open registration."}
        )
    policy, _ = SignupPolicy.objects.select_for_update().get_or_create(
        organization=organization
    )
    policy.is_open, policy.email_domains = is_open, domains
    policy.save(update_fields=["is_open", "email_domains"])
    log_action(
        by,
        "signup.policy_changed",
        policy,
        organization=organization,
        open=is_open,
        domains=", ".join(domains),
    )
    return policy


def registering_organization(slug: str) -> Organization:
    """The organization a sign-up link names, if it takes self-registration."""
    policy = (
        SignupPolicy.objects.select_related("organization")
        .filter(organization__slug=slug, is_open=True)
        .first()
    )
    if policy is None:
        raise PermissionDenied("This organization does not take registrations.")
    return policy.organization


@transaction.atomic
def join_after_verification(email_address: EmailAddress) -> Membership | None:
    """Once a self-registered person verifies an address the organization
    accepts, they become one of its learners."""
    preferences = AccountPreferences.objects.filter(
        user_id=email_address.user_id, registered_with__isnull=False
    ).first()
    if preferences is None or not email_address.verified:
        return None
    organization = preferences.registered_with
    if not signup_policy_of(organization).accepts(email_address.email):
        return None
    membership, created = Membership.objects.get_or_create(
        organization=organization,
        user_id=email_address.user_id,
        role=Membership.Role.LEARNER,
    )
    if created:
        log_action(
            membership.user,
            "member.self_registered",
            membership,
            organization=organization,
            role=membership.role,
        )
    return membership


# Erasure


def organizations_of(user: AbstractBaseUser):
    return Organization.objects.filter(memberships__user=user).distinct()


@transaction.atomic
def request_erasure(user: AbstractBaseUser, *, note: str = "") -> ErasureRequest:
    """A person asks for their personal data to be erased."""
    if ErasureRequest.objects.filter(
        user=user, status__in=[ErasureRequest.Status.PENDING, "confirmed"]
    ).exists():
        raise ValidationError("You have asked for erasure already.")
    organizations = list(organizations_of(user))
    if not organizations:
        raise ValidationError(
            "You belong to no organization: there is no one to confirm erasure. "
            "Write to the site's administrators."
        )
    erasure = ErasureRequest.objects.create(user=user, note=note.strip())
    for organization in organizations:
        log_action(user, "erasure.requested", erasure, organization=organization)
    return erasure


def _tell(user: AbstractBaseUser, subject: str, body: str) -> None:
    """An e-mail to the person, sent once the decision is committed."""
    if user.email:
        address = user.email
        transaction.on_commit(lambda: send_mail(subject, body, None, [address]))


def _locked_pending(erasure: ErasureRequest) -> ErasureRequest:
    erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if erasure.status != ErasureRequest.Status.PENDING:
        raise ValidationError("This request has been decided already.")
    return erasure


@transaction.atomic
def confirm_erasure(
    erasure: ErasureRequest, *, by: AbstractBaseUser, organization: Organization
) -> ErasureRequest:
    """An admin confirms: the erasure runs after commit (`erasure_confirmed`)."""
    erasure = _locked_pending(erasure)
    erasure.status = ErasureRequest.Status.CONFIRMED
    erasure.decided_by, erasure.decided_at = by, timezone.now()
    erasure.save(update_fields=["status", "decided_by", "decided_at"])
    log_action(by, "erasure.confirmed", erasure, organization=organization)
    # Told before the erasure runs: afterwards there is no address to write to.
    _tell(
        erasure.user,
        "Your personal data is being erased",
        f"{organization.name} confirmed your request. Your account is being "
        "closed, your evidence files deleted and your credentials revoked with "
        "the reason “erasure requested”. This is the last message Cairn sends you.",
    )
    request_id = erasure.pk
    transaction.on_commit(
        lambda: erasure_confirmed.send(ErasureRequest, request_id=request_id)
    )
    return erasure


@transaction.atomic
def decline_erasure(
    erasure: ErasureRequest,
    *,
    by: AbstractBaseUser,
    organization: Organization,
    reason: str,
) -> ErasureRequest:
    """An admin declines, saying why (for example, a legal duty to keep records)."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why: the person is told."})
    erasure = _locked_pending(erasure)
    erasure.status = ErasureRequest.Status.DECLINED
    erasure.decided_by, erasure.decided_at = by, timezone.now()
    erasure.decision_reason = reason.strip()
    erasure.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason"]
    )
    log_action(
        by, "erasure.declined", erasure, organization=organization, reason=reason
    )
    _tell(
        erasure.user,
        "Your request for erasure was declined",
        f"{organization.name} declined your request to erase your personal "
        f"data.\n\nReason: {erasure.decision_reason}\n\nNothing was erased. You "
        f"can see the request on your account page: {settings.SITE_URL}"
        f"{reverse('accounts:account')}",
    )
    return erasure


def _scrubbed(value: object, secrets_: set[str]) -> object:
    if isinstance(value, str):
        return "[erased]" if value.strip().lower() in secrets_ else value
    if isinstance(value, list):
        return [_scrubbed(item, secrets_) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item, secrets_) for key, item in value.items()}
    return value


@transaction.atomic
def _forget_in_notifications(user: AbstractBaseUser, known: set[str]) -> None:
    """The person's own notifications go; others' that name them (an admin told
    of their credential's end) keep the fact without the name."""
    Notification.objects.filter(user=user).delete()
    mentions = Q()
    for value in known:
        mentions |= Q(title__icontains=value) | Q(body__icontains=value)
    for notification in Notification.objects.filter(mentions).iterator():
        title, body = notification.title, notification.body
        for value in sorted(known, key=len, reverse=True):
            pattern = re.compile(re.escape(value), re.IGNORECASE)
            title, body = pattern.sub("someone", title), pattern.sub("someone", body)
        Notification.objects.filter(pk=notification.pk).update(title=title, body=body)


def pseudonymise_account(erasure: ErasureRequest) -> str:
    """Erase the account part of a person: names, e-mail addresses, linked
    identity providers, sessions, preferences, and their name and address in
    the audit trail's details. The user row stays under a pseudonym, so that
    what they did (grades given, counts in analytics) keeps its shape.
    Returns the pseudonym. Running it again changes nothing more."""
    erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    user = get_user_model().objects.select_for_update().get(pk=erasure.user_id)
    if erasure.pseudonym:
        return erasure.pseudonym
    pseudonym = f"{ERASED_PREFIX}{secrets.token_hex(6)}"
    known = {
        value.strip().lower()
        for value in (
            user.username,
            user.email,
            user.first_name,
            user.last_name,
            user.get_full_name(),
            *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
        )
        if value and value.strip()
    }
    mentions = Q()
    for value in known:
        mentions |= Q(text__icontains=value)
    entries = AuditEntry.objects.annotate(text=Cast("data", TextField())).filter(
        mentions
    )
    for entry in entries.iterator():
        scrubbed = _scrubbed(entry.data, known)
        if scrubbed != entry.data:
            AuditEntry.objects.filter(pk=entry.pk).update(data=scrubbed)
    _forget_in_notifications(user, known)
    end_all_sessions(user)
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    AccountPreferences.objects.filter(user=user).delete()
    user.username, user.first_name, user.last_name, user.email = (
        pseudonym,
        "",
        "",
        "",
    )
    user.is_active = False
    user.set_unusable_password()
    user.save(
        update_fields=[
            "username",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "password",
        ]
    )
    erasure.pseudonym = pseudonym
    erasure.save(update_fields=["pseudonym"])
    return pseudonym


@transaction.atomic
def finish_erasure(erasure: ErasureRequest) -> ErasureRequest:
    erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if erasure.status == ErasureRequest.Status.DONE:
        return erasure
    erasure.status, erasure.erased_at = ErasureRequest.Status.DONE, timezone.now()
    erasure.save(update_fields=["status", "erased_at"])
    for organization in organizations_of(erasure.user):
        log_action(None, "erasure.done", erasure, organization=organization)
    return erasure
