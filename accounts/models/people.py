"""People in an organization beyond their roles: invitations, deactivated
members, the numbers a registrar knows them by, and roster uploads."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models.organizations import Membership, Organization


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted nor withdrawn (possibly expired)."""
        return self.filter(accepted_at__isnull=True, withdrawn_at__isnull=True)

    def pending(self):
        """Open and not yet expired: the link still works."""
        return self.open().filter(expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An e-mailed, single-use link that makes its holder a member with a role.
    Only a hash of the link's token is stored; the token is in the e-mail."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(accepted_at__isnull=True, withdrawn_at__isnull=True),
                name="one_open_invitation_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} invited to {self.organization} as {self.role}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.withdrawn_at is None
            and not self.is_expired
        )


class Deactivation(models.Model):
    """A member who lost access to the organization: their roles are kept here
    (to restore them), their work and credentials stay where they are."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="deactivations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    roles = models.JSONField(default=list)
    deactivated_at = models.DateTimeField()
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-deactivated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="one_deactivation_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} deactivated in {self.organization}"


class MemberNumber(models.Model):
    """The student or staff number an organization's registrar knows someone by;
    roster imports match people by it first, then by e-mail."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="member_numbers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    number = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="one_person_per_number"
            ),
            models.UniqueConstraint(
                fields=["organization", "user"], name="one_number_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} at {self.organization}"


class RosterImport(models.Model):
    """A roster CSV that passed its dry run, then imported by a bulk task."""

    class Status(models.TextChoices):
        CHECKED = "checked", "Checked, not imported yet"
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="roster_imports"
    )
    file = models.FileField(upload_to="roster-imports/%Y/%m/")
    filename = models.CharField(max_length=200)
    rows = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.CHECKED
    )
    plan = models.JSONField(default=dict, blank=True)  # the dry run's counts
    result = models.JSONField(default=dict, blank=True)  # what the import did
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # The import claims the job, then holds its row's lock for its whole
    # transaction: a running job whose row is free lost its worker and is
    # taken over by the sweep, which says so in `note` (accounts/jobs.py).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Roster {self.filename} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("pathways:roster-detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
