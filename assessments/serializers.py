from rest_framework import serializers

from assessments.models import (
    AssessmentTask,
    Cohort,
    Criterion,
    CriterionGrade,
    EvidenceFile,
    Grade,
    GradeImport,
    Level,
    Mark,
    RecognitionDecision,
    Rubric,
    Submission,
)
from assessments.uploads import ACCEPTED_TYPES


class LevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Level
        fields = ["id", "position", "name", "points", "descriptor"]


class CriterionSerializer(serializers.ModelSerializer):
    levels = LevelSerializer(many=True, read_only=True)

    class Meta:
        model = Criterion
        fields = ["id", "position", "name", "outcomes", "min_level", "levels"]


class TaskSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(source="rubric.criteria", many=True, read_only=True)
    pass_min_total = serializers.IntegerField(source="rubric.pass_min_total")
    pass_min_level = serializers.IntegerField(source="rubric.pass_min_level")
    kind = serializers.CharField(source="rubric.kind")

    class Meta:
        model = AssessmentTask
        fields = [
            "id",
            "version",
            "title",
            "instructions",
            "conditions",
            "tools",
            "success_criteria",
            "accepts_text",
            "accepts_links",
            "accepts_files",
            "file_types",
            "max_attempts",
            "retake_wait_days",
            "kind",
            "pass_min_total",
            "pass_min_level",
            "criteria",
        ]
        read_only_fields = fields


class LevelInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    points = serializers.IntegerField(min_value=0)
    descriptor = serializers.CharField(required=False, allow_blank=True, default="")


class CriterionInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    outcomes = serializers.ListField(child=serializers.IntegerField(), default=list)


class TaskCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    instructions = serializers.CharField(required=False, allow_blank=True, default="")
    levels = LevelInputSerializer(many=True)
    criteria = CriterionInputSerializer(many=True)
    pass_min_total = serializers.IntegerField(
        min_value=0, required=False, allow_null=True
    )
    pass_min_level = serializers.IntegerField(
        min_value=0, required=False, allow_null=True
    )
    max_attempts = serializers.IntegerField(min_value=1, max_value=20, default=3)
    retake_wait_days = serializers.IntegerField(min_value=0, default=0)


class EvidenceFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvidenceFile
        fields = ["id", "original_name", "content_type", "size"]


class CriterionGradeSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.name")
    level = serializers.CharField(source="level.name")
    points = serializers.IntegerField(source="level.points")

    class Meta:
        model = CriterionGrade
        fields = ["criterion", "level", "points", "comment"]


class GradeSerializer(serializers.ModelSerializer):
    criteria = CriterionGradeSerializer(many=True, read_only=True)

    class Meta:
        model = Grade
        fields = ["total", "passed", "comment", "graded_at", "criteria"]


class SubmissionSerializer(serializers.ModelSerializer):
    files = EvidenceFileSerializer(many=True, read_only=True)
    grade = GradeSerializer(read_only=True, allow_null=True)
    link = serializers.CharField(read_only=True, help_text="A URL, or empty.")

    class Meta:
        model = Submission
        fields = [
            "id",
            "task",
            "learner",
            "attempt",
            "status",
            "text",
            "link",
            "links",
            "submitted_at",
            "files",
            "grade",
        ]
        read_only_fields = fields


class SubmissionCreateSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")
    link = serializers.URLField(required=False, allow_blank=True, default="")
    links = serializers.ListField(
        child=serializers.URLField(), required=False, default=list, max_length=10
    )
    draft = serializers.BooleanField(
        required=False, default=False, help_text="Keep as a draft, not submitted."
    )
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list
    )


class GradeCreateSerializer(serializers.Serializer):
    levels = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Criterion id -> chosen level id, for every criterion.",
    )
    comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, default=dict
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    finalise = serializers.BooleanField(
        required=False,
        default=True,
        help_text="False keeps a draft mark that only you can see.",
    )


class MarkSerializer(serializers.ModelSerializer):
    """A grader's own mark: the first mark awaiting a second one, or a draft."""

    submission_status = serializers.CharField(source="submission.status")

    class Meta:
        model = Mark
        fields = ["role", "total", "passed", "finalised_at", "submission_status"]


class GradeChangeSerializer(serializers.Serializer):
    levels = serializers.DictField(child=serializers.IntegerField())
    comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, default=dict
    )
    reason = serializers.CharField()


class AgreementFigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    pairs = serializers.IntegerField(source="result.pairs")
    exact_percent = serializers.FloatField(
        source="result.exact_percent", allow_null=True
    )
    adjacent_percent = serializers.FloatField(
        source="result.adjacent_percent", allow_null=True
    )
    kappa = serializers.FloatField(source="result.kappa_value", allow_null=True)


class AgreementReportSerializer(serializers.Serializer):
    categories = serializers.IntegerField()
    pairs = serializers.IntegerField(source="overall.pairs")
    exact_percent = serializers.FloatField(
        source="overall.exact_percent", allow_null=True
    )
    adjacent_percent = serializers.FloatField(
        source="overall.adjacent_percent", allow_null=True
    )
    kappa = serializers.FloatField(source="overall.kappa_value", allow_null=True)
    by_criterion = AgreementFigureSerializer(many=True)
    by_grader = AgreementFigureSerializer(many=True)


class GradesImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV: learner, one column per criterion, comment."
    )


class GradeImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = GradeImport
        fields = [
            "id",
            "task",
            "filename",
            "status",
            "imported",
            "errors",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class CohortSerializer(serializers.ModelSerializer):
    """A group of learners and the faculty assigned to grade their work."""

    name = serializers.CharField(max_length=120)
    learners = serializers.SlugRelatedField(
        slug_field="username", many=True, read_only=True
    )
    graders = serializers.SlugRelatedField(
        slug_field="username", many=True, read_only=True
    )

    class Meta:
        model = Cohort
        fields = ["id", "name", "learners", "graders", "created_at"]
        read_only_fields = ["id", "learners", "graders", "created_at"]


class CohortPeopleSerializer(serializers.Serializer):
    """People to add to or take out of a cohort, all or none: by username or
    e-mail, by user id, or both."""

    role = serializers.ChoiceField(
        choices=[("learner", "Learners"), ("faculty", "Graders")],
        help_text="learner: the cohort's learners; faculty: its graders",
    )
    people = serializers.ListField(
        child=serializers.CharField(max_length=254),
        required=False,
        default=list,
        max_length=5000,
        help_text="Usernames or e-mail addresses",
    )
    user_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        default=list,
        max_length=5000,
    )


class CohortChangeSerializer(serializers.Serializer):
    changed = serializers.ListField(
        child=serializers.CharField(),
        help_text="Usernames added or removed (those already as asked are left)",
    )
    cohort = CohortSerializer()


# The rubric builder through the API -----------------------------------------
# Positions of levels (columns) count from 0, the lowest, as in the answers.
# Numbers stop where the columns' (small) integers do, so none reaches the
# database out of range.
SMALL, LARGE = 32767, 2147483647


class TaskUpdateSerializer(serializers.Serializer):
    """A draft task's wording, accepted evidence and attempt rules: send only
    what changes."""

    title = serializers.CharField(max_length=200, required=False)
    instructions = serializers.CharField(required=False, allow_blank=True)
    conditions = serializers.CharField(required=False, allow_blank=True)
    tools = serializers.CharField(required=False, allow_blank=True)
    success_criteria = serializers.CharField(required=False, allow_blank=True)
    accepts_text = serializers.BooleanField(required=False)
    accepts_links = serializers.BooleanField(required=False)
    accepts_files = serializers.BooleanField(required=False)
    file_types = serializers.ListField(
        child=serializers.ChoiceField(choices=list(ACCEPTED_TYPES)), required=False
    )
    max_attempts = serializers.IntegerField(min_value=1, max_value=20, required=False)
    retake_wait_days = serializers.IntegerField(
        min_value=0, max_value=SMALL, required=False
    )


class RubricPolicySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Rubric.Kind.choices)
    pass_min_total = serializers.IntegerField(
        min_value=0, max_value=LARGE, allow_null=True
    )
    pass_min_level = serializers.IntegerField(
        min_value=0,
        max_value=SMALL,
        allow_null=True,
        help_text="A level position, 0 the lowest.",
    )


class CriterionWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    outcomes = serializers.ListField(child=serializers.IntegerField(), default=list)
    min_level = serializers.IntegerField(
        min_value=0,
        max_value=SMALL,
        allow_null=True,
        default=None,
        help_text="This criterion's own floor, a level position; null for none.",
    )


class MoveSerializer(serializers.Serializer):
    offset = serializers.ChoiceField(
        choices=[-1, 1], help_text="-1 earlier (left or up), 1 later."
    )


class LevelAddSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    points = serializers.IntegerField(min_value=0, max_value=LARGE)


class LevelRenameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)


class CellSerializer(serializers.Serializer):
    points = serializers.IntegerField(min_value=0, max_value=LARGE)
    descriptor = serializers.CharField(allow_blank=True, default="")


class RubricCopySerializer(serializers.Serializer):
    source = serializers.IntegerField(
        min_value=1,
        max_value=LARGE,
        help_text="The task (of this organization) whose rubric replaces this one.",
    )


class RecognitionSerializer(serializers.ModelSerializer):
    """An admin's decision on prior learning or an outside credential."""

    learner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    module = serializers.CharField(source="version.module.code", read_only=True)

    class Meta:
        model = RecognitionDecision
        fields = [
            "id",
            "learner",
            "version",
            "module",
            "source",
            "decision",
            "reason",
            "original_name",
            "badge",
            "proof_status",
            "proof_reason",
            "decided_by",
            "decided_at",
            "completion",
        ]
        read_only_fields = fields


class RecognitionCreateSerializer(serializers.Serializer):
    """Send as multipart when there is a file (an Open Badges credential, or
    evidence of earlier learning)."""

    learner = serializers.CharField(
        max_length=254, help_text="The learner's username or e-mail."
    )
    version = serializers.IntegerField(
        min_value=1, max_value=LARGE, help_text="A published module version."
    )
    source = serializers.ChoiceField(choices=["recognition", "external"])
    decision = serializers.ChoiceField(choices=["accepted", "declined"])
    reason = serializers.CharField()
    file = serializers.FileField(required=False)
    accept_expired = serializers.BooleanField(default=False)


class CalibrationMarkSerializer(serializers.Serializer):
    levels = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Criterion id -> chosen level id, for every criterion.",
    )
    comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, default=dict
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class CalibrationRowSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    anchor_level = serializers.IntegerField(help_text="A level position, 0 the lowest.")
    your_level = serializers.IntegerField(allow_null=True)
    distance = serializers.IntegerField(
        allow_null=True, help_text="Your level's position minus the anchor's."
    )


class CalibrationAnchorSerializer(serializers.Serializer):
    submission = serializers.IntegerField()
    graded = serializers.BooleanField(help_text="Whether you have graded it.")
    criteria = CalibrationRowSerializer(many=True)


class CalibrationReportSerializer(serializers.Serializer):
    calibrated = serializers.BooleanField(
        help_text="Whether you may grade this task's work."
    )
    done = serializers.IntegerField(help_text="Anchors you have graded.")
    anchors = CalibrationAnchorSerializer(many=True)
