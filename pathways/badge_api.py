"""A draft pathway version's badge through the API: the module versions'
badge endpoints (curriculum.badge_api) with the pathway's access check."""

from curriculum import badge_api
from pathways.permissions import get_pathway_version_for_editing


class PathwayVersionBadge(badge_api.ModuleVersionBadge):
    """Upload a draft pathway's badge image (multipart `image`), or remove it."""

    namespace = "pathways"
    get_version = staticmethod(get_pathway_version_for_editing)


class PathwayVersionBadgeDesign(badge_api.ModuleVersionBadgeDesign):
    """Draw a draft pathway's badge from a design (shape, colours, icon, text)."""

    namespace = "pathways"
    get_version = staticmethod(get_pathway_version_for_editing)
