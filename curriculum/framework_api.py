"""API endpoints of competency frameworks, with the pages' services and rules."""

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership
from accounts.permissions import get_organization_for, organizations_where
from curriculum import case, framework_services, selectors
from curriculum.models import Competency, CompetencyFramework
from curriculum.permissions import (
    can_publish_framework,
    get_competency_for_editing,
    get_framework_for_editing,
    get_framework_for_maintaining,
    get_framework_for_viewing,
)
from curriculum.serializers import (
    CaseImportResultSerializer,
    CaseImportSerializer,
    CompetencySerializer,
    CompetencyWriteSerializer,
    CsvImportSerializer,
    FrameworkCreateSerializer,
    FrameworkSerializer,
    FrameworkUpdateSerializer,
)

Role = Membership.Role


def _counted(framework: CompetencyFramework) -> CompetencyFramework:
    return (
        CompetencyFramework.objects.select_related("organization")
        .annotate(items=Count("competencies"))
        .get(pk=framework.pk)
    )


def _staff(request):
    return organizations_where(request.user, Role.DESIGNER, Role.ADMIN, Role.REVIEWER)


class FrameworkList(generics.ListAPIView):
    """Published frameworks, and every framework of your organizations; POST
    starts a draft framework."""

    serializer_class = FrameworkSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return selectors.frameworks_for(self.request.user, _staff(self.request))

    @extend_schema(request=FrameworkCreateSerializer, responses=FrameworkSerializer)
    def post(self, request):
        serializer = FrameworkCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization = get_organization_for(
            request.user, data.pop("organization"), Role.DESIGNER, Role.ADMIN
        )
        framework = framework_services.create_framework(
            organization, by=request.user, **data
        )
        return Response(
            FrameworkSerializer(_counted(framework)).data,
            status=status.HTTP_201_CREATED,
        )


class FrameworkDetail(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(responses=FrameworkSerializer)
    def get(self, request, pk: int):
        framework = get_framework_for_viewing(request.user, pk)
        return Response(FrameworkSerializer(_counted(framework)).data)

    @extend_schema(request=FrameworkUpdateSerializer, responses=FrameworkSerializer)
    def patch(self, request, pk: int):
        framework = get_framework_for_editing(request.user, pk)
        serializer = FrameworkUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        framework = framework_services.update_framework(
            framework, by=request.user, **serializer.validated_data
        )
        return Response(FrameworkSerializer(_counted(framework)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        """Delete a framework nothing uses; 400 with the reasons otherwise."""
        framework = get_framework_for_maintaining(request.user, pk)
        try:
            framework_services.delete_framework(framework, by=request.user)
        except ValidationError as error:
            raise serializers.ValidationError({"detail": error.messages}) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class FrameworkPublish(APIView):
    @extend_schema(request=None, responses=FrameworkSerializer)
    def post(self, request, pk: int):
        framework = get_framework_for_viewing(request.user, pk)
        if not can_publish_framework(request.user, framework):
            self.permission_denied(request, "Only an admin can publish a draft.")
        framework = framework_services.publish_framework(framework, by=request.user)
        return Response(FrameworkSerializer(_counted(framework)).data)


class FrameworkCase(APIView):
    """The framework as a CASE CFPackage (?version=1.0 for CASE 1.0)."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(
        parameters=[OpenApiParameter("version", str, enum=["1.0", "1.1"])],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, pk: int):
        framework = get_framework_for_viewing(request.user, pk)
        version = "1.0" if request.query_params.get("version") == "1.0" else "1.1"
        return Response(selectors.case_package(framework, case_version=version))


class CaseImport(APIView):
    """Import a CASE package as a new framework, at once and all or nothing; an
    error names the place in the package."""

    @extend_schema(request=CaseImportSerializer, responses=CaseImportResultSerializer)
    def post(self, request):
        try:
            data = request.data
        except RecursionError as error:
            # The JSON parser recurses a level at a time; CaseError explains.
            raise serializers.ValidationError({"package": [case.TOO_DEEP]}) from error
        serializer = CaseImportSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        organization = get_organization_for(
            request.user,
            serializer.validated_data["organization"],
            Role.DESIGNER,
            Role.ADMIN,
        )
        package = serializer.validated_data["package"]
        if not isinstance(package, dict):
            raise serializers.ValidationError({"package": "Send a CFPackage object."})
        try:
            result = framework_services.import_case_package(
                organization, by=request.user, raw=package
            )
        except case.CaseError as error:
            raise serializers.ValidationError({"package": [str(error)]}) from error
        return Response(
            {
                "framework": FrameworkSerializer(_counted(result.framework)).data,
                "warnings": result.warnings,
            },
            status=status.HTTP_201_CREATED,
        )


class CsvImport(APIView):
    """Add the competencies of a CSV file (multipart) to a draft framework, all
    or nothing; an error names the row and column."""

    @extend_schema(request=CsvImportSerializer, responses=CaseImportResultSerializer)
    def post(self, request):
        serializer = CsvImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organization = get_organization_for(
            request.user, data["organization"], Role.DESIGNER, Role.ADMIN
        )
        try:
            result = framework_services.import_competencies_csv(
                organization,
                by=request.user,
                raw=data["file"].read(),
                framework_name=data["framework"],
            )
        except framework_services.CsvError as error:
            raise serializers.ValidationError({"file": [str(error)]}) from error
        return Response(
            {
                "framework": FrameworkSerializer(_counted(result.framework)).data,
                "warnings": result.warnings,
            },
            status=status.HTTP_201_CREATED,
        )


class CompetencyList(APIView):
    """The competencies of a framework in tree order; POST adds one to a draft."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(responses=CompetencySerializer(many=True))
    def get(self, request, pk: int):
        framework = get_framework_for_viewing(request.user, pk)
        competencies = [node.competency for node in selectors.framework_tree(framework)]
        return Response(CompetencySerializer(competencies, many=True).data)

    @extend_schema(request=CompetencyWriteSerializer, responses=CompetencySerializer)
    def post(self, request, pk: int):
        framework = get_framework_for_editing(request.user, pk)
        serializer = CompetencyWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        competency = framework_services.add_competency(
            framework, by=request.user, **serializer.validated_data
        )
        return Response(
            CompetencySerializer(competency).data, status=status.HTTP_201_CREATED
        )


class CompetencyDetail(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(responses=CompetencySerializer)
    def get(self, request, pk: int):
        competency = get_object_or_404(Competency, pk=pk)
        get_framework_for_viewing(request.user, competency.framework_id)
        return Response(CompetencySerializer(competency).data)

    @extend_schema(request=CompetencyWriteSerializer, responses=CompetencySerializer)
    def patch(self, request, pk: int):
        competency = get_competency_for_editing(request.user, pk)
        serializer = CompetencyWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        competency = framework_services.update_competency(
            competency, by=request.user, **serializer.validated_data
        )
        return Response(CompetencySerializer(competency).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        competency = get_competency_for_editing(request.user, pk)
        framework_services.remove_competency(competency, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CompetencySearch(APIView):
    """Competencies matching words of their statement or the start of their code,
    across the frameworks you can see."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True)],
        responses=CompetencySerializer(many=True),
    )
    def get(self, request):
        results = selectors.search_competencies(
            request.query_params.get("q", ""), organizations=_staff(request)
        )
        return Response(CompetencySerializer(results, many=True).data)
