"""Certificate templates: an organization's designs, their frozen versions and
which module or pathway uses which (imported by credentials/models.py)."""

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts.models import Organization
from curriculum.models import Module
from pathways.models import Pathway


class CertificateTemplate(models.Model):
    """A named certificate design: a draft that is edited, and the versions
    published from it, which never change."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="certificate_templates"
    )
    name = models.CharField(max_length=100)
    # Used by every module and pathway that chose no template.
    is_default = models.BooleanField(default=False)
    # The settings being edited (credentials/certificate_design.py), signature
    # and logo images as data: URIs.
    draft = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "-is_default", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(is_default=True),
                name="one_default_certificate_template_per_organization",
            ),
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="certificate_template_names_unique_per_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "credentials:certificate-template",
            args=[self.organization.slug, self.pk],
        )

    @property
    def draft_stamp(self) -> int:
        """Changes with each save of the draft: makes the preview frame reload."""
        return int(self.updated_at.timestamp() * 1000)

    @property
    def latest_version(self) -> "CertificateTemplateVersion | None":
        return self.versions.order_by("-number").first()


class TemplateVersionFrozen(ValidationError):
    """A published template version is never changed."""


class CertificateTemplateVersion(models.Model):
    """A published template version: what a certificate was made with."""

    template = models.ForeignKey(
        CertificateTemplate, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    settings = models.JSONField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="one_certificate_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} version {self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TemplateVersionFrozen(
                "A published template version cannot be changed: edit the draft "
                "and publish a new version."
            )
        super().save(*args, **kwargs)


class CertificateTemplateChoice(models.Model):
    """The template a module or a pathway's certificates use; without one,
    the organization's default template."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+"
    )
    module = models.OneToOneField(
        Module,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certificate_choice",
    )
    pathway = models.OneToOneField(
        Pathway,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certificate_choice",
    )
    template = models.ForeignKey(
        CertificateTemplate, on_delete=models.PROTECT, related_name="choices"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(module__isnull=False) & Q(pathway__isnull=True))
                | (Q(module__isnull=True) & Q(pathway__isnull=False)),
                name="certificate_choice_names_module_or_pathway",
            )
        ]

    def __str__(self) -> str:
        return f"{self.module or self.pathway}: {self.template}"
