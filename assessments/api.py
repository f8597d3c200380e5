from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import selectors, services
from assessments.models import Submission
from assessments.permissions import (
    can_submit_to,
    get_submission_for_grading,
    get_submission_for_viewing,
    get_task_for_viewing,
)
from assessments.serializers import (
    GradeCreateSerializer,
    GradeSerializer,
    SubmissionCreateSerializer,
    SubmissionSerializer,
    TaskCreateSerializer,
    TaskSerializer,
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
    serializer_class = TaskSerializer

    def get_object(self):
        return get_task_for_viewing(self.request.user, self.kwargs["pk"])


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
        submission = services.submit_evidence(
            task, learner=request.user, **serializer.validated_data
        )
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
        return selectors.grading_queue(self.request.user).prefetch_related("files")


class GradeCreate(APIView):
    @extend_schema(request=GradeCreateSerializer, responses=GradeSerializer)
    def post(self, request, pk: int):
        submission = get_submission_for_grading(request.user, pk)
        serializer = GradeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            levels = {int(k): v for k, v in data["levels"].items()}
            comments = {int(k): v for k, v in data["comments"].items()}
        except ValueError as error:
            raise serializers.ValidationError(
                {"levels": "Criterion ids must be whole numbers."}
            ) from error
        grade = services.grade_submission(
            submission,
            grader=request.user,
            levels=levels,
            comments=comments,
            comment=data["comment"],
        )
        return Response(GradeSerializer(grade).data, status=status.HTTP_201_CREATED)
