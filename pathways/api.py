from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership
from accounts.permissions import get_organization_for, organizations_where
from curriculum.permissions import can_publish_version
from curriculum.serializers import PublishSerializer
from pathways import services
from pathways.models import PathwayVersion
from pathways.permissions import (
    get_pathway_version_for_editing,
    get_pathway_version_for_viewing,
)
from pathways.rules import describe
from pathways.selectors.cohorts import simulate
from pathways.selectors.progress import learner_progress
from pathways.serializers import (
    EnrolmentSerializer,
    PathwayVersionCreateSerializer,
    PathwayVersionSerializer,
    ProgressSerializer,
    RuleSerializer,
    SimulationSerializer,
)

Role = Membership.Role


class PathwayVersionList(generics.ListCreateAPIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_serializer_class(self):
        if self.request.method == "POST":
            return PathwayVersionCreateSerializer
        return PathwayVersionSerializer

    def get_queryset(self):
        staff = organizations_where(
            self.request.user, Role.DESIGNER, Role.ADMIN, Role.REVIEWER
        )
        return (
            PathwayVersion.objects.filter(
                Q(status=PathwayVersion.Status.PUBLISHED)
                | Q(pathway__organization__in=staff)
            )
            .select_related("pathway__organization")
            .order_by("pathway__code", "number")
        )

    @extend_schema(
        request=PathwayVersionCreateSerializer, responses=PathwayVersionSerializer
    )
    def post(self, request, *args, **kwargs):
        serializer = PathwayVersionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization = get_organization_for(
            request.user, data.pop("organization"), Role.DESIGNER, Role.ADMIN
        )
        version = services.create_pathway_version(organization, by=request.user, **data)
        return Response(
            PathwayVersionSerializer(version).data, status=status.HTTP_201_CREATED
        )


class PathwayVersionDetail(generics.RetrieveAPIView):
    serializer_class = PathwayVersionSerializer
    permission_classes = [permissions.AllowAny]

    def get_object(self):
        return get_pathway_version_for_viewing(self.request.user, self.kwargs["pk"])


class PathwayVersionPublish(APIView):
    @extend_schema(request=PublishSerializer, responses=PathwayVersionSerializer)
    def post(self, request, pk: int):
        version = get_pathway_version_for_viewing(request.user, pk)
        if not can_publish_version(request.user, version):
            self.permission_denied(request, "Only an admin can publish.")
        serializer = PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.publish_pathway_version(
            version, by=request.user, **serializer.validated_data
        )
        return Response(PathwayVersionSerializer(version).data)


class Enrol(APIView):
    @extend_schema(request=None, responses=EnrolmentSerializer)
    def post(self, request, pk: int):
        version = get_pathway_version_for_viewing(request.user, pk)
        enrolment = services.enrol(request.user, version)
        return Response(
            EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED
        )


class MyProgress(APIView):
    """Each pathway you are enrolled in, with what is done and what remains."""

    @extend_schema(responses=ProgressSerializer(many=True))
    def get(self, request):
        progress = learner_progress(request.user, on=timezone.now())
        return Response(ProgressSerializer(progress, many=True).data)


class PathwayVersionRule(APIView):
    """Replace a draft's rule; the answer says it in plain words."""

    @extend_schema(request=RuleSerializer, responses=PathwayVersionSerializer)
    def put(self, request, pk: int):
        version = get_pathway_version_for_editing(request.user, pk)
        serializer = RuleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.update_rule(
            version, by=request.user, rule=serializer.validated_data["rule"]
        )
        return Response(PathwayVersionSerializer(version).data)


class PathwayVersionSimulate(APIView):
    """Evaluate the version's enrolled cohort under a proposed rule; changes nothing."""

    @extend_schema(request=RuleSerializer, responses=SimulationSerializer)
    def post(self, request, pk: int):
        version = get_pathway_version_for_editing(request.user, pk)
        serializer = RuleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule = serializer.validated_data["rule"]
        services.check_rule(version.organization, rule, pathway_code=version.code)
        simulation = simulate(
            version, before=version.rule, after=rule, on=timezone.now()
        )
        data = {
            "summary": describe(rule),
            "gain": len(simulation.gain),
            "lose": len(simulation.lose),
            "keep": len(simulation.keep),
            "changes": simulation.changes,
        }
        return Response(SimulationSerializer(data).data)
