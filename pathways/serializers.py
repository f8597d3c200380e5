from rest_framework import serializers

from pathways.models import Enrolment, PathwayVersion


class PathwayVersionSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(
        source="pathway.organization", slug_field="slug", read_only=True
    )
    code = serializers.CharField(source="pathway.code", read_only=True)

    class Meta:
        model = PathwayVersion
        fields = [
            "id",
            "organization",
            "code",
            "number",
            "status",
            "title",
            "summary",
            "rule",
            "published_at",
            "changelog",
        ]
        read_only_fields = fields


class PathwayVersionCreateSerializer(serializers.Serializer):
    organization = serializers.SlugField()
    code = serializers.SlugField(max_length=40)
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    rule = serializers.JSONField(
        help_text='A rule tree, e.g. {"type": "all", "children": '
        '[{"type": "module", "code": "DATA-101"}]}'
    )


class EnrolmentSerializer(serializers.ModelSerializer):
    version = PathwayVersionSerializer(read_only=True)

    class Meta:
        model = Enrolment
        fields = ["id", "version", "enrolled_at"]


class ModuleStepSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    done = serializers.BooleanField()
    module_version = serializers.IntegerField(source="version.pk", allow_null=True)


class ProgressSerializer(serializers.Serializer):
    pathway_version = PathwayVersionSerializer(source="version")
    satisfied = serializers.BooleanField(source="evaluation.satisfied")
    done = serializers.IntegerField(source="evaluation.done")
    required = serializers.IntegerField(source="evaluation.required")
    percent = serializers.IntegerField()
    steps = ModuleStepSerializer(many=True)
