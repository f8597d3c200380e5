from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse


class Organization(models.Model):
    """An issuer: a college or a consortium member. Roles are held per organization."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    description = models.TextField(blank=True)

    class Meta:
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
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="one_membership_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.organization}"


class VersionFrozenError(ValidationError):
    """A published or retired version cannot change."""

    def __init__(self, version: "VersionedContent") -> None:
        super().__init__(
            f"{version} is {version.get_status_display().lower()} and can no longer "
            "be edited. Start a new draft to make changes.",
            code="frozen",
        )


class VersionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=VersionedContent.Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=VersionedContent.Status.DRAFT)


class VersionedContent(models.Model):
    """The lifecycle shared by module and pathway versions (DESIGN.md)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    FROZEN = frozenset({Status.PUBLISHED, Status.RETIRED})

    number = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changelog = models.TextField(blank=True)
    # Set when published: a hash over the canonical content, quoted by credentials,
    # and the structural diff from the previous published version.
    digest = models.CharField(max_length=100, blank=True)
    diff = models.JSONField(default=dict, blank=True)
    review_due_on = models.DateField(
        null=True, blank=True, help_text="When this published version must be reviewed."
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if getattr(self, "_stored_status", None) in self.FROZEN:
            update_fields = set(kwargs.get("update_fields") or ())
            # Retiring is the one change a published version still accepts.
            if not update_fields or not update_fields <= {"status", "retired_at"}:
                raise VersionFrozenError(self)
        super().save(*args, **kwargs)
        self._stored_status = self.status

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remember the stored status: an instance loaded frozen stays frozen,
        # whatever is assigned to it in memory.
        instance._stored_status = instance.status
        return instance

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_frozen(self) -> bool:
        return self.status in self.FROZEN


class CompetencyFramework(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="frameworks"
    )
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=40, blank=True, help_text="ESCO, O*NET, CASE")
    uri = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.name


class Competency(models.Model):
    framework = models.ForeignKey(
        CompetencyFramework, on_delete=models.CASCADE, related_name="competencies"
    )
    code = models.CharField(max_length=80, blank=True)
    statement = models.TextField()
    uri = models.URLField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "competencies"

    def __str__(self) -> str:
        return f"{self.code} {self.statement}".strip()


class Module(models.Model):
    """One micro-credential: a stable identity with a series of versions."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="modules"
    )
    code = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="module_code")
        ]

    def __str__(self) -> str:
        return self.code


class ModuleVersion(VersionedContent):
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="versions"
    )
    criteria_narrative = models.TextField(
        blank=True, help_text="What a learner must show to earn this credential."
    )
    credits = models.DecimalField(
        max_digits=5, decimal_places=1, default=Decimal("5.0")
    )
    level = models.CharField(max_length=40, blank=True, help_text="e.g. EQF 5")

    class Meta:
        ordering = ["module__code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["module", "number"], name="module_version")
        ]

    def __str__(self) -> str:
        return f"{self.module.code} v{self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("curriculum:version-detail", args=[self.pk])

    @property
    def organization(self) -> Organization:
        return self.module.organization

    @property
    def code(self) -> str:
        return self.module.code


class Outcome(models.Model):
    """A performance statement a learner shows to earn the module."""

    version = models.ForeignKey(
        ModuleVersion, on_delete=models.CASCADE, related_name="outcomes"
    )
    position = models.PositiveIntegerField(default=0)
    statement = models.TextField()
    competencies = models.ManyToManyField(
        Competency, blank=True, related_name="outcomes"
    )

    class Meta:
        ordering = ["version", "position", "pk"]

    def __str__(self) -> str:
        return self.statement


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
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["organization", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}"


class VersionTransition(models.Model):
    """Every move of a module or pathway version through its lifecycle."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="version_transitions"
    )
    version_type = models.CharField(
        max_length=60, help_text="e.g. curriculum.ModuleVersion"
    )
    version_id = models.PositiveBigIntegerField()
    from_status = models.CharField(
        max_length=20, choices=VersionedContent.Status.choices
    )
    to_status = models.CharField(max_length=20, choices=VersionedContent.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["version_type", "version_id", "at"])]

    def __str__(self) -> str:
        moved = f"{self.from_status} → {self.to_status}"
        return f"{self.version_type} {self.version_id}: {moved}"
