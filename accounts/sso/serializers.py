from rest_framework import serializers

from accounts.models import IdentityProvider, Membership
from accounts.sso import mapping


class RoleRuleSerializer(serializers.Serializer):
    attribute = serializers.CharField(max_length=200)
    value = serializers.CharField(max_length=500)
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class IdentityProviderSerializer(serializers.ModelSerializer):
    """An organization's identity provider; the client secret goes in only."""

    client_secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=True
    )
    has_client_secret = serializers.BooleanField(read_only=True)
    email_domains = serializers.ListField(
        child=serializers.CharField(max_length=253), required=False
    )
    role_rules = RoleRuleSerializer(many=True, required=False)

    class Meta:
        model = IdentityProvider
        fields = [
            "name",
            "slug",
            "protocol",
            "is_active",
            "discovery_url",
            "client_id",
            "client_secret",
            "has_client_secret",
            "metadata_url",
            "entity_id",
            "sso_url",
            "x509_certificate",
            "email_attribute",
            "given_name_attribute",
            "family_name_attribute",
            "email_verified_attribute",
            "email_domains",
            "allows_local_passwords",
            "default_role",
            "role_rules",
        ]
        # The services run the model's own checks (and the domains').
        validators = []
        extra_kwargs = {"slug": {"validators": []}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["role_rules"] = [
            {"attribute": rule.attribute, "value": rule.value, "role": rule.role}
            for rule in instance.role_rules.all()
        ]
        return data

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        if "email_domains" in data:
            data["email_domains"] = mapping.normalise_domains(
                ",".join(data["email_domains"])
            )
        if "role_rules" in data:
            data["rules"] = [mapping.Rule(**rule) for rule in data.pop("role_rules")]
        return data
