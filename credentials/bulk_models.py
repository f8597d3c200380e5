"""Bulk awards: an admin's CSV that awards a module or pathway directly to a
list of people (credentials.services.bulk_awards). Imported by models.py so
that Django registers them with this app."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts.models import Organization
from assessments.models import ModuleCompletion
from curriculum.models import ModuleVersion
from pathways.models import PathwayCompletion, PathwayVersion


class BulkAward(models.Model):
    """A bulk award CSV that passed its dry run, then awarded by a bulk task
    (a job of accounts/jobs.py: claimed, held, taken over by the sweep)."""

    class Status(models.TextChoices):
        CHECKED = "checked", "Checked, not awarded yet"
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Awarding"
        DONE = "done", "Awarded"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="bulk_awards"
    )
    file = models.FileField(upload_to="bulk-awards/%Y/%m/")
    filename = models.CharField(max_length=200)
    rows = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.CHECKED
    )
    plan = models.JSONField(default=dict, blank=True)  # the dry run's counts
    result = models.JSONField(default=dict, blank=True)  # what the job did
    # One entry a row: [line, person, achievement, issue date, outcome, link].
    outcomes = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Bulk award {self.filename} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("credentials:bulk-award", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class DirectAward(models.Model):
    """One person's award from a bulk job: the completion it recorded, with
    the narrative and evidence that go into the credential."""

    job = models.ForeignKey(BulkAward, on_delete=models.CASCADE, related_name="awards")
    line = models.PositiveIntegerField()
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    module_version = models.ForeignKey(
        ModuleVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pathway_version = models.ForeignKey(
        PathwayVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    module_completion = models.OneToOneField(
        ModuleCompletion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="direct_award",
    )
    pathway_completion = models.OneToOneField(
        PathwayCompletion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="direct_award",
    )
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    narrative = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "line"]
        constraints = [
            # The same person, achievement and issue date is awarded once,
            # however often the file is uploaded.
            models.UniqueConstraint(
                fields=["learner", "module_version", "issued_on"],
                condition=Q(module_version__isnull=False),
                name="one_direct_module_award_a_day",
            ),
            models.UniqueConstraint(
                fields=["learner", "pathway_version", "issued_on"],
                condition=Q(pathway_version__isnull=False),
                name="one_direct_pathway_award_a_day",
            ),
            models.CheckConstraint(
                condition=Q(module_version__isnull=True)
                ^ Q(pathway_version__isnull=True),
                name="direct_award_of_module_or_pathway",
            ),
        ]

    def __str__(self) -> str:
        return f"Line {self.line} of {self.job}"
