"""Organizations, the roles people hold in them, and the audit trail.

The tables keep the names they had in `curriculum` (docs/decisions/0006)."""

from django.conf import settings
from django.db import models


class Organization(models.Model):
    """An issuer: a college or a consortium member. Roles are held per organization."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    description = models.TextField(blank=True)
    # An IANA zone (Europe/Dublin) for calendar dates such as recency; empty
    # means the site's (settings.TIME_ZONE).
    time_zone = models.CharField(max_length=64, blank=True)
    logo = models.BinaryField(blank=True, default=b"")  # checked by content
    logo_type = models.CharField(max_length=20, blank=True)
    # How the organization's e-mails look (accounts/notifications/mail.py):
    # the logo above is shown in them too.
    email_sender_name = models.CharField(
        "Sender name",
        max_length=100,
        blank=True,
        help_text="Shown as who the e-mail is from. Empty: the organization's name.",
    )
    brand_colour = models.CharField(
        "Brand colour",
        max_length=7,
        default="#1d4e89",
        help_text="The colour of the e-mail's header and buttons, as #RRGGBB.",
    )
    email_footer = models.TextField(
        "E-mail footer",
        blank=True,
        help_text="A line or two at the end of every e-mail (address, contact).",
    )

    class Meta:
        db_table = "curriculum_organization"  # kept from before the move
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        DESIGNER = "designer", "Curriculum designer"
        REVIEWER = "reviewer", "Advisory-board reviewer"
        FACULTY = "faculty", "Faculty"
        LEARNER = "learner", "Learner"
        ADMIN = "admin", "Administrator"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "curriculum_membership"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="one_membership_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.organization}"


class AuditEntry(models.Model):
    """Who did what, when: written by services in the same transaction."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "curriculum_auditentry"
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(
                fields=["organization", "-at"], name="curriculum__organiz_8bb200_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}"
