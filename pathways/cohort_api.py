"""An admin's work on who is enrolled where, for machines: enrolling a cohort,
moving learners to a newer version, re-evaluating a version, and waiving a
module's prerequisite for a learner. The pages' services and permission
functions, under /api/pathway-versions/<id>/ and /api/modules/<id>/."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership
from assessments.models import Cohort
from pathways import roster, selectors, services
from pathways.models import PathwayVersion, Reevaluation
from pathways.permissions import (
    get_module_for_waiving,
    get_pathway_version_for_cohorts,
)
from pathways.serializers import (
    CohortEnrolSerializer,
    CohortMoveSerializer,
    CountSerializer,
    PrerequisiteOverrideSerializer,
    ReevaluationSerializer,
)


class CohortEnrol(APIView):
    """Enrol every learner of a cohort in this published version; those
    enrolled already stay as they were."""

    @extend_schema(request=CohortEnrolSerializer, responses=CountSerializer)
    def post(self, request, pk: int) -> Response:
        version = get_pathway_version_for_cohorts(request.user, pk)
        data = CohortEnrolSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cohort = Cohort.objects.filter(
            organization=version.organization, pk=data.validated_data["cohort"]
        ).first()
        if cohort is None:
            raise serializers.ValidationError(
                {"cohort": f"{version.organization} has no such cohort."}
            )
        count = roster.enrol_cohort(cohort, version, by=request.user)
        return Response({"count": count})


class CohortMove(APIView):
    """Move everyone enrolled in an older version of the pathway to this one
    (see /simulate/ first for who gains or loses progress)."""

    @extend_schema(request=CohortMoveSerializer, responses=CountSerializer)
    def post(self, request, pk: int) -> Response:
        target = get_pathway_version_for_cohorts(request.user, pk)
        data = CohortMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        source = PathwayVersion.objects.filter(
            pathway=target.pathway, pk=data.validated_data["source"]
        ).first()
        if source is None:
            raise serializers.ValidationError(
                {"source": "Name a version of the same pathway."}
            )
        return Response(
            {"count": services.move_cohort(source, target, by=request.user)}
        )


class Reevaluate(APIView):
    """Re-evaluate everyone enrolled in this version, in batches; follow it at
    /api/reevaluations/<id>/."""

    @extend_schema(request=None, responses={202: ReevaluationSerializer})
    def post(self, request, pk: int) -> Response:
        version = get_pathway_version_for_cohorts(request.user, pk)
        run = services.start_reevaluation(
            version, by=request.user, reason="Requested by an administrator"
        )
        return Response(
            ReevaluationSerializer(run).data, status=status.HTTP_202_ACCEPTED
        )


class ReevaluationDetail(generics.RetrieveAPIView):
    """How far a re-evaluation has come."""

    serializer_class = ReevaluationSerializer

    def get_object(self):
        run = get_object_or_404(Reevaluation, pk=self.kwargs["pk"])
        get_pathway_version_for_cohorts(self.request.user, run.version_id)
        return run


class PrerequisiteOverrides(generics.ListCreateAPIView):
    """The learners for whom a module's prerequisite is waived; faculty and
    admins waive it for one more, with the reason."""

    serializer_class = PrerequisiteOverrideSerializer
    pagination_class = None  # a few exceptions a module

    def get_queryset(self):
        module = get_module_for_waiving(self.request.user, self.kwargs["pk"])
        return selectors.prerequisite_overrides_of(module).order_by("-granted_at")

    def create(self, request, *args, **kwargs):
        self.module = get_module_for_waiving(request.user, kwargs["pk"])
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        named = data["learner"]["username"].strip()
        learner = (
            get_user_model()
            .objects.filter(Q(username=named) | Q(email__iexact=named))
            .filter(
                memberships__organization=self.module.organization,
                memberships__role=Membership.Role.LEARNER,
            )
            .first()
        )
        if learner is None:
            raise serializers.ValidationError(
                {"learner": f"{self.module.organization} has no learner “{named}”."}
            )
        serializer.instance = services.override_prerequisite(
            learner, self.module, by=self.request.user, reason=data["reason"]
        )
