"""A draft version's badge for machines: upload an image, draw one from a
design, or take it away, through the services the badge designer's page
calls. Module versions are under /api/module-versions/<id>/badge/; pathway
versions (pathways.badge_api) reuse these views with their own access check."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from curriculum import badge_design, services
from curriculum.models import VersionedContent
from curriculum.permissions import get_module_version_for_editing

# An uploaded badge is a few hundred kilobytes at most (check_badge_image
# decides what is acceptable); anything bigger is refused before it is read.
MAX_UPLOAD = 2 * 1024 * 1024


class BadgeSerializer(serializers.Serializer):
    image = serializers.CharField(
        allow_null=True, help_text="The badge as uploaded or drawn (PNG or SVG)."
    )
    png = serializers.CharField(
        allow_null=True, help_text="The badge as a PNG, as credentials name it."
    )
    design = serializers.DictField(
        child=serializers.CharField(), help_text="The drawn badge's design, if drawn."
    )


class BadgeUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="A PNG, or an SVG (made safe on upload).")


class BadgeDesignSerializer(serializers.Serializer):
    shape = serializers.ChoiceField(choices=sorted(badge_design.SHAPES))
    background = serializers.CharField(max_length=20, help_text="Like #ffffff.")
    border = serializers.CharField(max_length=20)
    ink = serializers.CharField(max_length=20, help_text="Icon and text colour.")
    icon = serializers.CharField(
        max_length=80, allow_blank=True, default="", help_text="A bundled icon's name."
    )
    text = serializers.CharField(max_length=200, allow_blank=True, default="")


class _Badge(APIView):
    namespace = "curriculum"
    get_version = staticmethod(get_module_version_for_editing)

    def version(self, request, pk: int) -> VersionedContent:
        return type(self).get_version(request.user, pk)

    def answer(self, version: VersionedContent) -> Response:
        version.refresh_from_db()

        def url(name: str) -> str:
            return reverse(f"{self.namespace}:{name}", args=[version.pk])

        png = version.badge_png or (
            version.badge_image
            if version.badge_image.name.lower().endswith(".png")
            else None
        )
        return Response(
            {
                "image": url("version-badge-image") if version.badge_image else None,
                "png": url("version-badge-png") if png else None,
                "design": version.badge_design or {},
            }
        )


class ModuleVersionBadge(_Badge):
    """Upload a draft's badge image (multipart `image`), or remove its badge."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=BadgeUploadSerializer, responses=BadgeSerializer)
    def put(self, request, pk: int) -> Response:
        version = self.version(request, pk)
        data = BadgeUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["image"]
        if upload.size > MAX_UPLOAD:
            raise serializers.ValidationError({"image": "The image is too large."})
        services.upload_badge(version, by=request.user, data=upload.read())
        return self.answer(version)

    @extend_schema(request=None, responses=BadgeSerializer)
    def delete(self, request, pk: int) -> Response:
        version = self.version(request, pk)
        services.remove_badge(version, by=request.user)
        return self.answer(version)


class ModuleVersionBadgeDesign(_Badge):
    """Draw a draft's badge from a design (shape, colours, icon, text): an SVG
    and a PNG, frozen with the version when it is published."""

    @extend_schema(request=BadgeDesignSerializer, responses=BadgeSerializer)
    def put(self, request, pk: int) -> Response:
        version = self.version(request, pk)
        data = BadgeDesignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            design = badge_design.design_from(data.validated_data)
        except badge_design.BadgeDesignError as error:
            raise serializers.ValidationError({"design": str(error)}) from error
        services.design_badge(version, by=request.user, design=design.as_dict())
        return self.answer(version)
