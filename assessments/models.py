from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from curriculum.models import ModuleVersion, Outcome


class AssessmentTask(models.Model):
    version = models.ForeignKey(
        ModuleVersion, on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    conditions = models.TextField(
        blank=True, help_text="Where, when and how the task is done (time, setting)."
    )
    tools = models.TextField(
        blank=True,
        verbose_name="tools and constraints",
        help_text="What the learner may and may not use.",
    )
    success_criteria = models.TextField(
        blank=True, help_text="What a successful piece of work shows, in plain words."
    )
    accepts_text = models.BooleanField(default=True)
    accepts_links = models.BooleanField(default=True)
    accepts_files = models.BooleanField(default=True)
    file_types = models.JSONField(
        default=list,
        blank=True,
        help_text="Accepted file types (MIME types); empty accepts every type "
        "Cairn takes as evidence.",
    )
    max_attempts = models.PositiveSmallIntegerField(default=3)
    retake_wait_days = models.PositiveSmallIntegerField(default=0)
    # Second marking: a share of finalised first marks, and every pass within
    # borderline_points of the rubric's minimum total, go to a second grader.
    second_mark_percent = models.PositiveSmallIntegerField(default=0)
    borderline_points = models.PositiveSmallIntegerField(null=True, blank=True)
    moderation_tolerance = models.PositiveSmallIntegerField(
        default=0,
        help_text="Points two graders may differ by before a moderator decides.",
    )

    class Meta:
        ordering = ["version", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(second_mark_percent__lte=100),
                name="second_mark_percent_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1), name="task_allows_an_attempt"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessments:task-detail", args=[self.pk])


class Rubric(models.Model):
    """Criteria x ordered levels, with a pass policy."""

    class Kind(models.TextChoices):
        ANALYTIC = "analytic", "Analytic (a level for each criterion)"
        HOLISTIC = "holistic", "Holistic (one overall judgement)"
        SINGLE_POINT = "single_point", "Single-point (one standard per criterion)"

    task = models.OneToOneField(
        AssessmentTask, on_delete=models.CASCADE, related_name="rubric"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ANALYTIC)
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
    min_level = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Pass needs at least this level (0 = lowest) on this criterion.",
    )

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
        DRAFT = "draft", "Draft, not submitted"
        SUBMITTED = "submitted", "Waiting for grading"
        SECOND_MARKING = "second_marking", "Being second-marked"
        MODERATION = "moderation", "With a moderator"
        GRADED = "graded", "Graded"

    # Statuses in which the work waits for a decision: the learner sees no marks.
    PENDING = frozenset({Status.SUBMITTED, Status.SECOND_MARKING, Status.MODERATION})

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
    link = models.URLField(blank=True, help_text="The first of links.")
    links = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    second_marker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_marking",
    )
    second_marking_reason = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "learner", "attempt"], name="one_submission_per_attempt"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="submitted_work_has_a_time",
            ),
        ]
        indexes = [
            # The grading queue, oldest first: the few pieces of work waiting
            # among millions graded (the statuses in the queue's order).
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status__in=["submitted", "second_marking", "moderation"]),
                name="submission_waiting",
            ),
            # The queue's counts at a glance, by task: what a grader's
            # organizations wait for, read from the index alone (issue 17: at
            # 8 million submissions in ten colleges, ANDing the task index with
            # submission_waiting took 180 ms; this takes 7).
            models.Index(
                fields=["task", "status", "submitted_at"],
                include=["id", "learner", "second_marker"],
                condition=Q(status__in=["submitted", "second_marking", "moderation"]),
                name="submission_waiting_by_task",
            ),
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
    changed_at = models.DateTimeField(null=True, blank=True)
    change_reason = models.TextField(blank=True)
    # When an appeal turned this pass into a fail. Such an attempt does not count
    # against the task's attempt limit (assessments/services/submissions.py).
    overturned_at = models.DateTimeField(null=True, blank=True)

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
        LMS = "lms", "Result in a learning platform"
        AWARDED = "awarded", "Awarded directly by the organization"

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
    # When Cairn wrote it down, which a back-dated completion (a bulk award of
    # last term, an LMS result) does not share with completed_at: the sweep
    # looks for completions recorded after a learner's last evaluation.
    recorded_at = models.DateTimeField(default=timezone.now)
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


