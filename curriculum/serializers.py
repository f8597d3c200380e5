from rest_framework import serializers

from curriculum.models import ModuleVersion, Organization, Outcome


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "url", "email", "description"]


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outcome
        fields = ["id", "position", "statement"]
        read_only_fields = ["id", "position"]


class ModuleVersionSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(
        source="module.organization", slug_field="slug", read_only=True
    )
    code = serializers.CharField(source="module.code", read_only=True)
    outcomes = OutcomeSerializer(many=True, read_only=True)

    class Meta:
        model = ModuleVersion
        fields = [
            "id",
            "organization",
            "code",
            "number",
            "status",
            "title",
            "summary",
            "criteria_narrative",
            "credits",
            "level",
            "published_at",
            "changelog",
            "outcomes",
        ]
        read_only_fields = fields


class ModuleVersionCreateSerializer(serializers.Serializer):
    organization = serializers.SlugField()
    code = serializers.SlugField(max_length=40)
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    criteria_narrative = serializers.CharField(
        required=False, allow_blank=True, default=""
    )
    credits = serializers.DecimalField(max_digits=5, decimal_places=1, default=5)
    level = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )


class PublishSerializer(serializers.Serializer):
    changelog = serializers.CharField()
