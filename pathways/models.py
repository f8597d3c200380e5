from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from curriculum.models import Organization, VersionedContent


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

    class Meta:
        ordering = ["enrolled_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "version"], name="one_enrolment")
        ]

    def __str__(self) -> str:
        return f"{self.learner} in {self.version}"


class PathwayCompletionQuerySet(models.QuerySet):
    def live(self):
        return self.filter(voided_at__isnull=True)


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

    objects = PathwayCompletionQuerySet.as_manager()

    class Meta:
        ordering = ["completed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "version"],
                condition=Q(voided_at__isnull=True),
                name="one_live_pathway_completion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} completed {self.version}"