class Mark(models.Model):
    """One grader's levels for a submission. The official result is the Grade;
    marks are the work behind it (first and second marks, a moderator's decision,
    a calibration anchor and graders' attempts at it)."""

    class Role(models.TextChoices):
        FIRST = "first", "First mark"
        SECOND = "second", "Second mark (blind)"
        MODERATOR = "moderator", "Moderator's decision"
        ANCHOR = "anchor", "Calibration anchor"
        CALIBRATION = "calibration", "Calibration attempt"

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="marks"
    )
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="marks"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    comment = models.TextField(blank=True)
    total = models.PositiveIntegerField(default=0)
    passed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submission", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "role", "grader"], name="one_mark_per_role"
            ),
            models.UniqueConstraint(
                fields=["submission", "role"],
                condition=Q(role__in=["first", "second", "moderator", "anchor"]),
                name="one_official_mark_per_role",
            ),
        ]
        indexes = [
            # Calibration sets (permissions.uncalibrated_tasks): a few marks
            # among one for every graded piece of work.
            models.Index(
                fields=["role", "submission"],
                condition=Q(role__in=["anchor", "calibration"]),
                name="mark_calibration",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of {self.submission_id} by {self.grader}"

    @property
    def is_final(self) -> bool:
        return self.finalised_at is not None


class MarkLevel(models.Model):
    mark = models.ForeignKey(Mark, on_delete=models.CASCADE, related_name="levels")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["mark", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["mark", "criterion"], name="one_mark_level_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: level {self.level_id}"


class Cohort(models.Model):
    """A group of learners, and the faculty assigned to grade their work."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="cohorts"
    )
    name = models.CharField(max_length=120)
    learners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="learner_cohorts"
    )
    graders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="grading_cohorts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="cohort_name_per_organization"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assessments:cohort-detail", args=[self.pk])


def recognition_path(instance: "RecognitionDecision", filename: str) -> str:
    return f"recognition/{instance.learner_id}/{filename}"


class RecognitionDecision(models.Model):
    """An admin's decision on prior learning or an outside credential."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    class ProofStatus(models.TextChoices):
        NONE = "", "No signed credential"
        UNCHECKED = "unchecked", "Signature not checked"
        VERIFIED = "verified", "Signature verified"
        FAILED = "failed", "Signature did not verify"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recognition_decisions",
    )
    version = models.ForeignKey(
        ModuleVersion, on_delete=models.PROTECT, related_name="recognition_decisions"
    )
    source = models.CharField(
        max_length=20,
        choices=[
            (ModuleCompletion.Source.RECOGNITION, "Recognition of prior learning"),
            (ModuleCompletion.Source.EXTERNAL, "Accepted outside credential"),
        ],
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason = models.TextField()
    file = models.FileField(upload_to=recognition_path, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    badge = models.JSONField(
        default=dict, blank=True, help_text="What the outside credential states."
    )
    proof_status = models.CharField(
        max_length=20, choices=ProofStatus.choices, blank=True, default=""
    )
    proof_reason = models.TextField(
        blank=True, help_text="Why the proof verified, failed or was not checked."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    completion = models.OneToOneField(
        ModuleCompletion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recognition",
    )

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="declined", completion__isnull=True)
                | Q(decision="accepted", completion__isnull=False),
                name="accepted_recognition_has_a_completion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.learner} for {self.version}"


class GradeImport(models.Model):
    """An uploaded CSV of grades, checked on upload and imported by a bulk task."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    task = models.ForeignKey(
        AssessmentTask, on_delete=models.CASCADE, related_name="grade_imports"
    )
    file = models.FileField(upload_to="grade-imports/%Y/%m/")
    filename = models.CharField(max_length=200)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING
    )
    errors = models.JSONField(default=list, blank=True)
    imported = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the running import was claimed. The import is one transaction that
    # holds this row's lock to the end, so a running job whose row is not
    # locked has lost its worker: the sweep starts it again and says so in
    # `note` for the job's page (assessments/services/jobs.py).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:grade-import-detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
