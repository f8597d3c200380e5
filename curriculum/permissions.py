"""Who may do what. Roles come from organization membership."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.permissions import Role, User, has_role
from curriculum.models import (
    Competency,
    CompetencyFramework,
    FrameworkImport,
    ModuleVersion,
    Outcome,
)


def can_view_version(user: User, version) -> bool:
    """Published versions are public; drafts only for the organization's staff."""
    if version.is_frozen:
        return True
    return has_role(
        user, version.organization, Role.DESIGNER, Role.ADMIN, Role.REVIEWER
    )


def can_edit_version(user: User, version) -> bool:
    return version.is_editable and has_role(
        user, version.organization, Role.DESIGNER, Role.ADMIN
    )


def can_publish_version(user: User, version) -> bool:
    return has_role(user, version.organization, Role.ADMIN)


def get_module_version_for_viewing(user: User, pk: int) -> ModuleVersion:
    version = get_object_or_404(
        ModuleVersion.objects.select_related("module__organization"), pk=pk
    )
    if not can_view_version(user, version):
        raise Http404  # strangers must not learn that the draft exists
    return version


def get_module_version_for_editing(user: User, pk: int) -> ModuleVersion:
    version = get_module_version_for_viewing(user, pk)
    if not has_role(user, version.organization, Role.DESIGNER, Role.ADMIN):
        raise PermissionDenied
    return version


def can_view_framework(user: User, framework: CompetencyFramework) -> bool:
    """Published frameworks are public; drafts only for the organization's staff."""
    if framework.status == CompetencyFramework.Status.PUBLISHED:
        return True
    return has_role(
        user, framework.organization, Role.DESIGNER, Role.ADMIN, Role.REVIEWER
    )


def can_edit_framework(user: User, framework: CompetencyFramework) -> bool:
    return framework.is_editable and has_role(
        user, framework.organization, Role.DESIGNER, Role.ADMIN
    )


def can_publish_framework(user: User, framework: CompetencyFramework) -> bool:
    return framework.is_editable and has_role(user, framework.organization, Role.ADMIN)


def can_maintain_framework(user: User, framework: CompetencyFramework) -> bool:
    """Replace the framework by a newer version of its CASE document, or delete
    it: its designers and admins while it is a draft, only admins once
    published (others may have aligned to it by then)."""
    roles = (Role.DESIGNER, Role.ADMIN) if framework.is_editable else (Role.ADMIN,)
    return has_role(user, framework.organization, *roles)


def get_framework_for_viewing(user: User, pk: int) -> CompetencyFramework:
    framework = get_object_or_404(
        CompetencyFramework.objects.select_related("organization"), pk=pk
    )
    if not can_view_framework(user, framework):
        raise Http404
    return framework


def get_framework_for_editing(user: User, pk: int) -> CompetencyFramework:
    framework = get_framework_for_viewing(user, pk)
    if not has_role(user, framework.organization, Role.DESIGNER, Role.ADMIN):
        raise PermissionDenied
    return framework


def get_framework_for_maintaining(user: User, pk: int) -> CompetencyFramework:
    framework = get_framework_for_viewing(user, pk)
    if not can_maintain_framework(user, framework):
        raise PermissionDenied
    return framework


def get_competency_for_editing(user: User, pk: int) -> Competency:
    competency = get_object_or_404(
        Competency.objects.select_related("framework__organization", "parent"), pk=pk
    )
    get_framework_for_editing(user, competency.framework_id)
    return competency


def get_outcome_for_editing(user: User, pk: int) -> Outcome:
    outcome = get_object_or_404(
        Outcome.objects.select_related("version__module__organization"), pk=pk
    )
    get_module_version_for_editing(user, outcome.version_id)
    return outcome


def get_import_for_viewing(user: User, pk: int) -> FrameworkImport:
    job = get_object_or_404(
        FrameworkImport.objects.select_related("organization", "framework"), pk=pk
    )
    if not has_role(user, job.organization, Role.DESIGNER, Role.ADMIN):
        raise Http404
    return job
