from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from curriculum import services
from curriculum.models import Membership, ModuleVersion, Organization
from curriculum.permissions import (
    can_publish_version,
    get_module_version_for_editing,
    get_module_version_for_viewing,
    get_organization_for,
    organizations_where,
)
from curriculum.serializers import (
    ModuleVersionCreateSerializer,
    ModuleVersionSerializer,
    OrganizationSerializer,
    OutcomeSerializer,
    PublishSerializer,
)

Role = Membership.Role


class OrganizationList(generics.ListAPIView):
    """The organizations where you hold a role."""

    serializer_class = OrganizationSerializer

    def get_queryset(self):
        return organizations_where(self.request.user, *Role.values).order_by("name")


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


class ModuleVersionDetail(generics.RetrieveAPIView):
    serializer_class = ModuleVersionSerializer
    permission_classes = [permissions.AllowAny]

    def get_object(self):
        return get_module_version_for_viewing(self.request.user, self.kwargs["pk"])


class OutcomeCreate(APIView):
    @extend_schema(request=OutcomeSerializer, responses=OutcomeSerializer)
    def post(self, request, pk: int):
        version = get_module_version_for_editing(request.user, pk)
        serializer = OutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.add_outcome(
            version, by=request.user, statement=serializer.validated_data["statement"]
        )
        return Response(OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)


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
