import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from accounts.models import Organization
from curriculum import badge_design


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
    # The badge: an uploaded PNG or SVG, or the designer's SVG with its
    # description (curriculum/badge_design.py) and its PNG rendering, which is
    # what credentials point to. Frozen with the version like its other content.
    badge_image = models.FileField(upload_to="badges/%Y/", blank=True)
    badge_design = models.JSONField(default=dict, blank=True)
    badge_png = models.FileField(upload_to="badges/%Y/", blank=True)

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

    @property
    def has_badge(self) -> bool:
        return bool(self.badge_image or self.badge_png)

    def get_badge_url(self) -> str:
        """The badge to show and to name in credentials: the PNG rendering when
        there is one (every reader shows a PNG), else the uploaded image; "" for
        none. Served by an access-checked view at an address fixed by the pk."""
        if self.badge_png or self.badge_image.name.lower().endswith(".png"):
            return self.get_badge_png_url()
        if self.badge_image:
            return self.get_badge_image_url()
        return ""

    @property
    def badge_alt(self) -> str:
        """The badge in words, for screen readers."""
        if self.badge_design:
            try:
                design = badge_design.design_from(self.badge_design)
            except badge_design.BadgeDesignError:
                pass
            else:
                return badge_design.alt_text(design, f"Badge of {self.title}")
        return f"Badge of {self.title}"


def new_identifier() -> str:
    """A CASE identifier: a UUID, as a string."""
    return str(uuid.uuid4())


class CompetencyFramework(models.Model):
    """A tree of competencies: the organization's own, or imported (CASE, CSV)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="frameworks"
    )
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=40, blank=True, help_text="ESCO, O*NET, CASE")
    uri = models.URLField(max_length=500, blank=True)
    # The CASE CFDocument identifier (a UUID); kept so that an export names the
    # same framework as the package it came from.
    identifier = models.CharField(max_length=100, blank=True, default=new_identifier)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    description = models.TextField(blank=True)
    creator = models.CharField(max_length=200, blank=True)
    version = models.CharField(max_length=60, blank=True)
    language = models.CharField(max_length=20, blank=True)
    # CFDocument properties Cairn does not edit (publisher, licence, dates,
    # properties beyond the spec), and CFDefinitions: exported as they came.
    case_fields = models.JSONField(default=dict, blank=True)
    definitions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "identifier"],
                condition=~models.Q(identifier=""),
                name="framework_identifier",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("curriculum:framework-detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Competency(models.Model):
    """A CASE CFItem: one statement of the framework's tree."""

    framework = models.ForeignKey(
        CompetencyFramework, on_delete=models.CASCADE, related_name="competencies"
    )
    identifier = models.CharField(max_length=100, blank=True, default=new_identifier)
    code = models.CharField(max_length=80, blank=True)
    statement = models.TextField()
    abbreviated_statement = models.CharField(max_length=300, blank=True)
    competency_type = models.CharField(
        max_length=100, blank=True, help_text="e.g. Standard, Skill, Domain"
    )
    education_levels = models.JSONField(default=list, blank=True)
    # The first isChildOf parent; all isChildOf links (an item may sit in several
    # places of a tree) are CompetencyAssociation rows as well.
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.IntegerField(default=0)
    depth = models.PositiveSmallIntegerField(default=0)
    uri = models.URLField(max_length=500, blank=True)
    language = models.CharField(max_length=20, blank=True)
    notes = models.TextField(blank=True)
    case_fields = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "competencies"
        ordering = ["framework", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "identifier"],
                condition=~models.Q(identifier=""),
                name="competency_identifier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.statement}".strip()


