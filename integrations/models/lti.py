"""LTI 1.3 Advantage: the platforms (LMSs) an organization registered, the
tool's own key pair, the courses and links they launch from, the people they
launch, and the award rules that turn the course's grades into completions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts import sealing
from accounts.models import Organization
from assessments.models import Cohort, ModuleCompletion
from curriculum.models import Module
from pathways.models import Pathway

TOOL_KEY_PURPOSE = b"cairn lti tool key v1"


def default_letter_scale() -> list[list]:
    """Letters from the highest, each with the lowest percentage that earns it."""
    return [["A", 90], ["B", 80], ["C", 70], ["D", 60], ["F", 0]]


class LtiToolKey(models.Model):
    """The RSA key pair Cairn signs with towards an organization's platforms
    (client assertions, deep-linking responses). The private half is sealed
    like the signing keys (accounts/sealing.py); the public half is served at
    the organization's JWKS URL."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="lti_tool_keys"
    )
    kid = models.CharField(max_length=64, unique=True)
    private_key_sealed = models.BinaryField()
    public_jwk = models.JSONField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(is_active=True),
                name="one_active_lti_tool_key",
            )
        ]

    def __str__(self) -> str:
        return self.kid

    def _binding(self) -> bytes:
        return f"lti-tool-key:{self.kid}".encode()

    def seal_private_key(self, pem: bytes) -> None:
        self.private_key_sealed = sealing.seal(
            pem, purpose=TOOL_KEY_PURPOSE, associated_data=self._binding()
        )

    def open_private_key(self) -> str:
        return sealing.unseal(
            self.private_key_sealed,
            purpose=TOOL_KEY_PURPOSE,
            associated_data=self._binding(),
        ).decode("ascii")


class LtiPlatform(models.Model):
    """A learning platform registered by an organization's admin."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="lti_platforms"
    )
    name = models.CharField(max_length=120)
    issuer = models.URLField(max_length=300)
    client_id = models.CharField(max_length=200)
    deployment_ids = models.JSONField(default=list, blank=True)
    auth_login_url = models.URLField(max_length=500)
    auth_token_url = models.URLField(max_length=500)
    auth_audience = models.CharField(max_length=500, blank=True)
    key_set_url = models.URLField(max_length=500, blank=True)
    key_set = models.JSONField(null=True, blank=True)
    link_by_email = models.BooleanField(
        default=False,
        help_text="Link a launch to an existing account with the same verified "
        "e-mail address.",
    )
    # [[letter, lowest percentage], ...] from the highest letter down to one
    # that starts at 0 (integrations/lti/rules.py reads it).
    letter_scale = models.JSONField(default=default_letter_scale)
    # Origins of the platform's course pages where they differ from its issuer
    # and login URL (Canvas: https://college.instructure.com): they may frame
    # Cairn's login, storage and refusal pages before any session exists.
    frame_origins = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "client_id"], name="one_lti_platform_per_client"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.key_set_url and not self.key_set:
            raise ValidationError(
                {"key_set_url": "Give the platform's key set URL or its keys."}
            )


class LtiContext(models.Model):
    """A course on a platform, as its launches describe it."""

    platform = models.ForeignKey(
        LtiPlatform, on_delete=models.CASCADE, related_name="contexts"
    )
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    cohort = models.OneToOneField(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    memberships_url = models.URLField(max_length=500, blank=True)
    lineitems_url = models.URLField(max_length=500, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    members_synced_at = models.DateTimeField(null=True, blank=True)
    results_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["platform", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "context_id"], name="one_lti_context_per_id"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.context_id


class LtiResourceLink(models.Model):
    """A link placed in a course, and the Cairn page it opens."""

    context = models.ForeignKey(
        LtiContext, on_delete=models.CASCADE, related_name="links"
    )
    resource_link_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    module = models.ForeignKey(
        Module, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pathway = models.ForeignKey(
        Pathway, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["context", "resource_link_id"], name="one_lti_link_per_id"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.resource_link_id


class LtiIdentity(models.Model):
    """A platform's user (its `sub`) linked to a Cairn account."""

    platform = models.ForeignKey(
        LtiPlatform, on_delete=models.CASCADE, related_name="identities"
    )
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_ids"
    )
    email = models.EmailField(blank=True)
    name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_launch_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "LTI identities"
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "subject"], name="one_lti_identity_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} on {self.platform}"


