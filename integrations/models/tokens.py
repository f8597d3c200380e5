"""Credentials for machines: personal access tokens, organization service
accounts and the OAuth clients an organization registers.

A token's secret is shown once; only its SHA-256 is kept, with a short visible
prefix so that people can tell their tokens apart (docs/decisions/0015)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization


class Scope(models.TextChoices):
    """What kind of call a token may make; its user's roles still decide on
    which objects (integrations/tokens/scopes.py maps every endpoint)."""

    READ = "read", "Read"
    GRADE = "grade", "Grade submissions"
    ISSUE = "issue", "Issue, revoke and suspend credentials"
    ADMIN = "admin", "Every other change the account's roles allow"


class ServiceAccount(models.Model):
    """A named machine member of one organization. It signs in as its own user
    (with no password), holds roles there like a person, and acts nowhere else."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="service_accounts"
    )
    name = models.CharField(max_length=100)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="service_account",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="one_service_account_name_per_organization",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization})"

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Neither revoked nor expired, and not of a deactivated service account."""
        return self.filter(
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        ).filter(
            Q(service_account__isnull=True)
            | Q(service_account__deactivated_at__isnull=True)
        )


class ApiToken(models.Model):
    """A bearer token acting as `user`: a person's personal access token, or a
    service account's token (then `user` is the service account's user)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    service_account = models.ForeignKey(
        ServiceAccount,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tokens",
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=24, unique=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class OAuthClient(models.Model):
    """An OAuth application an organization registered. Its client-credentials
    tokens act as its own service account, within the organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="oauth_clients"
    )
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="cairn_client",
    )
    service_account = models.OneToOneField(
        ServiceAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="oauth_client",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.application.name} ({self.organization})"