class CompetencyAssociation(models.Model):
    """A CASE CFAssociation between an item and an item, the document, or a node
    elsewhere (exactMatchOf an item of another framework)."""

    TYPES = (
        "isChildOf",
        "isPeerOf",
        "isPartOf",
        "exactMatchOf",
        "precedes",
        "isRelatedTo",
        "replacedBy",
        "exemplar",
        "hasSkillLevel",
        "isTranslationOf",
    )

    framework = models.ForeignKey(
        CompetencyFramework, on_delete=models.CASCADE, related_name="associations"
    )
    identifier = models.CharField(max_length=100)
    uri = models.URLField(max_length=500, blank=True)
    association_type = models.CharField(max_length=100)
    origin = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="outgoing"
    )
    # Null when the destination is the framework's document or a node outside it.
    destination = models.ForeignKey(
        Competency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="incoming",
    )
    destination_identifier = models.CharField(max_length=100)
    destination_uri = models.CharField(max_length=500, blank=True)
    destination_title = models.CharField(max_length=300, blank=True)
    sequence_number = models.IntegerField(null=True, blank=True)
    case_fields = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["framework", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "identifier"], name="association_identifier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.origin_id} {self.association_type} {self.destination_identifier}"


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


class DeliveryMode(models.TextChoices):
    ONLINE = "online", "Online"
    IN_PERSON = "in_person", "In person"
    BLENDED = "blended", "Blended"
    WORK_BASED = "work_based", "Work-based"


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
    notional_hours = models.PositiveIntegerField(
        null=True, blank=True, help_text="Hours of learning a typical learner needs."
    )
    delivery_mode = models.CharField(
        max_length=20, choices=DeliveryMode.choices, blank=True
    )
    language = models.CharField(max_length=20, default="en", help_text="e.g. en, fr")
    # How long its credential stays valid, from the day it is earned: the
    # signed credential carries validUntil (expirationDate on VC 1.1).
    valid_for_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Days its credential stays valid; empty if it never expires.",
    )
    prerequisites = models.ManyToManyField(
        Module, blank=True, related_name="required_by"
    )

    class Meta:
        ordering = ["module__code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["module", "number"], name="module_version")
        ]

    def __str__(self) -> str:
        return f"{self.module.code} v{self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("curriculum:version-detail", args=[self.pk])

    def get_badge_image_url(self) -> str:
        """Where the badge image is served, through an access-checked view: files
        are never public in storage."""
        return reverse("curriculum:version-badge-image", args=[self.pk])

    def get_badge_png_url(self) -> str:
        return reverse("curriculum:version-badge-png", args=[self.pk])

    @property
    def organization(self) -> Organization:
        return self.module.organization

    @property
    def code(self) -> str:
        return self.module.code


class Proficiency(models.TextChoices):
    """The target proficiency an outcome asks for in its competencies."""

    FOUNDATION = "foundation", "Foundation"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"
    EXPERT = "expert", "Expert"


class Outcome(models.Model):
    """A performance statement a learner shows to earn the module."""

    version = models.ForeignKey(
        ModuleVersion, on_delete=models.CASCADE, related_name="outcomes"
    )
    position = models.PositiveIntegerField(default=0)
    action_verb = models.CharField(max_length=40, blank=True)
    statement = models.TextField()
    proficiency_level = models.CharField(
        max_length=20, choices=Proficiency.choices, blank=True
    )
    competencies = models.ManyToManyField(
        Competency, blank=True, related_name="outcomes"
    )

    class Meta:
        ordering = ["version", "position", "pk"]

    def __str__(self) -> str:
        return self.statement


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


class FrameworkImport(models.Model):
    """An uploaded CASE or CSV file waiting for, or done with, its import task."""

    class Format(models.TextChoices):
        CASE = "case", "CASE package (JSON)"
        CSV = "csv", "CSV"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="framework_imports"
    )
    format = models.CharField(max_length=10, choices=Format.choices)
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(max_length=200)
    framework_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    framework = models.ForeignKey(
        CompetencyFramework,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
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
        return f"{self.get_format_display()} import of {self.filename}"

    def get_absolute_url(self) -> str:
        return reverse("curriculum:import-detail", args=[self.pk])
