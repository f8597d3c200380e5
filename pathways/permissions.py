from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Membership, Organization
from accounts.permissions import User, has_role
from curriculum.models import Module
from curriculum.permissions import can_view_version
from pathways.models import Equivalence, PathwayVersion

Role = Membership.Role


def get_pathway_version_for_viewing(user: User, pk: int) -> PathwayVersion:
    version = get_object_or_404(
        PathwayVersion.objects.select_related("pathway__organization"), pk=pk
    )
    if not can_view_version(user, version):
        raise Http404
    return version


def can_design_pathways(user: User, organization: Organization) -> bool:
    return has_role(user, organization, Role.DESIGNER, Role.ADMIN)


def can_manage_cohorts(user: User, organization: Organization) -> bool:
    return has_role(user, organization, Role.ADMIN)


def get_pathway_version_for_editing(user: User, pk: int) -> PathwayVersion:
    version = get_pathway_version_for_viewing(user, pk)
    if not can_design_pathways(user, version.organization):
        raise PermissionDenied
    return version


def get_pathway_version_for_cohorts(user: User, pk: int) -> PathwayVersion:
    version = get_pathway_version_for_viewing(user, pk)
    if not can_manage_cohorts(user, version.organization):
        raise PermissionDenied
    return version


def get_equivalence_for_managing(user: User, pk: int) -> Equivalence:
    equivalence = get_object_or_404(
        Equivalence.objects.select_related("organization", "module"), pk=pk
    )
    if not has_role(user, equivalence.organization, Role.DESIGNER, Role.ADMIN):
        raise Http404
    if not can_manage_cohorts(user, equivalence.organization):
        raise PermissionDenied
    return equivalence


def get_organization_for_equivalences(
    user: User, slug: str, *, managing: bool = False
) -> Organization:
    """The organization whose equivalences `user` reads (designers and admins)
    or, `managing`, approves (admins)."""
    organization = get_object_or_404(Organization, slug=slug)
    if not has_role(user, organization, Role.DESIGNER, Role.ADMIN):
        raise Http404
    if managing and not can_manage_cohorts(user, organization):
        raise PermissionDenied
    return organization


def get_equivalence_of_organization(user: User, slug: str, pk: int) -> Equivalence:
    equivalence = get_equivalence_for_managing(user, pk)
    if equivalence.organization.slug != slug:
        raise Http404
    return equivalence


def get_module_for_stacking(user: User, pk: int) -> Module:
    module = get_object_or_404(
        Module.objects.select_related("organization", "stacking"), pk=pk
    )
    if not has_role(user, module.organization, Role.DESIGNER, Role.ADMIN):
        raise Http404
    return module


def can_waive_prerequisites(user: User, module: Module) -> bool:
    return has_role(user, module.organization, Role.FACULTY, Role.ADMIN)


def get_module_for_waiving(user: User, pk: int) -> Module:
    """A module whose prerequisite faculty and administrators may waive for a
    learner; other staff may see that it exists, no one else."""
    module = get_object_or_404(Module.objects.select_related("organization"), pk=pk)
    organization = module.organization
    if not has_role(
        user, organization, Role.DESIGNER, Role.REVIEWER, Role.FACULTY, Role.ADMIN
    ):
        raise Http404
    if not can_waive_prerequisites(user, module):
        raise PermissionDenied
    return module
