from rest_framework import serializers

from curriculum.models import (
    Competency,
    CompetencyFramework,
    DeliveryMode,
    Module,
    ModuleVersion,
    Outcome,
    Proficiency,
)


class AlignedCompetencySerializer(serializers.ModelSerializer):
    framework = serializers.CharField(source="framework.name", read_only=True)

    class Meta:
        model = Competency
        fields = ["id", "identifier", "code", "statement", "uri", "framework"]
        read_only_fields = fields


class OutcomeSerializer(serializers.ModelSerializer):
    competencies = AlignedCompetencySerializer(many=True, read_only=True)
    competency_ids = serializers.PrimaryKeyRelatedField(
        queryset=Competency.objects.select_related("framework"),
        many=True,
        write_only=True,
        required=False,
        help_text="Competencies to align the new outcome to.",
    )
    action_verb = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    proficiency_level = serializers.ChoiceField(
        choices=Proficiency.choices, required=False, allow_blank=True, default=""
    )

    class Meta:
        model = Outcome
        fields = [
            "id",
            "position",
            "action_verb",
            "statement",
            "proficiency_level",
            "competencies",
            "competency_ids",
        ]
        read_only_fields = ["id", "position"]


class OutcomeUpdateSerializer(serializers.Serializer):
    action_verb = serializers.CharField(max_length=40, required=False, allow_blank=True)
    statement = serializers.CharField()
    proficiency_level = serializers.ChoiceField(
        choices=Proficiency.choices, required=False, allow_blank=True
    )


class OutcomeMoveSerializer(serializers.Serializer):
    offset = serializers.IntegerField(
        help_text="Places to move: negative moves up the list, positive down."
    )


class AlignmentSerializer(serializers.Serializer):
    competency = serializers.PrimaryKeyRelatedField(
        queryset=Competency.objects.select_related("framework")
    )


class ModuleVersionSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(
        source="module.organization", slug_field="slug", read_only=True
    )
    code = serializers.CharField(source="module.code", read_only=True)
    outcomes = OutcomeSerializer(many=True, read_only=True)
    prerequisites = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    badge_image = serializers.SerializerMethodField()
    # Read-only model fields lose allow_blank, so the schema would not admit
    # the empty value these are when unset.
    delivery_mode = serializers.ChoiceField(
        choices=DeliveryMode.choices, allow_blank=True, read_only=True
    )

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
            "notional_hours",
            "valid_for_days",
            "level",
            "delivery_mode",
            "language",
            "prerequisites",
            "badge_image",
            "published_at",
            "changelog",
            "outcomes",
        ]
        read_only_fields = fields

    def get_badge_image(self, version) -> str | None:
        """The access-checked address of the badge image (files are never public
        in storage), absolute when the request is known."""
        if not version.badge_image:
            return None
        url = version.get_badge_image_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ModuleVersionUpdateSerializer(serializers.Serializer):
    """The fields of a draft; omitted fields stay as they are."""

    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    criteria_narrative = serializers.CharField(required=False, allow_blank=True)
    credits = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, required=False
    )
    notional_hours = serializers.IntegerField(
        min_value=1, max_value=10000, required=False, allow_null=True
    )
    valid_for_days = serializers.IntegerField(
        min_value=1, max_value=36500, required=False, allow_null=True
    )
    level = serializers.CharField(max_length=40, required=False, allow_blank=True)
    delivery_mode = serializers.ChoiceField(
        choices=DeliveryMode.choices, required=False, allow_blank=True
    )
    language = serializers.CharField(max_length=20, required=False)
    prerequisites = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=Module.objects.all(),
        help_text="Module codes of the same organization.",
    )
    badge_image = serializers.FileField(
        required=False,
        help_text="PNG or SVG (multipart); an SVG with a script is refused.",
    )


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
    notional_hours = serializers.IntegerField(
        min_value=1, max_value=10000, required=False, allow_null=True, default=None
    )
    valid_for_days = serializers.IntegerField(
        min_value=1, max_value=36500, required=False, allow_null=True, default=None
    )
    delivery_mode = serializers.ChoiceField(
        choices=DeliveryMode.choices, required=False, allow_blank=True, default=""
    )
    language = serializers.CharField(max_length=20, required=False, default="en")


class PublishSerializer(serializers.Serializer):
    changelog = serializers.CharField()


class FrameworkSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    competency_count = serializers.IntegerField(read_only=True, source="items")
    uri = serializers.CharField(read_only=True, help_text="A URI, or empty.")

    class Meta:
        model = CompetencyFramework
        fields = [
            "id",
            "organization",
            "identifier",
            "uri",
            "name",
            "description",
            "source",
            "creator",
            "version",
            "language",
            "status",
            "competency_count",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "organization",
            "identifier",
            "uri",
            "source",
            "creator",
            "status",
            "competency_count",
            "updated_at",
        ]


class FrameworkCreateSerializer(serializers.Serializer):
    organization = serializers.SlugField()
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    language = serializers.CharField(max_length=20, required=False, default="en")


class FrameworkUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    version = serializers.CharField(max_length=60, required=False, allow_blank=True)
    language = serializers.CharField(max_length=20, required=False)


class CaseImportSerializer(serializers.Serializer):
    organization = serializers.SlugField()
    package = serializers.JSONField(help_text="A CASE 1.0/1.1 CFPackage object.")


class CsvImportSerializer(serializers.Serializer):
    organization = serializers.SlugField()
    framework = serializers.CharField(
        max_length=200, help_text="The framework to add to (made if new)."
    )
    file = serializers.FileField(
        help_text="CSV: identifier, code, statement, type, parent, "
        "education_levels, uri, notes, language (statement required)."
    )


class CaseImportResultSerializer(serializers.Serializer):
    framework = FrameworkSerializer()
    warnings = serializers.ListField(child=serializers.CharField())


class CompetencySerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    uri = serializers.CharField(read_only=True, help_text="A URI, or empty.")
    type = serializers.CharField(source="competency_type", read_only=True)

    class Meta:
        model = Competency
        fields = [
            "id",
            "framework",
            "identifier",
            "uri",
            "code",
            "statement",
            "type",
            "education_levels",
            "parent",
            "position",
            "depth",
        ]
        read_only_fields = fields


class CompetencyWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=80, required=False, allow_blank=True)
    statement = serializers.CharField()
    type = serializers.CharField(
        max_length=100, required=False, allow_blank=True, source="competency_type"
    )
    education_levels = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False
    )
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Competency.objects.all(), required=False, allow_null=True
    )
