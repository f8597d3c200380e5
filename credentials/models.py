import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from assessments.models import ModuleCompletion
from curriculum.models import Organization
from pathways.models import PathwayCompletion


class SigningKey(models.Model):
    """An organization's Ed25519 key. Old keys stay to verify what they signed."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="signing_keys"
    )
    # The raw 32-byte seed. Encryption at rest comes with key management (issue 8).
    seed = models.BinaryField()
    public_multibase = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["organization", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(is_active=True),
                name="one_active_key_per_organization",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} key {self.public_multibase[:12]}…"


class Award(models.Model):
    """The signed, shareable form of one completion: an Open Badges 3.0 credential."""

    class Kind(models.TextChoices):
        MODULE = "module", "Module"
        PATHWAY = "pathway", "Pathway"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="awards"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="awards"
    )
    # One award per completion: the database, not the task, guarantees it.
    module_completion = models.OneToOneField(
        ModuleCompletion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award",
    )
    pathway_completion = models.OneToOneField(
        PathwayCompletion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award",
    )
    achievement_name = models.CharField(max_length=200)
    signing_key = models.ForeignKey(
        SigningKey, on_delete=models.PROTECT, related_name="+"
    )
    credential = models.JSONField()
    issued_at = models.DateTimeField()
    pdf = models.FileField(upload_to="certificates/", blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-issued_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="module", module_completion__isnull=False)
                    & Q(pathway_completion__isnull=True)
                )
                | (
                    Q(kind="pathway", pathway_completion__isnull=False)
                    & Q(module_completion__isnull=True)
                ),
                name="award_names_one_completion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.achievement_name} for {self.learner}"

    def get_absolute_url(self) -> str:
        return reverse("credentials:verify", args=[self.uuid])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
