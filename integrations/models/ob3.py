"""The 1EdTech Open Badges 3.0 API's tables: the hosts (wallets, backpacks)
that registered themselves, the apps each person allowed, and the
credentials hosts pushed to a person (docs/decisions/0017)."""

from django.conf import settings
from django.db import models


class HostRegistration(models.Model):
    """What a host said of itself when it registered (RFC 7591): the client is
    a django-oauth-toolkit Application, limited to the scopes it registered."""

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="ob3_host",
    )
    client_uri = models.URLField(max_length=500)
    logo_uri = models.URLField(max_length=500)
    tos_uri = models.URLField(max_length=500)
    policy_uri = models.URLField(max_length=500)
    software_id = models.CharField(max_length=200)
    software_version = models.CharField(max_length=100)
    contacts = models.JSONField(default=list, blank=True)
    # The scopes it registered for, space-separated; it is never given others.
    scope = models.TextField()
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-registered_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.application.name} ({self.software_id})"

    @property
    def scopes(self) -> list[str]:
        return self.scope.split()


class AppAuthorization(models.Model):
    """A person allowed an OAuth app to act for them: shown on their
    “Connected apps” page until they take it back."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="app_authorizations",
    )
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="authorizations",
    )
    # The scopes of the latest consent, space-separated.
    scope = models.TextField(blank=True)
    authorized_at = models.DateTimeField()
    # Recorded at most once a minute (a write per call would double a read's cost).
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-authorized_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "application"], name="one_authorization_per_app"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} allowed {self.application}"

    @property
    def scopes(self) -> list[str]:
        return self.scope.split()


class PushedCredential(models.Model):
    """An Open Badges credential a host stored for a person (upsertCredential).
    One per issuer and credential id (OB 3.0 “credential equality”): pushing
    it again replaces it."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pushed_credentials",
    )
    issuer_id = models.CharField(max_length=500)
    credential_id = models.CharField(max_length=500)
    credential = models.JSONField()
    # The compact JWS it came as, when it came signed as a VC-JWT.
    jwt = models.TextField(blank=True)
    # When it was issued, as it says (validFrom, or issuanceDate on VC 1.1).
    issued_at = models.DateTimeField()
    # The verdict of Cairn's verification when it was stored, and why.
    verdict = models.CharField(max_length=20)
    verdict_text = models.TextField(blank=True)
    pushed_by = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "issuer_id", "credential_id"],
                name="one_pushed_credential_per_issuer_and_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.credential_id} for {self.learner}"
