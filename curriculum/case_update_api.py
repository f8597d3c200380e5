"""Updating a framework from a newer version of its CASE document, for
machines: preview what it changes (`POST frameworks/<id>/case-update/preview/`,
which changes nothing) and apply it with the preview's digest
(`POST frameworks/<id>/case-update/`), through the services the framework's
update page calls. The digest makes sure what is applied is what was seen."""

import json

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from curriculum import case, framework_services
from curriculum.permissions import get_framework_for_maintaining


class CaseUpdateItemSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    code = serializers.CharField()
    statement = serializers.CharField()


class CaseUpdatePlanSerializer(serializers.Serializer):
    digest = serializers.CharField(help_text="Send it back to apply these changes.")
    added = CaseUpdateItemSerializer(many=True)
    removed = CaseUpdateItemSerializer(many=True)
    changed = CaseUpdateItemSerializer(many=True)
    associations_added = serializers.IntegerField()
    associations_removed = serializers.IntegerField()
    associations_changed = serializers.IntegerField()
    blocked = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why the update cannot be applied yet (outcomes aligned to "
        "competencies it removes).",
    )


class CaseUpdatePreviewSerializer(serializers.Serializer):
    package = serializers.JSONField(
        help_text="The newer CASE 1.0/1.1 CFPackage of the same document."
    )


class CaseUpdateApplySerializer(CaseUpdatePreviewSerializer):
    digest = serializers.CharField(max_length=200, help_text="The preview's digest.")


def _raw(serializer_class, request) -> tuple[str, dict]:
    try:
        data = request.data
    except RecursionError as error:
        raise serializers.ValidationError({"package": [case.TOO_DEEP]}) from error
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    package = serializer.validated_data["package"]
    if not isinstance(package, dict):
        raise serializers.ValidationError({"package": "Send a CFPackage object."})
    return json.dumps(package), serializer.validated_data


def _item(item) -> dict:
    return {
        "identifier": item.identifier,
        "code": item.code,
        "statement": item.statement,
    }


def _summary(update, blocked: list[str]) -> dict:
    return {
        "digest": update.digest(),
        "added": [_item(i) for i in update.added],
        "removed": [_item(i) for i in update.removed],
        "changed": [_item(c.item) for c in update.changed],
        "associations_added": len(update.associations_added),
        "associations_removed": len(update.associations_removed),
        "associations_changed": len(update.associations_changed),
        "blocked": blocked,
    }


class CaseUpdatePreview(APIView):
    """What the newer package would change; changes nothing."""

    @extend_schema(
        request=CaseUpdatePreviewSerializer, responses=CaseUpdatePlanSerializer
    )
    def post(self, request, pk: int) -> Response:
        framework = get_framework_for_maintaining(request.user, pk)
        raw, _ = _raw(CaseUpdatePreviewSerializer, request)
        try:
            plan = framework_services.plan_case_update(framework, raw)
        except case.CaseError as error:
            raise serializers.ValidationError({"package": [str(error)]}) from error
        return Response(_summary(plan.update, plan.blocked))


class CaseUpdateApply(APIView):
    """Apply the newer package, all or nothing, if its changes are still the
    preview's (the digest); kept competencies keep their aligned outcomes."""

    @extend_schema(
        request=CaseUpdateApplySerializer, responses=CaseUpdatePlanSerializer
    )
    def post(self, request, pk: int) -> Response:
        framework = get_framework_for_maintaining(request.user, pk)
        raw, data = _raw(CaseUpdateApplySerializer, request)
        try:
            update = framework_services.apply_case_update(
                framework, by=request.user, raw=raw, digest=data["digest"]
            )
        except case.CaseError as error:
            raise serializers.ValidationError({"package": [str(error)]}) from error
        return Response(_summary(update, []))
