import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from assessments.models import ModuleCompletion
from credentials import dataintegrity, keystore
from pathways.models import PathwayCompletion


class SigningKey(models.Model):
    """An organization's Ed25519 key. Old keys stay to verify what they signed."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="signing_keys"
    )
    # The 32-byte seed sealed with the key-encryption key from the environment
    # (credentials/keystore.py); the database alone cannot sign.
    encrypted_seed = models.BinaryField()
    public_multibase = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    # What this key signed from this moment on is revoked; before it, it stands.
    compromised_at = models.DateTimeField(null=True, blank=True)
    compromise_reason = models.TextField(blank=True)

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

    def open_seed(self) -> bytes:
        return keystore.open_seed(
            self.encrypted_seed, public_multibase=self.public_multibase
        )

    @property
    def is_compromised(self) -> bool:
        return self.compromised_at is not None


class StatusList(models.Model):
    """One W3C Bitstring Status List of an issuer, with its signed credential."""

    class Purpose(models.TextChoices):
        REVOCATION = "revocation", "Revocation"
        SUSPENSION = "suspension", "Suspension"

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="status_lists"
    )
    # The DID the list is issued under: it must match its credentials' issuer,
    # which for did:key changes with each key.
    issuer_did = models.CharField(max_length=255)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    bits = models.BinaryField()
    # Indexes handed out, as a second bitstring, so that they can be random.
    assigned = models.BinaryField()
    assigned_count = models.PositiveIntegerField(default=0)
    # The signed BitstringStatusListCredential, regenerated when a bit changes.
    credential = models.JSONField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "purpose", "pk"]

    def __str__(self) -> str:
        return f"{self.organization} {self.purpose} list {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("credentials:status-list", args=[self.pk])


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
    # One standing award per completion (constraints below): the database, not
    # the task, guarantees it; a revoked one may be followed by a new one.
    module_completion = models.ForeignKey(
        ModuleCompletion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
    )
    pathway_completion = models.ForeignKey(
        PathwayCompletion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
    )
    achievement_name = models.CharField(max_length=200)
    signing_key = models.ForeignKey(
        SigningKey, on_delete=models.PROTECT, related_name="+"
    )
    credential = models.JSONField()
    issued_at = models.DateTimeField()
    pdf = models.FileField(upload_to="certificates/", blank=True)
    # The certificate design the PDF was rendered with; a different one (a new
    # template, a new logo) makes the sweep render it again.
    pdf_design = models.CharField(max_length=80, blank=True)
    # The certificate template version the PDF was made with (none: the
    # built-in design). Kept when it is rendered again for a new status or
    # logo; moved to a newer version only when an admin asks.
    pdf_template_version = models.ForeignKey(
        "credentials.CertificateTemplateVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # When the learner was told it was issued (the chain's last step; the PDF
    # is rendered when first asked for): a lost message leaves it empty and the
    # sweep tells them.
    notified_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.TextField(blank=True)
    # Where the award's two BitstringStatusListEntry bits are (null on awards
    # issued before status lists).
    revocation_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation_index = models.PositiveIntegerField(null=True, blank=True)
    suspension_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    suspension_index = models.PositiveIntegerField(null=True, blank=True)
    # The learner's choice: listed on their public profile and share pages.
    is_public = models.BooleanField(default=True)
    # The end of its validity, as its credential says (validUntil, or
    # expirationDate on VC 1.1); null if it never expires.
    expires_at = models.DateTimeField(null=True, blank=True)
    # Set when a renewal replaced it; it is not revoked, and stays as history.
    renewed_at = models.DateTimeField(null=True, blank=True)
    # The award this one renewed.
    renewal_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
    )

    class Meta:
        ordering = ["-issued_at", "pk"]
        indexes = [
            # An organization's awards, newest first (the admin's list), read a
            # page at a time instead of sorting millions.
            models.Index(
                fields=["organization", "-issued_at", "-id"],
                name="award_organization_newest",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["module_completion"],
                condition=Q(revoked_at__isnull=True, renewed_at__isnull=True),
                name="one_standing_award_per_module_completion",
            ),
            models.UniqueConstraint(
                fields=["pathway_completion"],
                condition=Q(revoked_at__isnull=True, renewed_at__isnull=True),
                name="one_standing_award_per_pathway_completion",
            ),
            models.UniqueConstraint(
                fields=["revocation_list", "revocation_index"],
                name="one_award_per_revocation_bit",
            ),
            models.UniqueConstraint(
                fields=["suspension_list", "suspension_index"],
                name="one_award_per_suspension_bit",
            ),
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
            ),
        ]

    def __str__(self) -> str:
        return f"{self.achievement_name} for {self.learner}"

    def get_absolute_url(self) -> str:
        return reverse("credentials:verify", args=[self.uuid])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def has_certificate(self) -> bool:
        """A PDF can be downloaded: rendered already, or rendered when first
        asked for (a revoked award without one gets none)."""
        return bool(self.pdf) or self.revoked_at is None

    @property
    def badge_alt(self) -> str:
        """The badge in words, as the signed credential's image caption says."""
        subject = self.credential.get("credentialSubject") or {}
        image = (subject.get("achievement") or {}).get("image")
        if isinstance(image, dict) and image.get("caption"):
            return image["caption"]
        return f"Badge of {self.achievement_name}"

    @property
    def proof_suite(self) -> str:
        """How it is signed, as a verifier reads it: the Data Integrity
        cryptosuite (eddsa-rdfc-2022) or the legacy suite's type."""
        proof = dataintegrity.first_proof(self.credential) or {}
        return proof.get("cryptosuite") or proof.get("type", "")

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    def is_expired(self, on) -> bool:
        return self.expires_at is not None and self.expires_at <= on

    @property
    def has_expired(self) -> bool:
        """Whether its validity has ended by now (templates ask this)."""
        return self.is_expired(timezone.now())


