from django.utils import timezone
from rest_framework import serializers

from credentials.models import Award
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
