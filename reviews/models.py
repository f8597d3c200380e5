"""Advisory boards, their members, and the review rounds they hold on versions.

A review names its version by type label and id (like curriculum's
VersionTransition) so that module and pathway versions share one table and this
app does not import the apps above it. Comments anchor to an outcome, a rubric
criterion or a rule node by a stored anchor: kind, key and a readable label.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts.models import Organization


class AdvisoryBoard(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="advisory_boards"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    approvals_needed = models.PositiveSmallIntegerField(
        default=2, help_text="How many members must approve a version."
    )
    rejections_allowed = models.PositiveSmallIntegerField(
        default=0, help_text="How many rejections a version survives (0: none)."
    )
    review_days = models.PositiveSmallIntegerField(
        default=14, help_text="The usual time a board has to review, in days."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="board_name"),
            models.CheckConstraint(
                condition=Q(approvals_needed__gte=1), name="board_needs_an_approval"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reviews:board-detail", args=[self.pk])

    @property
    def policy_text(self) -> str:
        rejections = (
            "no rejection"
            if self.rejections_allowed == 0
            else f"at most {self.rejections_allowed} "
            f"{'rejection' if self.rejections_allowed == 1 else 'rejections'}"
        )
        approvals = "approval" if self.approvals_needed == 1 else "approvals"
        return f"{self.approvals_needed} {approvals}, {rejections}"


class BoardMember(models.Model):
    """A seat on a board: invited by e-mail, taken when the invitation is accepted.
    An outside practitioner's account reaches only what their board reviews."""

    board = models.ForeignKey(
        AdvisoryBoard, on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="board_seats",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    is_practitioner = models.BooleanField(
        default=True, help_text="An outside practitioner rather than staff."
    )
    is_named_publicly = models.BooleanField(
        default=False,
        help_text="The member agreed to be named on public version histories.",
    )
    # Only a hash of the invitation token is stored; the token is in the e-mail.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    invited_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["board", "name"]
        constraints = [
            models.UniqueConstraint(fields=["board", "email"], name="one_seat_a_mail"),
            models.UniqueConstraint(
                fields=["board", "user"],
                condition=Q(user__isnull=False),
                name="one_seat_a_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.board}"

    @property
    def is_active(self) -> bool:
        return self.accepted_at is not None


class Review(models.Model):
    """One round of a board's review of one version."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    board = models.ForeignKey(
        AdvisoryBoard, on_delete=models.PROTECT, related_name="reviews"
    )
    version_type = models.CharField(max_length=60)
    version_id = models.PositiveBigIntegerField()
    version_label = models.CharField(max_length=300)
    round = models.PositiveSmallIntegerField(default=1)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    due_on = models.DateField()
    note = models.TextField(blank=True)
    # What the board was shown: the version's content when this round began.
    content = models.JSONField(default=dict)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.OPEN
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.TextField(blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version_type", "version_id", "round"], name="review_round"
            ),
            models.UniqueConstraint(
                fields=["version_type", "version_id"],
                condition=Q(status="open"),
                name="one_open_review",
            ),
        ]
        indexes = [models.Index(fields=["version_type", "version_id"])]

    def __str__(self) -> str:
        return f"{self.version_label}, round {self.round}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:review-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Declaration(models.Model):
    """A member's declaration of interest for one review, made before voting."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="declarations"
    )
    member = models.ForeignKey(
        BoardMember, on_delete=models.CASCADE, related_name="declarations"
    )
    has_conflict = models.BooleanField()
    note = models.TextField(blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "member"], name="one_declaration")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {'conflict' if self.has_conflict else 'no conflict'}"


class Vote(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"
        REJECT = "reject", "Reject"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(
        BoardMember, on_delete=models.PROTECT, related_name="votes"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason = models.TextField()
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cast_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "member"], name="one_vote")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.decision}"


class Comment(models.Model):
    class Anchor(models.TextChoices):
        OUTCOME = "outcome", "Outcome"
        CRITERION = "criterion", "Rubric criterion"
        RULE = "rule", "Rule"
        GENERAL = "general", "The version as a whole"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        RESOLVED = "resolved", "Resolved"

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    anchor_kind = models.CharField(max_length=20, choices=Anchor.choices)
    anchor_key = models.CharField(max_length=200, blank=True)
    anchor_label = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.OPEN
    )
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"On {self.anchor_label}: {self.body[:40]}"
