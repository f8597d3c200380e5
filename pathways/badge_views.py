"""A pathway version's badge: its files and its designer (curriculum.badge_views
does the work, these views check who is asking)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods

from curriculum import badge_views
from pathways.permissions import (
    get_pathway_version_for_editing,
    get_pathway_version_for_viewing,
)


@require_GET
def version_badge_image(request: HttpRequest, pk: int) -> FileResponse:
    version = get_pathway_version_for_viewing(request.user, pk)
    return badge_views.serve_badge(version, png=False)


@require_GET
def version_badge_png(request: HttpRequest, pk: int) -> FileResponse:
    """The pathway version's badge as a PNG, the picture its credentials name."""
    version = get_pathway_version_for_viewing(request.user, pk)
    return badge_views.serve_badge(version, png=True)


@login_required
@require_http_methods(["GET", "POST"])
def version_badge_designer(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_pathway_version_for_editing(request.user, pk)
    return badge_views.badge_designer(request, version, kind="pathway")
