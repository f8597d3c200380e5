from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import queue, selectors, services
from assessments.models import Grade, GradeImport, Submission
from assessments.permissions import (
    can_change_grade,
    can_submit_to,
    get_submission_for_grading,
    get_submission_for_viewing,
    get_task_for_editing,
    get_task_for_marking,
    get_task_for_viewing,
)
from assessments.serializers import (
    AgreementReportSerializer,
    GradeChangeSerializer,
    GradeCreateSerializer,
    GradeImportSerializer,
    GradeSerializer,
    GradesImportSerializer,
    MarkSerializer,
    SubmissionCreateSerializer,
    SubmissionSerializer,
    TaskCreateSerializer,
    TaskSerializer,
    TaskUpdateSerializer,
)
from curriculum.permissions import get_module_version_for_editing


class TaskCreate(APIView):
    """Add an assessment task with its analytic rubric to a draft module version."""

    @extend_schema(request=TaskCreateSerializer, responses=TaskSerializer)
    def post(self, request, pk: int):
        version = get_module_version_for_editing(request.user, pk)
        serializer = TaskCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        outcomes = {o.pk: o for o in version.outcomes.all()}
        criteria = []
        for item in data.pop("criteria"):
            unknown = [o for o in item["outcomes"] if o not in outcomes]
            if unknown:
                raise serializers.ValidationError(
                    {"criteria": f"Outcomes {unknown} are not in this module version."}
                )
            criteria.append(
                services.CriterionSpec(
                    item["name"], [outcomes[o] for o in item["outcomes"]]
                )
            )
        levels = [services.LevelSpec(**level) for level in data.pop("levels")]
        task = services.create_task(
            version, by=request.user, criteria=criteria, levels=levels, **data
        )
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)


class TaskDetail(generics.RetrieveAPIView):
    """A task with its rubric; its designers change a draft's task with PATCH
    (the rubric has its own endpoints under rubric/)."""

    serializer_class = TaskSerializer

    def get_object(self):
        return get_task_for_viewing(self.request.user, self.kwargs["pk"])

    @extend_schema(request=TaskUpdateSerializer, responses=TaskSerializer)
    def patch(self, request, pk: int) -> Response:
        task = get_task_for_editing(request.user, pk)
        serializer = TaskUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.update_task(task, by=request.user, **serializer.validated_data)
        return Response(TaskSerializer(task).data)


