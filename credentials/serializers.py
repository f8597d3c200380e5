from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from credentials.models import Award, Endorsement, IssuerProfile, SigningKey
from credentials.services import Verification


class AwardSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name")
    verify_url = serializers.SerializerMethodField()
    is_expired = serializers.SerializerMethodField(
        help_text="Whether its validUntil has passed: it verifies as expired."
    )
    renewal_of = serializers.UUIDField(
        source="renewal_of.uuid", allow_null=True, default=None
    )

    class Meta:
        model = Award
        fields = [
            "uuid",
            "kind",
            "achievement_name",
            "organization",
            "issued_at",
            "revoked_at",
            "suspended_at",
            "expires_at",
            "is_expired",
            "renewal_of",
            "verify_url",
            "credential",
        ]
        read_only_fields = fields

    def get_is_expired(self, award: Award) -> bool:
        return award.is_expired(timezone.now())

    def get_verify_url(self, award: Award) -> str:
        return self.context["request"].build_absolute_uri(award.get_absolute_url())


class VerificationCheckSerializer(serializers.Serializer):
    check = serializers.CharField(
        help_text="signature, issuer, status, dates or schema"
    )
    passed = serializers.BooleanField()
    says = serializers.CharField()


class VerificationSerializer(serializers.Serializer):
    status = serializers.CharField(
        help_text="valid, revoked, suspended, tampered, expired, not-yet-valid, "
        "unknown-issuer, not-checked (an unsupported proof type, a key or status "
        "that cannot be looked up here, an assertion only its issuer's site "
        "confirms), unprocessable (it uses a JSON-LD context not available here; "
        "the headline names its URL) or invalid (also a broken VC data model rule "
        "or proof chain, named in the headline)"
    )
    headline = serializers.CharField()
    checks = VerificationCheckSerializer(many=True)


def verification_data(result: Verification) -> dict:
    return {
        "status": result.status,
        "headline": result.headline,
        "checks": [
            {"check": c.name, "passed": c.passed, "says": c.says} for c in result.checks
        ],
    }


class IssuerSerializer(serializers.Serializer):
    """What an organization says of itself as an issuer, and how it signs.
    Credentials issued from a change on carry it; those issued before keep
    what they were signed with."""

    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(
        max_length=200,
        help_text="Shown as the issuer on every credential and certificate.",
    )
    url = serializers.URLField(
        max_length=200, allow_blank=True, help_text="The institution's home page."
    )
    email = serializers.EmailField(
        max_length=254,
        allow_blank=True,
        help_text="Where a verifier can ask about a credential.",
    )
    description = serializers.CharField(allow_blank=True)
    did = serializers.CharField(read_only=True, allow_null=True)
    logo_url = serializers.CharField(read_only=True)
    proof_format = serializers.ChoiceField(
        source="signing.proof_format",
        choices=IssuerProfile.ProofFormat.choices,
        help_text="How what is issued from now on is signed.",
    )
    suspension_entry = serializers.BooleanField(
        source="signing.suspension_entry",
        help_text="Whether each credential also carries a suspension status "
        "entry (1EdTech's OB 3.0 schema takes one entry only).",
    )


class IssuerLogoSerializer(serializers.Serializer):
    logo = serializers.FileField(help_text="A PNG or JPEG image, at most 512 KB.")


class SigningKeySerializer(serializers.ModelSerializer):
    """An organization's signing key. The active one signs; retired ones keep
    verifying what they signed; a compromised one revoked what it signed from
    `compromised_at` on."""

    class Meta:
        model = SigningKey
        fields = [
            "id",
            "public_multibase",
            "created_at",
            "is_active",
            "retired_at",
            "compromised_at",
            "compromise_reason",
        ]
        read_only_fields = fields


class KeyCompromiseSerializer(serializers.Serializer):
    since = serializers.DateTimeField(
        help_text="Everything the key signed from this moment on is revoked; "
        "give a time zone (or Z)."
    )
    reason = serializers.CharField(help_text="What happened: the audit log keeps it.")


class KeyCompromisedSerializer(serializers.Serializer):
    key = SigningKeySerializer()
    revoked = serializers.IntegerField(help_text="How many credentials were revoked")


class EndorsementSerializer(serializers.ModelSerializer):
    """The organization's signed endorsement of what its board approved."""

    class Meta:
        model = Endorsement
        fields = ["uuid", "subject_id", "comment", "issued_at", "credential"]
        read_only_fields = fields


class EndorsableReviewSerializer(serializers.Serializer):
    """A review a board of the organization approved, endorsed or not yet."""

    review = serializers.IntegerField(source="pk")
    board = serializers.CharField(source="board.name")
    version_label = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    endorsement = serializers.SerializerMethodField()

    @extend_schema_field(EndorsementSerializer(allow_null=True))
    def get_endorsement(self, review) -> dict | None:
        found = getattr(review, "endorsement", None)
        return EndorsementSerializer(found).data if found else None


class EndorseInput(serializers.Serializer):
    review = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="An approved review's id"
    )
    comment = serializers.CharField(help_text="What the board endorses")
