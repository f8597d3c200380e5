from django.http import Http404
from django.shortcuts import get_object_or_404

from curriculum.permissions import User, can_view_version
from pathways.models import PathwayVersion


def get_pathway_version_for_viewing(user: User, pk: int) -> PathwayVersion:
    version = get_object_or_404(
        PathwayVersion.objects.select_related("pathway__organization"), pk=pk
    )
    if not can_view_version(user, version):
        raise Http404
    return version
