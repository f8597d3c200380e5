"""Equivalences for machines, under /api/organizations/<slug>/equivalences/:
the equivalences page's actions through the same services and permission
functions."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from curriculum.models import Module
from pathways import selectors, services
from pathways.permissions import (
    get_equivalence_of_organization,
    get_organization_for_equivalences,
)
from pathways.serializers import EquivalenceSerializer


class EquivalenceList(generics.ListCreateAPIView):
    """An organization's equivalences, live ones first (designers and admins
    read them; admins approve). `?live=1` leaves out withdrawn ones. Approving
    one re-evaluates the pathways of enrolled learners."""

    serializer_class = EquivalenceSerializer

    @extend_schema(
        parameters=[OpenApiParameter("live", bool, description="Only live ones")]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        organization = get_organization_for_equivalences(
            self.request.user, self.kwargs["slug"]
        )
        found = selectors.equivalences_of(organization)
        if self.request.query_params.get("live") in ("1", "true"):
            found = found.filter(withdrawn_at__isnull=True)
        return found.order_by("withdrawn_at", "issuer", "achievement", "pk")

    def create(self, request, *args, **kwargs):
        self.organization = get_organization_for_equivalences(
            request.user, kwargs["slug"], managing=True
        )
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        code = (data.get("module") or {}).get("code")
        module = None
        if code:
            module = Module.objects.filter(
                organization=self.organization, code=code
            ).first()
            if module is None:
                raise serializers.ValidationError(
                    {"module": f"{self.organization} has no module {code}."}
                )
        serializer.instance = services.approve_equivalence(
            self.organization,
            by=self.request.user,
            issuer=data["issuer"],
            achievement=data["achievement"],
            module=module,
            note=data.get("note", ""),
        )


class EquivalenceWithdraw(APIView):
    """Withdraw an equivalence: it no longer counts from now on."""

    @extend_schema(request=None, responses=EquivalenceSerializer)
    def post(self, request, slug: str, pk: int) -> Response:
        equivalence = get_equivalence_of_organization(request.user, slug, pk)
        equivalence = services.withdraw_equivalence(equivalence, by=request.user)
        return Response(
            EquivalenceSerializer(equivalence).data, status=status.HTTP_200_OK
        )