class ExpiryNotice(models.Model):
    """That the learner and their admin were told an award expires within
    `days` days: the constraint makes the reminder sweep send each one once."""

    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="expiry_notices"
    )
    days = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["award", "-days"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "days"], name="one_expiry_notice_per_threshold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.award} expires within {self.days} days"


class Endorsement(models.Model):
    """An advisory board's approval of a version, signed by the organization as
    an Open Badges 3.0 EndorsementCredential of the achievement."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="endorsements"
    )
    # One endorsement per approving review: the database says so.
    review = models.OneToOneField(
        "reviews.Review", on_delete=models.PROTECT, related_name="endorsement"
    )
    subject_id = models.URLField(max_length=500)
    comment = models.TextField()
    credential = models.JSONField()
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-issued_at", "pk"]

    def __str__(self) -> str:
        return f"Endorsement of {self.subject_id}"

    def get_absolute_url(self) -> str:
        return reverse("credentials:endorsement", args=[self.uuid])


class IssuerProfile(models.Model):
    """What an organization shows as an issuer beyond its name: its logo, and
    how it signs."""

    class ProofFormat(models.TextChoices):
        EDDSA_RDFC_2022 = "eddsa-rdfc-2022", "eddsa-rdfc-2022 on VC Data Model 2.0"
        ED25519_2020 = (
            "Ed25519Signature2020",
            "Ed25519Signature2020 on VC Data Model 1.1 (older wallets)",
        )

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="issuer_profile"
    )
    proof_format = models.CharField(
        max_length=40,
        choices=ProofFormat.choices,
        default=ProofFormat.EDDSA_RDFC_2022,
    )
    # A second credentialStatus entry, for suspension (W3C Bitstring Status List).
    # OB 3.0 and 1EdTech's JSON schema take one entry, so this is the issuer's
    # choice, off by default (docs/decisions/0002).
    suspension_entry = models.BooleanField(default=False)
    logo = models.BinaryField(blank=True)  # PNG or JPEG, checked on upload
    logo_type = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Issuer profile of {self.organization}"


class WalletRequest(models.Model):
    """A learner's one-time offer to send an award to their wallet: the deep link
    and QR code carry its URL and challenge; a wallet answers once."""

    # In the request URL the wallet posts to; the challenge is a second secret.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="wallet_requests"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    challenge = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="wallet_request_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"Wallet request for {self.award}"

    @property
    def is_used(self) -> bool:
        return self.used_at is not None


class WalletCredential(models.Model):
    """A copy of an award bound to the DID a wallet proved it controls
    (credentialSubject.id), signed when the wallet asked for it."""

    uuid = models.UUIDField(unique=True, editable=False)
    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, related_name="wallet_copies"
    )
    # One copy per request: the database, not the view, makes a request single-use.
    request = models.OneToOneField(
        WalletRequest, on_delete=models.PROTECT, related_name="wallet_credential"
    )
    holder_did = models.CharField(max_length=255)
    signing_key = models.ForeignKey(
        SigningKey, on_delete=models.PROTECT, related_name="+"
    )
    credential = models.JSONField()
    issued_at = models.DateTimeField()
    # Null when the copy carries the award's own status entries (the usual case);
    # set when those could not be reused because the issuer's did:key changed
    # with a key rotation, and then kept in step with the award's bits.
    revocation_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation_index = models.PositiveIntegerField(null=True, blank=True)
    suspension_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    suspension_index = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["revocation_list", "revocation_index"],
                name="one_wallet_copy_per_revocation_bit",
            ),
            models.UniqueConstraint(
                fields=["suspension_list", "suspension_index"],
                name="one_wallet_copy_per_suspension_bit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award} in wallet {self.holder_did[:24]}…"


# Certificate templates live in their own module; imported here so that Django
# registers them with this app.
from credentials.bulk_models import BulkAward, DirectAward  # noqa: E402, F401
from credentials.certificate_models import (  # noqa: E402, F401
    CertificateTemplate,
    CertificateTemplateChoice,
    CertificateTemplateVersion,
    TemplateVersionFrozen,
)