class LtiMember(models.Model):
    """A course member as Names and Role Provisioning Services last said."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        WITHDRAWN = "withdrawn", "Withdrawn"

    context = models.ForeignKey(
        LtiContext, on_delete=models.CASCADE, related_name="members"
    )
    identity = models.ForeignKey(
        LtiIdentity, on_delete=models.CASCADE, related_name="memberships"
    )
    roles = models.JSONField(default=list, blank=True)
    is_instructor = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["context", "identity"], name="one_lti_member_per_course"
            )
        ]

    def __str__(self) -> str:
        return f"{self.identity} in {self.context}"


class LtiAwardRule(models.Model):
    """Every listed line item at or above `min_percent`, or graded at least
    `min_letter` on the platform's letter scale, completes `module`."""

    context = models.ForeignKey(
        LtiContext, on_delete=models.CASCADE, related_name="award_rules"
    )
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="+")
    line_items = models.JSONField(default=list)
    line_item_labels = models.JSONField(default=dict, blank=True)
    min_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    min_letter = models.CharField(max_length=8, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["context", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_percent__gte=0) & Q(min_percent__lte=100),
                name="lti_rule_percent_in_range",
            ),
            models.CheckConstraint(
                condition=(Q(min_percent__isnull=False) & Q(min_letter=""))
                | (Q(min_percent__isnull=True) & ~Q(min_letter="")),
                name="lti_rule_percent_or_letter",
            ),
        ]

    def __str__(self) -> str:
        if self.min_letter:
            return f"{self.module} at {self.min_letter}"
        return f"{self.module} at {self.min_percent} %"


class LtiResultCompletion(models.Model):
    """The LMS evidence behind a completion an award rule recorded: which
    platform, course, line items, scores, and when."""

    rule = models.ForeignKey(
        LtiAwardRule, on_delete=models.CASCADE, related_name="completions"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    completion = models.OneToOneField(
        ModuleCompletion, on_delete=models.CASCADE, related_name="lti_evidence"
    )
    scores = models.JSONField(default=dict)
    letters = models.JSONField(default=dict, blank=True)  # for a letter rule
    recorded_at = models.DateTimeField()
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "learner"],
                condition=Q(voided_at__isnull=True),
                name="one_live_lti_completion_per_rule",
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} by {self.rule}"


class LtiSync(models.Model):
    """One reading of a course's members and results: queued, claimed by a
    worker, and done or failed. A sync whose worker died is taken over by the
    sweep (integrations/lti/syncs.py), and failed after MAX_ATTEMPTS."""

    class Status(models.TextChoices):
        # PENDING is the name accounts/jobs.py's claim() looks for.
        PENDING = "queued", "Waiting to start"
        RUNNING = "running", "Reading from the learning platform"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        LAUNCH = "launch", "Someone opened Cairn from the course"
        INSTRUCTOR = "instructor", "An instructor asked for it"
        RULE = "rule", "Grades were mapped to a module"
        SCHEDULE = "schedule", "The regular schedule"

    context = models.ForeignKey(
        LtiContext, on_delete=models.CASCADE, related_name="syncs"
    )
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)  # why it failed, or was started again

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Launches come in bursts: they share the sync already waiting.
            models.UniqueConstraint(
                fields=["context"],
                condition=Q(status="queued"),
                name="one_queued_lti_sync_per_course",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Sync of {self.context} ({self.status})"


class LtiGradebookColumn(models.Model):
    """A line item in the course's gradebook showing each learner's progress
    in a pathway, kept up to date by Cairn while it is switched on."""

    context = models.ForeignKey(
        LtiContext, on_delete=models.CASCADE, related_name="gradebook_columns"
    )
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="+")
    # The platform's id (URL) of the line item, once found or created.
    line_item = models.URLField(max_length=500, blank=True)
    is_on = models.BooleanField(default=False)
    switched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    switched_at = models.DateTimeField()
    # When the platform said its line item no longer exists (someone deleted
    # the column in the gradebook): the column was switched off then, and
    # switching it on again adds a new one.
    gone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["context", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["context", "pathway"], name="one_lti_column_per_pathway"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pathway} progress in {self.context}"


class LtiPostedScore(models.Model):
    """The last score posted to a column's line item for a learner: a score
    is posted again only when it changes."""

    column = models.ForeignKey(
        LtiGradebookColumn, on_delete=models.CASCADE, related_name="posted_scores"
    )
    identity = models.ForeignKey(
        LtiIdentity, on_delete=models.CASCADE, related_name="+"
    )
    # The line item it went to: a column whose line item was replaced (deleted
    # in the platform, then found anew) posts everything again.
    line_item = models.URLField(max_length=500)
    percent = models.PositiveSmallIntegerField()
    posted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["column", "identity"], name="one_lti_posted_score"
            ),
            models.CheckConstraint(
                condition=Q(percent__lte=100), name="lti_posted_percent_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.percent} % for {self.identity}"
