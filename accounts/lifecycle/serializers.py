"""The self-registration policy and erasure requests, as the API shows them."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.lifecycle import services
from accounts.models import ErasureRequest, SignupPolicy


class SignupPolicySerializer(serializers.ModelSerializer):
    """Whether learners may register themselves, and from which e-mail
    domains (verified addresses only); `join_url` is the link to hand out."""

    email_domains = serializers.ListField(
        child=serializers.CharField(max_length=253), required=False, max_length=100
    )
    join_url = serializers.SerializerMethodField()

    class Meta:
        model = SignupPolicy
        fields = ["is_open", "email_domains", "join_url"]

    def get_join_url(self, policy) -> str:
        return self.context["join_url"]

    def validate_email_domains(self, value: list[str]) -> list[str]:
        try:
            return services.parse_domains(", ".join(value))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class ErasureRequestSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = ErasureRequest
        fields = [
            "id",
            "username",
            "name",
            "email",
            "status",
            "note",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "erased_at",
        ]
        read_only_fields = fields


class ErasureDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text="Why: the person is told."
    )
