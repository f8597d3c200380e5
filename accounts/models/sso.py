"""Single sign-on: an organization's identity providers and the rules that turn
what a provider says about a person into Cairn roles (docs/decisions/0013)."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from accounts import sealing
from accounts.models.organizations import Membership, Organization

# The HKDF purpose of sealed client secrets: never opens as a signing key.
CLIENT_SECRET_PURPOSE = b"cairn identity-provider client secret v1"

domain_validator = RegexValidator(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    "Enter a domain such as example.edu (no @, no scheme).",
)


class IdentityProvider(models.Model):
    """An OpenID Connect provider or SAML 2.0 identity provider one organization
    signs its people in with. allauth sees each as a SocialApp
    (accounts/sso/adapter.py)."""

    class Protocol(models.TextChoices):
        OIDC = "oidc", "OpenID Connect"
        SAML = "saml", "SAML 2.0"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="identity_providers"
    )
    name = models.CharField(
        max_length=100, help_text="What the login page's button says: 'Sign in with …'."
    )
    # Names the provider in its sign-in URLs (/auth/oidc/<slug>/…, /auth/saml/<slug>/…)
    # and in allauth's SocialAccount.provider: it never changes once people use it.
    slug = models.SlugField(unique=True, max_length=60)
    protocol = models.CharField(max_length=10, choices=Protocol.choices)
    is_active = models.BooleanField(default=True)

    # OpenID Connect
    discovery_url = models.URLField(
        blank=True,
        max_length=500,
        help_text="The issuer or its /.well-known/openid-configuration.",
    )
    client_id = models.CharField(max_length=255, blank=True)
    client_secret_sealed = models.BinaryField(blank=True, default=b"", editable=False)

    # SAML 2.0
    metadata_url = models.URLField(blank=True, max_length=500)
    entity_id = models.CharField(
        max_length=500, blank=True, help_text="The identity provider's entity ID."
    )
    sso_url = models.URLField(
        blank=True, max_length=500, help_text="Without a metadata URL: its SSO URL."
    )
    x509_certificate = models.TextField(
        blank=True, help_text="Without a metadata URL: its signing certificate (PEM)."
    )

    # What a person's attributes are called; defaults suit most providers.
    email_attribute = models.CharField(max_length=200, blank=True)
    given_name_attribute = models.CharField(max_length=200, blank=True)
    family_name_attribute = models.CharField(max_length=200, blank=True)
    email_verified_attribute = models.CharField(max_length=200, blank=True)

    email_domains = models.JSONField(default=list, blank=True)
    allows_local_passwords = models.BooleanField(
        default=True,
        help_text="Members may still log in with a Cairn password as well.",
    )
    default_role = models.CharField(
        max_length=20,
        choices=Membership.Role.choices,
        blank=True,
        default=Membership.Role.LEARNER,
        help_text="The role of a person no rule matches (blank: no role).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(protocol__in=["oidc", "saml"]),
                name="identity_provider_protocol_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_protocol_display()})"

    def clean(self) -> None:
        errors = {}
        if self.protocol == self.Protocol.OIDC:
            if not self.discovery_url:
                errors["discovery_url"] = (
                    "An OpenID Connect provider needs its discovery URL."
                )
            if not self.client_id:
                errors["client_id"] = "An OpenID Connect provider needs a client ID."
        elif self.protocol == self.Protocol.SAML:
            if not self.entity_id:
                errors["entity_id"] = "A SAML identity provider needs its entity ID."
            if not self.metadata_url and not (self.sso_url and self.x509_certificate):
                errors["metadata_url"] = (
                    "Give the metadata URL, or the SSO URL and the signing certificate."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def has_client_secret(self) -> bool:
        return bool(self.client_secret_sealed)

    def _secret_binding(self) -> bytes:
        # The slug binds the sealed secret to its row: copied, it does not open.
        return f"identity-provider:{self.slug}".encode()

    def seal_client_secret(self, secret: str) -> None:
        self.client_secret_sealed = (
            sealing.seal(
                secret.encode("utf-8"),
                purpose=CLIENT_SECRET_PURPOSE,
                associated_data=self._secret_binding(),
            )
            if secret
            else b""
        )

    def open_client_secret(self) -> str:
        if not self.client_secret_sealed:
            return ""
        return sealing.unseal(
            self.client_secret_sealed,
            purpose=CLIENT_SECRET_PURPOSE,
            associated_data=self._secret_binding(),
        ).decode("utf-8")


class RoleRule(models.Model):
    """When the provider says `attribute` holds `value`, the person holds `role`."""

    identity_provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="role_rules"
    )
    attribute = models.CharField(
        max_length=200, help_text="A claim or attribute name, such as groups."
    )
    value = models.CharField(max_length=500)
    role = models.CharField(max_length=20, choices=Membership.Role.choices)

    class Meta:
        ordering = ["attribute", "value", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["identity_provider", "attribute", "value", "role"],
                name="one_role_rule_per_match",
            )
        ]

    def __str__(self) -> str:
        return f"{self.attribute} = {self.value} → {self.role}"
