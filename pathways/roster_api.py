"""Roster imports for machines, under /api/organizations/<slug>/roster-imports/:
the roster page's dry run, its start button and the import's progress, through
the same services (pathways.roster) and permission function."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import RosterImport
from accounts.people.permissions import get_organization_for_people
from accounts.people.roster import RosterFileError
from pathways import roster
from pathways.serializers import (
    RosterImportSerializer,
    RosterUploadSerializer,
)


class RosterImportList(generics.ListCreateAPIView):
    """The organization's roster imports, newest first. Posting a CSV (`file`,
    multipart) is the dry run: every row is checked; a file with problems is
    not kept and the answer (400) lists each by line and column; a clean one is
    kept, ready to start (201), and nothing else changes."""

    serializer_class = RosterImportSerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        organization = get_organization_for_people(
            self.request.user, self.kwargs["slug"]
        )
        return organization.roster_imports.select_related("organization", "created_by")

    @extend_schema(
        request={"multipart/form-data": RosterUploadSerializer},
        responses={
            201: RosterImportSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The dry run's `problems` (each with `line`, `column` "
                "and `message`) and `counts`; or, for a file that cannot be read "
                "at all, `file` with why.",
                examples=[
                    OpenApiExample(
                        "A row's problem",
                        value={
                            "problems": [
                                {
                                    "line": 3,
                                    "column": "email",
                                    "message": "“x” is not an e-mail.",
                                }
                            ],
                            "counts": {"rows": 1},
                        },
                        response_only=True,
                        status_codes=["400"],
                    )
                ],
            ),
        },
    )
    def post(self, request, slug: str) -> Response:
        organization = get_organization_for_people(request.user, slug)
        data = RosterUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            plan, job = roster.check_roster_upload(
                organization, by=request.user, upload=data.validated_data["file"]
            )
        except RosterFileError as error:  # the file cannot be read at all
            raise serializers.ValidationError({"file": error.messages}) from None
        if job is None:
            answer = {
                "problems": [
                    {"line": p.line, "column": p.column, "message": p.message}
                    for p in plan.problems
                ],
                "counts": plan.counts,
            }
            return Response(answer, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            RosterImportSerializer(job).data, status=status.HTTP_201_CREATED
        )


def _job_of(user, slug: str, pk: int) -> RosterImport:
    """A roster import of this organization (404 for another's)."""
    organization = get_organization_for_people(user, slug)
    return get_object_or_404(
        RosterImport.objects.select_related("organization", "created_by"),
        organization=organization,
        pk=pk,
    )


class RosterImportDetail(generics.RetrieveAPIView):
    """A roster import: its dry run's counts, then its status and progress
    (`done` of `total` steps), what it did or why it failed."""

    serializer_class = RosterImportSerializer

    def get_object(self):
        return _job_of(self.request.user, self.kwargs["slug"], self.kwargs["pk"])


class RosterImportStart(APIView):
    """Start a checked roster's import on the bulk queue; starting it again
    does nothing. Follow it at the import's own address."""

    @extend_schema(request=None, responses={202: RosterImportSerializer})
    def post(self, request, slug: str, pk: int) -> Response:
        job = _job_of(request.user, slug, pk)
        job = roster.start_roster_import(job, by=request.user)
        return Response(
            RosterImportSerializer(job).data, status=status.HTTP_202_ACCEPTED
        )
