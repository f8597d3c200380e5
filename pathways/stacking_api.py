"""A module's stacking profile for machines (`GET/PUT modules/<id>/stacking/`):
its tags and prerequisite modules, as the stacking page shows and saves them,
through `set_stacking` and the page's permission function (the
organization's designers and admins)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from pathways import rules, services
from pathways.permissions import get_module_for_stacking


class StackingSerializer(serializers.Serializer):
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50),
        max_length=20,
        default=list,
        help_text="Credits rules can count every module with a tag.",
    )
    prerequisites = serializers.ListField(
        child=serializers.CharField(max_length=40),
        max_length=50,
        default=list,
        help_text="Codes of the organization's modules that must all be done "
        "first; the module stays locked on learners' maps until then.",
    )


class ModuleStacking(APIView):
    """A module's tags and prerequisites; PUT replaces both."""

    def _answer(self, module, profile) -> Response:
        prerequisite = profile.prerequisite if profile else None
        return Response(
            {
                "tags": list(profile.tags) if profile else [],
                "prerequisites": sorted(rules.module_codes(prerequisite))
                if prerequisite
                else [],
            }
        )

    @extend_schema(responses=StackingSerializer)
    def get(self, request, pk: int) -> Response:
        module = get_module_for_stacking(request.user, pk)
        return self._answer(module, getattr(module, "stacking", None))

    @extend_schema(request=StackingSerializer, responses=StackingSerializer)
    def put(self, request, pk: int) -> Response:
        module = get_module_for_stacking(request.user, pk)
        data = StackingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        codes = list(dict.fromkeys(data.validated_data["prerequisites"]))
        profile = services.set_stacking(
            module,
            by=request.user,
            tags=data.validated_data["tags"],
            prerequisite=services.all_of(codes) if codes else None,
        )
        return self._answer(module, profile)
