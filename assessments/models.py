from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from curriculum.models import ModuleVersion, Outcome


class AssessmentTask(models.Model):
    version = models.ForeignKey(
        ModuleVersion, on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    retake_wait_days = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessments:task-detail", args=[self.pk])


class Rubric(models.Model):
    """An analytic rubric: criteria x ordered levels, with a pass policy."""

    task = models.OneToOneField(
        AssessmentTask, on_delete=models.CASCADE, related_name="rubric"
    )
    pass_min_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="Pass needs at least this many points in all."
    )
    pass_min_level = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Pass needs at least this level (0 = lowest) on every criterion.",
    )

    def __str__(self) -> str:
        return f"Rubric for {self.task}"


class Criterion(models.Model):
    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="criteria"
    )
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    outcomes = models.ManyToManyField(Outcome, blank=True, related_name="criteria")

    class Meta:
        ordering = ["rubric", "position", "pk"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.name


class Level(models.Model):
    """One cell of the grid: a criterion's performance level."""

    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="levels"
    )
    position = models.PositiveSmallIntegerField(help_text="0 is the lowest level.")
    name = models.CharField(max_length=80)
    points = models.PositiveIntegerField()
    descriptor = models.TextField(blank=True)

    class Meta:
        ordering = ["criterion", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "position"], name="level_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.points})"


class Submission(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for grading"
        GRADED = "graded", "Graded"

    task = models.ForeignKey(
        AssessmentTask, on_delete=models.PROTECT, related_name="submissions"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    attempt = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    text = models.TextField(blank=True)
    link = models.URLField(blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "learner", "attempt"], name="one_submission_per_attempt"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} by {self.learner} (attempt {self.attempt})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:submission-detail", args=[self.pk])


def evidence_path(instance: "EvidenceFile", filename: str) -> str:
    return (
        f"evidence/{instance.submission.learner_id}/{instance.submission_id}/{filename}"
    )


class EvidenceFile(models.Model):
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return self.original_name


class Grade(models.Model):
    submission = models.OneToOneField(
        Submission, on_delete=models.PROTECT, related_name="grade"
    )
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grades_given"
    )
    comment = models.TextField(blank=True)
    total = models.PositiveIntegerField()
    passed = models.BooleanField()
    graded_at = models.DateTimeField()

    def __str__(self) -> str:
        return (
            f"{self.submission}: {self.total} ({'pass' if self.passed else 'not yet'})"
        )


class CriterionGrade(models.Model):
    grade = models.ForeignKey(Grade, on_delete=models.CASCADE, related_name="criteria")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["grade", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["grade", "criterion"], name="one_level_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: level {self.level_id}"


class ModuleCompletionQuerySet(models.QuerySet):
    def live(self):
        return self.filter(voided_at__isnull=True)


class ModuleCompletion(models.Model):
    """The fact that a learner met a module version, and how."""

    class Source(models.TextChoices):
        GRADED = "graded", "Graded assessment"
        RECOGNITION = "recognition", "Recognition of prior learning"
        EXTERNAL = "external", "Accepted outside credential"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="module_completions",
    )
    version = models.ForeignKey(
        ModuleVersion, on_delete=models.PROTECT, related_name="completions"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    grade = models.OneToOneField(
        Grade,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="completion",
    )
    completed_at = models.DateTimeField()
    voided_at = models.DateTimeField(null=True, blank=True)

    objects = ModuleCompletionQuerySet.as_manager()

    class Meta:
        ordering = ["completed_at", "pk"]
        constraints = [
            # One live completion per learner and module version: a task
            # delivered twice or a double click cannot record a second one.
            models.UniqueConstraint(
                fields=["learner", "version"],
                condition=Q(voided_at__isnull=True),
                name="one_live_module_completion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} completed {self.version}"