class SubmissionCreate(APIView):
    """Submit evidence (text, a link, files) for a task, as a learner."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=SubmissionCreateSerializer, responses=SubmissionSerializer)
    def post(self, request, pk: int):
        task = get_task_for_viewing(request.user, pk)
        if not can_submit_to(request.user, task):
            raise PermissionDenied("Only learners of this organization can submit.")
        serializer = SubmissionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.pop("draft"):
            submission = services.save_draft(task, learner=request.user, **data)
        else:
            submission = services.submit_evidence(task, learner=request.user, **data)
        return Response(
            SubmissionSerializer(submission).data, status=status.HTTP_201_CREATED
        )


class MySubmissionList(generics.ListAPIView):
    """Your own submissions and their feedback."""

    serializer_class = SubmissionSerializer

    def get_queryset(self):
        return (
            Submission.objects.filter(learner=self.request.user)
            .select_related("grade")
            .prefetch_related(
                "files", "grade__criteria__criterion", "grade__criteria__level"
            )
            .order_by("-submitted_at")
        )


class SubmissionDetail(generics.RetrieveAPIView):
    serializer_class = SubmissionSerializer

    def get_object(self):
        submission = get_submission_for_viewing(self.request.user, self.kwargs["pk"])
        return selectors.submission_with_feedback(submission)


class GradingQueue(generics.ListAPIView):
    """Submissions waiting for you to grade, oldest first."""

    serializer_class = SubmissionSerializer

    def get_queryset(self):
        return queue.grading_queue(self.request.user).prefetch_related("files")


def _by_criterion(data: dict) -> tuple[dict[int, int], dict[int, str]]:
    try:
        levels = {int(k): v for k, v in data["levels"].items()}
        comments = {int(k): v for k, v in data.get("comments", {}).items()}
    except ValueError as error:
        raise serializers.ValidationError(
            {"levels": "Criterion ids must be whole numbers."}
        ) from error
    return levels, comments


class GradeCreate(APIView):
    """Mark a submission: a first mark, a blind second mark or a moderator's
    decision, as its stage requires. 201 with the grade once decided; 202 with
    your mark while a second marker or moderator still has to act; 200 for a draft."""

    @extend_schema(
        request=GradeCreateSerializer,
        responses={201: GradeSerializer, 202: MarkSerializer, 200: MarkSerializer},
    )
    def post(self, request, pk: int):
        submission = get_submission_for_grading(request.user, pk)
        serializer = GradeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        levels, comments = _by_criterion(data)
        common = {"levels": levels, "comments": comments, "comment": data["comment"]}
        if submission.status == Submission.Status.SECOND_MARKING:
            result = services.second_mark_submission(
                submission, grader=request.user, finalise=data["finalise"], **common
            )
        elif submission.status == Submission.Status.MODERATION:
            result = services.moderate_submission(
                submission, moderator=request.user, **common
            )
        else:
            result = services.grade_submission(
                submission, grader=request.user, finalise=data["finalise"], **common
            )
        if isinstance(result, Grade):
            return Response(
                GradeSerializer(result).data, status=status.HTTP_201_CREATED
            )
        submission.refresh_from_db()
        if submission.status == Submission.Status.GRADED:
            grade = Grade.objects.get(submission=submission)
            return Response(GradeSerializer(grade).data, status=status.HTTP_201_CREATED)
        code = status.HTTP_202_ACCEPTED if result.is_final else status.HTTP_200_OK
        return Response(MarkSerializer(result).data, status=code)


class GradeChange(APIView):
    """Change a decided grade on appeal; a completion it no longer supports is
    voided."""

    @extend_schema(request=GradeChangeSerializer, responses=GradeSerializer)
    def post(self, request, pk: int):
        submission = get_submission_for_viewing(request.user, pk)
        grade = Grade.objects.filter(submission=submission).first()
        if grade is None or not can_change_grade(request.user, submission):
            raise PermissionDenied("You cannot change this grade.")
        serializer = GradeChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        levels, comments = _by_criterion(serializer.validated_data)
        grade = services.change_grade(
            grade,
            by=request.user,
            levels=levels,
            comments=comments,
            reason=serializer.validated_data["reason"],
        )
        return Response(GradeSerializer(grade).data)


class TaskAgreement(APIView):
    """Agreement between first and blind second marks, with the pairs behind it."""

    @extend_schema(responses=AgreementReportSerializer)
    def get(self, request, pk: int):
        task = get_task_for_marking(request.user, pk)
        report = selectors.agreement_report(task)
        return Response(AgreementReportSerializer(report).data)


class GradesImport(APIView):
    """Import grades from CSV: all rows, or none with each problem's line and column."""

    parser_classes = [MultiPartParser]

    @extend_schema(request=GradesImportSerializer, responses=GradeImportSerializer)
    def post(self, request, pk: int):
        task = get_task_for_marking(request.user, pk)
        serializer = GradesImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = services.start_grade_import(
            task, by=request.user, upload=serializer.validated_data["file"]
        )
        job.refresh_from_db()  # the task may have run already, in process
        return Response(
            GradeImportSerializer(job).data, status=status.HTTP_202_ACCEPTED
        )


class GradeImportDetail(generics.RetrieveAPIView):
    """A grades import: waiting, importing, imported (with a count) or failed."""

    serializer_class = GradeImportSerializer

    def get_object(self):
        job = get_object_or_404(
            GradeImport.objects.select_related("task"), pk=self.kwargs["pk"]
        )
        get_task_for_marking(self.request.user, job.task_id)
        return job
