"""Cohorts for machines, under /api/organizations/<slug>/cohorts/: the cohort
pages' actions (create, add and take out many at once) through the same
services and permission functions."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import services
from assessments.models import Cohort
from assessments.permissions import (
    get_cohort_of_organization,
    get_organization_for_cohorts,
)
from assessments.serializers import (
    CohortChangeSerializer,
    CohortPeopleSerializer,
    CohortSerializer,
)


class CohortList(generics.ListCreateAPIView):
    """An organization's cohorts, for its admins and faculty; admins create one."""

    serializer_class = CohortSerializer

    def get_queryset(self):
        organization = get_organization_for_cohorts(
            self.request.user, self.kwargs["slug"]
        )
        return (
            Cohort.objects.filter(organization=organization)
            .prefetch_related("learners", "graders")
            .order_by("name", "pk")
        )

    def create(self, request, *args, **kwargs):
        self.organization = get_organization_for_cohorts(
            request.user, kwargs["slug"], managing=True
        )
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        serializer.instance = services.create_cohort(
            self.organization,
            by=self.request.user,
            name=serializer.validated_data["name"],
        )


class CohortDetail(generics.RetrieveAPIView):
    """One cohort with its learners and graders, for its organization's admins."""

    serializer_class = CohortSerializer

    def get_object(self):
        return get_cohort_of_organization(
            self.request.user, self.kwargs["slug"], self.kwargs["pk"]
        )


class _CohortPeople(APIView):
    service = staticmethod(services.add_many_to_cohort)
    answer_status = status.HTTP_200_OK

    @extend_schema(request=CohortPeopleSerializer, responses=CohortChangeSerializer)
    def post(self, request, slug: str, pk: int) -> Response:
        cohort = get_cohort_of_organization(request.user, slug, pk)
        data = CohortPeopleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changed = self.service(
            cohort,
            by=request.user,
            lines=data.validated_data["people"],
            picked=data.validated_data["user_ids"],
            as_role=data.validated_data["role"],
        )
        cohort = Cohort.objects.prefetch_related("learners", "graders").get(
            pk=cohort.pk
        )
        return Response(
            {
                "changed": [user.get_username() for user in changed],
                "cohort": CohortSerializer(cohort).data,
            },
            status=self.answer_status,
        )


class CohortMembersAdd(_CohortPeople):
    """Add many learners or graders at once, all or none (a 400 names each
    line's problem); those in the cohort already stay as they are."""


class CohortMembersRemove(_CohortPeople):
    """Take many learners or graders out at once, all or none; those not in
    the cohort are left as they are."""

    service = staticmethod(services.remove_many_from_cohort)
