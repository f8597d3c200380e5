from rest_framework import serializers

from credentials.models import Award


class AwardSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name")
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = Award
        fields = [
            "uuid",
            "kind",
            "achievement_name",
            "organization",
            "issued_at",
            "revoked_at",
            "verify_url",
            "credential",
        ]
        read_only_fields = fields

    def get_verify_url(self, award: Award) -> str:
        return self.context["request"].build_absolute_uri(award.get_absolute_url())


class VerificationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["valid", "revoked", "tampered"])
    headline = serializers.CharField()
    checks = serializers.ListField(child=serializers.DictField())
