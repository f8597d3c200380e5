from rest_framework import serializers

from accounts.models import RosterImport
from pathways import roster
from pathways.models import (
    Enrolment,
    Equivalence,
    PathwayVersion,
    PrerequisiteOverride,
    Reevaluation,
)


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
            "valid_for_days",
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
    valid_for_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, default=None
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


class NextStepSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    credits = serializers.FloatField()
    locked = serializers.BooleanField()
    unlocks = serializers.CharField()
    alternatives = serializers.ListField(child=serializers.CharField())
    group = serializers.CharField()


class ProgressSerializer(serializers.Serializer):
    pathway_version = PathwayVersionSerializer(source="version")
    satisfied = serializers.BooleanField(source="evaluation.satisfied")
    done = serializers.IntegerField(source="evaluation.done")
    required = serializers.IntegerField(source="evaluation.required")
    percent = serializers.IntegerField()
    steps = ModuleStepSerializer(many=True)
    next_steps = NextStepSerializer(source="evaluation.next_steps", many=True)
    reasons = serializers.ListField(
        source="evaluation.reasons", child=serializers.CharField()
    )
    trace = serializers.SerializerMethodField()

    def get_trace(self, progress) -> dict:
        """Which completion met which node of the rule."""
        return progress.evaluation.trace()


class RuleSerializer(serializers.Serializer):
    rule = serializers.JSONField(help_text="The whole rule tree (see rules.py).")


class SimulationChangeSerializer(serializers.Serializer):
    learner = serializers.CharField(source="learner.username")
    change = serializers.CharField(source="kind")
    before_satisfied = serializers.BooleanField(source="before.satisfied")
    before_progress = serializers.FloatField(source="before.progress")
    after_satisfied = serializers.BooleanField(source="after.satisfied")
    after_progress = serializers.FloatField(source="after.progress")


class SimulationSerializer(serializers.Serializer):
    summary = serializers.CharField()
    gain = serializers.IntegerField()
    lose = serializers.IntegerField()
    keep = serializers.IntegerField()
    changes = SimulationChangeSerializer(many=True)


class EquivalenceSerializer(serializers.ModelSerializer):
    """An approved crosswalk: another issuer's credential (or another
    organization's module) counts as one of this organization's modules, or,
    with no module, is accepted for rules that name it."""

    issuer = serializers.CharField(
        max_length=100,
        help_text="The other organization's slug, or the outside issuer's id.",
    )
    achievement = serializers.CharField(
        max_length=200, help_text="Its module code or achievement identifier."
    )
    module = serializers.CharField(
        source="module.code",
        max_length=40,
        required=False,
        allow_null=True,
        default=None,
        help_text="The code of the module of yours it counts as; null to accept "
        "it for rules that name the outside credential itself.",
    )
    approved_by = serializers.CharField(source="approved_by.username", read_only=True)
    is_withdrawn = serializers.SerializerMethodField()

    class Meta:
        model = Equivalence
        fields = [
            "id",
            "issuer",
            "achievement",
            "module",
            "note",
            "approved_by",
            "approved_at",
            "withdrawn_at",
            "is_withdrawn",
        ]
        read_only_fields = ["id", "approved_by", "approved_at", "withdrawn_at"]

    def get_is_withdrawn(self, equivalence: Equivalence) -> bool:
        return equivalence.withdrawn_at is not None


class ReevaluationSerializer(serializers.ModelSerializer):
    """A batched re-evaluation of everyone enrolled in a pathway version."""

    class Meta:
        model = Reevaluation
        fields = [
            "id",
            "version",
            "reason",
            "status",
            "total",
            "processed",
            "recorded",
            "voided",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class CohortEnrolSerializer(serializers.Serializer):
    cohort = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="A cohort of the organization"
    )


class CohortMoveSerializer(serializers.Serializer):
    source = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The older version of the same pathway whose learners move",
    )


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many learners")


class PrerequisiteOverrideSerializer(serializers.ModelSerializer):
    """A module's prerequisite waived for one learner, with the reason."""

    learner = serializers.CharField(
        source="learner.username",
        max_length=254,
        help_text="The learner's username or e-mail address",
    )
    reason = serializers.CharField(max_length=2000)
    granted_by = serializers.CharField(source="granted_by.username", read_only=True)

    class Meta:
        model = PrerequisiteOverride
        fields = ["id", "learner", "reason", "granted_by", "granted_at"]
        read_only_fields = ["id", "granted_by", "granted_at"]


# ------------------------------------------------ roster imports (apigaps1)


class RosterUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The roster as CSV.")


class RosterImportSerializer(serializers.ModelSerializer):
    """A checked roster, then its import; `done` of `total` steps while it runs."""

    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    done = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    class Meta:
        model = RosterImport
        fields = [
            "id",
            "organization",
            "filename",
            "rows",
            "status",
            "plan",
            "result",
            "errors",
            "note",
            "created_by",
            "created_at",
            "finished_at",
            "done",
            "total",
        ]
        read_only_fields = fields

    def _progress(self, job) -> tuple[int, int]:
        if job.status == job.Status.DONE:
            return 3 * job.rows, 3 * job.rows
        return roster.roster_progress(job)

    def get_done(self, job) -> int:
        return self._progress(job)[0]

    def get_total(self, job) -> int:
        return self._progress(job)[1]
