from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership, Organization
from accounts.permissions import get_organization_for, organizations_where
from curriculum import selectors, services
from curriculum.models import ModuleVersion, Outcome
from curriculum.permissions import (
    can_publish_version,
    get_module_version_for_editing,
    get_module_version_for_viewing,
    get_outcome_for_editing,
)
from curriculum.serializers import (
    AlignmentSerializer,
    ModuleVersionCreateSerializer,
    ModuleVersionSerializer,
    ModuleVersionUpdateSerializer,
    OutcomeMoveSerializer,
    OutcomeSerializer,
    OutcomeUpdateSerializer,
    PublishSerializer,
)

Role = Membership.Role


class ModuleVersionList(generics.ListCreateAPIView):
    """Published module versions, and drafts of organizations you design for."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_serializer_class(self):
        if self.request.method == "POST":
            return ModuleVersionCreateSerializer
        return ModuleVersionSerializer

    def get_queryset(self):
        staff = organizations_where(
            self.request.user, Role.DESIGNER, Role.ADMIN, Role.REVIEWER
        )
        return (
            ModuleVersion.objects.filter(
                Q(status=ModuleVersion.Status.PUBLISHED)
                | Q(module__organization__in=staff)
            )
            .select_related("module__organization")
            .prefetch_related("outcomes")
            .order_by("module__code", "number")
        )

    @extend_schema(
        request=ModuleVersionCreateSerializer, responses=ModuleVersionSerializer
    )
    def post(self, request, *args, **kwargs):
        serializer = ModuleVersionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization: Organization = get_organization_for(
            request.user, data.pop("organization"), Role.DESIGNER, Role.ADMIN
        )
        version = services.create_module_version(organization, by=request.user, **data)
        return Response(
            ModuleVersionSerializer(version).data, status=status.HTTP_201_CREATED
        )


class ModuleVersionDetail(APIView):
    """A module version; designers change a draft's fields with PATCH (JSON, or
    multipart with a badge_image file)."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(responses=ModuleVersionSerializer)
    def get(self, request, pk: int):
        version = get_module_version_for_viewing(request.user, pk)
        return Response(
            ModuleVersionSerializer(
                selectors.version_detail(version.pk), context={"request": request}
            ).data
        )

    @extend_schema(
        request=ModuleVersionUpdateSerializer, responses=ModuleVersionSerializer
    )
    def patch(self, request, pk: int):
        version = get_module_version_for_editing(request.user, pk)
        serializer = ModuleVersionUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        upload = data.pop("badge_image", None)
        version = services.update_module_version(
            version,
            by=request.user,
            badge_image=upload.read() if upload else None,
            **data,
        )
        return Response(
            ModuleVersionSerializer(
                selectors.version_detail(version.pk), context={"request": request}
            ).data
        )


class ModuleVersionCtdl(APIView):
    """A published module version as CTDL JSON-LD (ceterms:MicroCredential)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        version = get_module_version_for_viewing(request.user, pk)
        if not version.is_frozen:
            raise Http404
        return Response(selectors.module_ctdl(selectors.version_detail(version.pk)))


class OutcomeCreate(APIView):
    @extend_schema(request=OutcomeSerializer, responses=OutcomeSerializer)
    def post(self, request, pk: int):
        version = get_module_version_for_editing(request.user, pk)
        serializer = OutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        outcome = services.add_outcome(
            version,
            by=request.user,
            statement=data["statement"],
            action_verb=data.get("action_verb", ""),
            proficiency_level=data.get("proficiency_level", ""),
            competencies=_visible(request, data.get("competency_ids", [])),
        )
        return Response(OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)


def _visible(request, competencies):
    staff = organizations_where(request.user, Role.DESIGNER, Role.ADMIN)
    for competency in competencies:
        if not selectors.competency_visible(competency, organizations=staff):
            raise serializers.ValidationError(
                {"competency": f"No competency with the id {competency.pk}."}
            )
    return competencies


class OutcomeDetail(APIView):
    """One outcome of a draft: read, change (PATCH) or remove (DELETE)."""

    @extend_schema(responses=OutcomeSerializer)
    def get(self, request, pk: int):
        outcome = get_object_or_404(Outcome.objects.select_related("version"), pk=pk)
        get_module_version_for_viewing(request.user, outcome.version_id)
        return Response(OutcomeSerializer(outcome).data)

    @extend_schema(request=OutcomeUpdateSerializer, responses=OutcomeSerializer)
    def patch(self, request, pk: int):
        outcome = get_outcome_for_editing(request.user, pk)
        serializer = OutcomeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.update_outcome(
            outcome, by=request.user, **serializer.validated_data
        )
        return Response(OutcomeSerializer(outcome).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        outcome = get_outcome_for_editing(request.user, pk)
        services.remove_outcome(outcome, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OutcomeMove(APIView):
    @extend_schema(request=OutcomeMoveSerializer, responses=OutcomeSerializer)
    def post(self, request, pk: int):
        outcome = get_outcome_for_editing(request.user, pk)
        serializer = OutcomeMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.move_outcome(
            outcome, by=request.user, offset=serializer.validated_data["offset"]
        )
        return Response(OutcomeSerializer(outcome).data)


class OutcomeAlignments(APIView):
    """Align an outcome to a competency (POST); DELETE with ?competency=<id>
    removes an alignment."""

    @extend_schema(request=AlignmentSerializer, responses=OutcomeSerializer)
    def post(self, request, pk: int):
        outcome = get_outcome_for_editing(request.user, pk)
        serializer = AlignmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        (competency,) = _visible(request, [serializer.validated_data["competency"]])
        outcome = services.align_outcome(
            outcome, by=request.user, competency=competency
        )
        return Response(OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("competency", int, required=True)],
        responses=OutcomeSerializer,
    )
    def delete(self, request, pk: int):
        outcome = get_outcome_for_editing(request.user, pk)
        serializer = AlignmentSerializer(
            data={"competency": request.query_params.get("competency")}
        )
        serializer.is_valid(raise_exception=True)
        outcome = services.unalign_outcome(
            outcome, by=request.user, competency=serializer.validated_data["competency"]
        )
        return Response(OutcomeSerializer(outcome).data)


class ModuleVersionPublish(APIView):
    @extend_schema(request=PublishSerializer, responses=ModuleVersionSerializer)
    def post(self, request, pk: int):
        version = get_module_version_for_viewing(request.user, pk)
        if not can_publish_version(request.user, version):
            self.permission_denied(request, "Only an admin can publish.")
        serializer = PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.publish_version(
            version, by=request.user, **serializer.validated_data
        )
        return Response(ModuleVersionSerializer(version).data)
