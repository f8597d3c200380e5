from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts.models import Organization
from curriculum.models import Module, VersionedContent


class Pathway(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="pathways"
    )
    code = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="pathway_code"
            )
        ]

    def __str__(self) -> str:
        return self.code


class PathwayVersion(VersionedContent):
    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="versions"
    )
    # The stacking rule tree; pathways/rules.py defines and evaluates it.
    rule = models.JSONField(default=dict)
    valid_for_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The pathway credential expires this many days after it is "
        "earned; the learner then recertifies. Empty: it never expires.",
    )

    class Meta:
        ordering = ["pathway__code", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "number"], name="pathway_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pathway.code} v{self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("pathways:version-detail", args=[self.pk])

    def get_badge_image_url(self) -> str:
        return reverse("pathways:version-badge-image", args=[self.pk])

    def get_badge_png_url(self) -> str:
        return reverse("pathways:version-badge-png", args=[self.pk])

    @property
    def organization(self) -> Organization:
        return self.pathway.organization

    @property
    def code(self) -> str:
        return self.pathway.code


class Enrolment(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    version = models.ForeignKey(
        PathwayVersion, on_delete=models.PROTECT, related_name="enrolments"
    )
    enrolled_at = models.DateTimeField()
    # When the learner's pathways were last evaluated (the time the evaluation
    # started): the sweep finds enrolments whose learner completed or lost a
    # module since, and evaluates them again (pathways/sweeps.py).
    evaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enrolled_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "version"], name="one_enrolment")
        ]

    def __str__(self) -> str:
        return f"{self.learner} in {self.version}"


class PathwayCompletionQuerySet(models.QuerySet):
    def live(self):
        return self.filter(voided_at__isnull=True, renewed_at__isnull=True)


class PathwayCompletion(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pathway_completions",
    )
    version = models.ForeignKey(
        PathwayVersion, on_delete=models.PROTECT, related_name="completions"
    )
    completed_at = models.DateTimeField()
    # Which completion satisfied which rule node, so an award can say why.
    trace = models.JSONField(default=dict)
    voided_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Set when a recertification replaced this (expired) completion.
    renewed_at = models.DateTimeField(null=True, blank=True)

    objects = PathwayCompletionQuerySet.as_manager()

    class Meta:
        ordering = ["completed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "version"],
                condition=Q(voided_at__isnull=True, renewed_at__isnull=True),
                name="one_live_pathway_completion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} completed {self.version}"

    def is_expired(self, on) -> bool:
        return self.expires_at is not None and self.expires_at <= on


class StackingProfile(models.Model):
    """What stacking needs to know about a module: its tags and prerequisite."""

    module = models.OneToOneField(
        Module, on_delete=models.CASCADE, related_name="stacking"
    )
    tags = models.JSONField(default=list, blank=True)
    # A rule of the same kind as a pathway's, that locks the module until met.
    prerequisite = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Stacking of {self.module}"


class PrerequisiteOverride(models.Model):
    """Staff waived a module's prerequisite for one learner, with the reason:
    the learner may start work on the module although the rule is not met."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="prerequisite_overrides",
    )
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="prerequisite_overrides"
    )
    reason = models.TextField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "module"], name="one_prerequisite_override"
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="prerequisite_override_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Prerequisite of {self.module} waived for {self.learner}"


class EquivalenceQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(withdrawn_at__isnull=True)


class Equivalence(models.Model):
    """An approved crosswalk: an outside credential or another organization's
    module counts as one of ours (or, with no module, is accepted as itself)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="equivalences"
    )
    issuer = models.CharField(
        max_length=100,
        help_text="The other organization's slug, or the outside issuer's id.",
    )
    achievement = models.CharField(
        max_length=200, help_text="Its module code or achievement identifier."
    )
    module = models.ForeignKey(
        Module,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="equivalences",
        help_text="Our module it counts as; empty to accept it for external rules.",
    )
    note = models.TextField(blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = EquivalenceQuerySet.as_manager()

    class Meta:
        ordering = ["issuer", "achievement", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "issuer", "achievement", "module"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_live_equivalence",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        target = self.module.code if self.module_id else "accepted"
        return f"{self.achievement} of {self.issuer} → {target}"


class Reevaluation(models.Model):
    """A batched re-evaluation of every learner enrolled in a pathway version."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    version = models.ForeignKey(
        PathwayVersion, on_delete=models.CASCADE, related_name="reevaluations"
    )
    reason = models.CharField(max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    recorded = models.PositiveIntegerField(default=0)
    voided = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A running job writes a heartbeat after each batch; one whose heartbeat
    # stopped (its worker died) is started again by the sweep, which says so
    # in `note` for the job's page.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Re-evaluation of {self.version} ({self.status})"

    @property
    def percent(self) -> int:
        return round(100 * self.processed / self.total) if self.total else 100
