from rest_framework import serializers

from accounts.models import Invitation, Membership
from accounts.serializers import OrganizationSerializer

Role = Membership.Role


class OrganizationCreateSerializer(OrganizationSerializer):
    """A new organization; `logo` is an optional PNG or JPEG (multipart)."""

    logo = serializers.FileField(required=False, write_only=True)

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "time_zone", "logo"]
        read_only_fields = ["id", "email", "description"]


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.pk")
    username = serializers.CharField(source="user.username")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    email = serializers.EmailField(source="user.email")
    number = serializers.CharField(help_text="Student or staff number, if any.")
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))


class InvitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "created_at", "expires_at"]
        read_only_fields = ["id", "created_at", "expires_at"]


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
