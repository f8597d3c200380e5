"""A person's own account: preferences, signed-in sessions, an organization's
self-registration policy, and requests to erase an account
(docs/decisions/0014-account-lifecycle.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models.organizations import Organization


class AccountPreferences(models.Model):
    """Choices a person makes for themselves. Names and e-mail addresses live
    on the user and allauth's EmailAddress; this holds the rest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    language = models.CharField(max_length=10, default="en")
    email_on_credentials = models.BooleanField(
        "E-mail me when one of my credentials is revoked, suspended, reinstated "
        "or issued again",
        default=True,
    )
    email_on_reviews = models.BooleanField(
        "E-mail me about reviews of curriculum (votes, decisions, reminders)",
        default=True,
    )
    email_on_grades = models.BooleanField(
        "E-mail me when a grade is released or a request for recognition is decided",
        default=True,
    )
    email_on_work = models.BooleanField(
        "E-mail me when work is assigned to me or is overdue (staff)",
        default=True,
    )
    # Instead of one e-mail for each notification, one a day listing the
    # day's unread ones (accounts.notifications.services.send_daily_digests).
    email_digest = models.BooleanField(
        "Send me one e-mail a day with what is new, instead of one e-mail each time",
        default=False,
    )
    # Set by self-registration: the organization the person signed up with. The
    # learner membership follows once the address is verified.
    registered_with = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name_plural = "account preferences"

    def __str__(self) -> str:
        return f"Preferences of {self.user_id}"


class AccountSession(models.Model):
    """One signed-in session of a person, so that they can see and end it.
    Recorded on each login (accounts/lifecycle/receivers.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    session_key = models.CharField(max_length=40, unique=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} from {self.ip or 'an unknown address'}"


class SignupPolicy(models.Model):
    """Whether learners may register themselves with an organization, and
    from which e-mail domains. Set by the organization's admin."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="signup_policy"
    )
    is_open = models.BooleanField("Learners may register themselves", default=False)
    # Lower-case domains ("college.edu"); empty means none is accepted.
    email_domains = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name_plural = "signup policies"

    def __str__(self) -> str:
        return f"Self-registration at {self.organization_id}"

    def accepts(self, email: str) -> bool:
        domain = email.rpartition("@")[2].strip().lower()
        return self.is_open and bool(domain) and domain in self.email_domains


class ErasureRequest(models.Model):
    """A person's request to have their personal data erased. An admin of an
    organization they belong to confirms it; the erasure itself is done by the
    credentials app, which hears `erasure_confirmed`."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an administrator"
        CONFIRMED = "confirmed", "Confirmed, being erased"
        DONE = "done", "Erased"
        DECLINED = "declined", "Declined"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING
    )
    note = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    # What the person is called once erased (their new username).
    pseudonym = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="one_open_erasure_request",
            )
        ]

    def __str__(self) -> str:
        return f"Erasure of {self.user_id} ({self.status})"
