"""An organization's audit trail for machines, under
/api/organizations/<slug>/audit/: the audit page's filters, its entries in the
same words, and the same CSV (accounts.audit_export). Its admins only."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts import selectors
from accounts.audit_export import audit_csv_response
from accounts.forms import AuditFilterForm
from accounts.permissions import Role, get_organization_for

FILTERS = [
    OpenApiParameter(
        "area", str, description="An area of actions, as `award` or `key`."
    ),
    OpenApiParameter(
        "person",
        str,
        description=f"Words of the actor's name or username; "
        f"“{selectors.AUDIT_SYSTEM_NAME}” for what the system did.",
    ),
    OpenApiParameter("since", OpenApiTypes.DATE, description="From this day on."),
    OpenApiParameter("until", OpenApiTypes.DATE, description="To this day, included."),
    OpenApiParameter("q", str, description="Words the entry's details contain."),
]


class AuditRowSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    who = serializers.CharField()
    username = serializers.CharField(help_text="Empty for what the system did.")
    by_system = serializers.BooleanField()
    action = serializers.CharField()
    words = serializers.CharField(help_text="The action in plain words.")
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    object_label = serializers.CharField()
    reason = serializers.CharField()
    details = serializers.SerializerMethodField()

    def get_details(self, row) -> dict[str, str]:
        return dict(row.details)


def _filtered(request, slug: str):
    """The organization and its entries that the query's filters find; a
    filter that is not valid is a 400, not ignored."""
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    asked = {
        key: value
        for key, value in request.query_params.items()
        if key in {"area", "person", "since", "until", "q"}
    }
    areas = selectors.audit_areas(organization, asked.get("area", ""))
    form = AuditFilterForm(asked or None, areas=areas)
    filters = form.filters()
    if form.errors:
        raise ValidationError(form.errors)
    return organization, selectors.audit_trail(organization, **filters)


class AuditTrail(GenericAPIView):
    """Who did what in the organization, newest first, in pages: each entry
    with its action in words, what it was about and its details (people they
    name by name). The audit page's filters."""

    serializer_class = AuditRowSerializer

    @extend_schema(parameters=FILTERS, responses=AuditRowSerializer(many=True))
    def get(self, request, slug: str) -> Response:
        organization, entries = _filtered(request, slug)
        page = self.paginate_queryset(entries)
        rows = list(selectors.audit_rows(page, organization))
        return self.get_paginated_response(AuditRowSerializer(rows, many=True).data)


class AuditTrailCsv(GenericAPIView):
    """Every entry the filters find, as the audit page's CSV (cells that a
    spreadsheet would run as a formula are made safe)."""

    serializer_class = AuditRowSerializer  # (for the schema's name only)

    @extend_schema(parameters=FILTERS, responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, slug: str):
        organization, entries = _filtered(request, slug)
        return audit_csv_response(organization, entries)
