"""Bulk awards for machines, under /api/organizations/<slug>/bulk-awards/: the
page's dry run, its start and the job's progress and result, through the same
services (credentials.services.bulk_awards) and permission function."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization
from credentials.bulk_models import BulkAward
from credentials.bulk_sheet import BulkFileError
from credentials.permissions import can_manage_credentials
from credentials.services import bulk_awards


class BulkAwardUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV: email or student_number, achievement, issue_date, "
        "narrative, evidence_url, expiry (optional)."
    )


class BulkAwardSerializer(serializers.ModelSerializer):
    """A checked file, then its job; `done` of `total` lines while it runs and
    each line's outcome once done."""

    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    done = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()

    class Meta:
        model = BulkAward
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
            "lines",
        ]
        read_only_fields = fields

    def _progress(self, job) -> tuple[int, int]:
        if job.status == job.Status.DONE:
            return job.rows, job.rows
        return bulk_awards.bulk_progress(job)

    def get_done(self, job) -> int:
        return self._progress(job)[0]

    def get_total(self, job) -> int:
        return self._progress(job)[1]

    def get_lines(self, job) -> list[dict]:
        """Each line's outcome (awarded, already awarded, already holds it)."""
        return [
            {"line": o[0], "person": o[1], "achievement": o[2], "outcome": o[6]}
            for o in job.outcomes
        ]


def _organization(user, slug: str) -> Organization:
    organization = get_object_or_404(Organization, slug=slug)
    if not can_manage_credentials(user, organization):
        raise PermissionDenied
    return organization


class BulkAwardList(generics.ListCreateAPIView):
    """The organization's bulk awards, newest first. Posting a CSV (`file`,
    multipart) is the dry run: a file with problems is not kept and the answer
    (400) lists each by line and column; a clean one is kept, ready to start
    (201), and nothing else changes."""

    serializer_class = BulkAwardSerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        organization = _organization(self.request.user, self.kwargs["slug"])
        return organization.bulk_awards.select_related("organization", "created_by")

    @extend_schema(
        request={"multipart/form-data": BulkAwardUploadSerializer},
        responses={
            201: BulkAwardSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The dry run's `problems` (each with `line`, `column` "
                "and `message`); or, for a file that cannot be read at all, "
                "`file` with why.",
            ),
        },
    )
    def post(self, request, slug: str) -> Response:
        organization = _organization(request.user, slug)
        data = BulkAwardUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            plan, job = bulk_awards.check_bulk_award(
                organization, by=request.user, upload=data.validated_data["file"]
            )
        except BulkFileError as error:
            raise serializers.ValidationError({"file": error.messages}) from None
        if job is None:
            problems = [
                {"line": p.line, "column": p.column, "message": p.message}
                for p in plan.problems
            ]
            return Response({"problems": problems}, status=status.HTTP_400_BAD_REQUEST)
        return Response(BulkAwardSerializer(job).data, status=status.HTTP_201_CREATED)


def _job_of(user, slug: str, pk: int) -> BulkAward:
    organization = _organization(user, slug)
    return get_object_or_404(
        BulkAward.objects.select_related("organization", "created_by"),
        organization=organization,
        pk=pk,
    )


class BulkAwardDetail(generics.RetrieveAPIView):
    """A bulk award: its dry run's counts, then its status and progress, what
    it did line by line or why it failed."""

    serializer_class = BulkAwardSerializer

    def get_object(self):
        return _job_of(self.request.user, self.kwargs["slug"], self.kwargs["pk"])


class BulkAwardStart(APIView):
    """Start a checked bulk award on the bulk queue; starting it again does
    nothing. Follow it at the job's own address."""

    @extend_schema(request=None, responses={202: BulkAwardSerializer})
    def post(self, request, slug: str, pk: int) -> Response:
        job = bulk_awards.start_bulk_award(
            _job_of(request.user, slug, pk), by=request.user
        )
        return Response(BulkAwardSerializer(job).data, status=status.HTTP_202_ACCEPTED)
