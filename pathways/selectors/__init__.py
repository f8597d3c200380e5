"""Reads shaped for pages and for evaluation, in a fixed number of queries.

Split by what they are about: here, what the rule engine knows of an
organization (its catalogue) and the lists its pages show; in `facts`, the
learners' completions as the engine reads them; in `progress`, a learner's
pathways as their pages show them; in `planner`, which next module advances
the most; in `cohorts`, a pathway's learners as a whole.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import Organization
from curriculum.models import ModuleVersion
from pathways import rules
from pathways.models import (
    Equivalence,
    PathwayVersion,
    PrerequisiteOverride,
    Reevaluation,
)


def latest_published_modules(
    pairs: set[tuple[int, str]],
) -> dict[tuple[int, str], ModuleVersion]:
    """The newest published version for each (organization id, module code)."""
    if not pairs:
        return {}
    organization_ids = {o for o, _ in pairs}
    codes = {c for _, c in pairs}
    versions = (
        ModuleVersion.objects.published()
        .filter(module__organization_id__in=organization_ids, module__code__in=codes)
        .select_related("module")
        .order_by("module_id", "number")
    )
    return {(v.module.organization_id, v.module.code): v for v in versions}


@dataclass(frozen=True)
class OrganizationCatalogue:
    catalogue: rules.Catalogue
    modules: dict[str, ModuleVersion]  # code -> latest published version


def catalogues(
    organizations: Iterable[Organization], *, nested: bool = True
) -> dict[int, OrganizationCatalogue]:
    """What the engine needs to know of each organization, in three queries
    (two when no rule nests a pathway: nested=False)."""
    organizations = {o.pk: o for o in organizations}
    if not organizations:
        return {}
    versions = (
        ModuleVersion.objects.published()
        .filter(module__organization_id__in=organizations)
        .select_related("module__stacking")
        .prefetch_related("prerequisites")
        .order_by("module_id", "number")
    )
    modules: dict[int, dict[str, ModuleVersion]] = defaultdict(dict)
    numbers: dict[int, list[int]] = defaultdict(list)  # module id -> published
    for version in versions:
        modules[version.module.organization_id][version.module.code] = version
        numbers[version.module_id].append(version.number)
    equivalences: dict[int, list[rules.Equivalence]] = defaultdict(list)
    for eq in (
        Equivalence.objects.approved()
        .filter(organization_id__in=organizations)
        .select_related("module", "approved_by")
    ):
        equivalences[eq.organization_id].append(_equivalence_fact(eq))
    pathways: dict[int, dict[str, PathwayVersion]] = defaultdict(dict)
    published = (
        PathwayVersion.objects.published()
        .filter(pathway__organization_id__in=organizations)
        .select_related("pathway")
        .order_by("pathway_id", "number")
    )
    for version in published if nested else ():
        pathways[version.pathway.organization_id][version.pathway.code] = version
    result = {}
    for pk, organization in organizations.items():
        infos = {
            code: _module_info(version, tuple(numbers[version.module_id]))
            for code, version in modules[pk].items()
        }
        result[pk] = OrganizationCatalogue(
            rules.Catalogue(
                home=organization.slug,
                modules=infos,
                equivalences=tuple(equivalences[pk]),
                pathways={c: v.rule for c, v in pathways[pk].items()},
                pathway_titles={c: v.title for c, v in pathways[pk].items()},
                time_zone=organization_timezone(organization),
            ),
            dict(modules[pk]),
        )
    return result


def organization_timezone(organization: Organization) -> tzinfo:
    """Where the organization is, for calendar dates such as recency: its own
    time zone, or the site's (settings.TIME_ZONE) when it has none set."""
    name = getattr(organization, "time_zone", "") or settings.TIME_ZONE
    return ZoneInfo(name)


def catalogue_for(organization: Organization) -> OrganizationCatalogue:
    return catalogues([organization])[organization.pk]


def _module_info(
    version: ModuleVersion, numbers: tuple[int, ...] = ()
) -> rules.ModuleInfo:
    stacking = getattr(version.module, "stacking", None)
    return rules.ModuleInfo(
        code=version.module.code,
        title=version.title,
        credits=rules.credits_of(version.credits),
        tags=tuple(stacking.tags) if stacking else (),
        # What locks the module on the map is what holds where work starts
        # (pathways/prerequisites.py): the stacking rule and the listed modules.
        prerequisite=rules.effective_prerequisite(
            stacking.prerequisite if stacking else None,
            (m.code for m in version.prerequisites.all()),
        ),
        versions=numbers,
    )


def _equivalence_fact(eq: Equivalence) -> rules.Equivalence:
    approver = eq.approved_by
    return rules.Equivalence(
        id=eq.pk,
        issuer=eq.issuer,
        achievement=eq.achievement,
        counts_as=eq.module.code if eq.module_id else "",
        approved_by=approver.get_full_name() or approver.get_username(),
        approved_on=eq.approved_at.date(),
    )


# ------------------------------------------------------- lists pages show


def published_pathways():
    return (
        PathwayVersion.objects.published()
        .select_related("pathway__organization")
        .order_by("pathway__organization__name", "pathway__code", "-number")
    )


def equivalences_of(organization: Organization) -> QuerySet[Equivalence]:
    return (
        Equivalence.objects.filter(organization=organization)
        .select_related("module", "approved_by")
        .order_by("withdrawn_at", "issuer", "achievement")
    )


def prerequisite_overrides_of(module) -> QuerySet[PrerequisiteOverride]:
    return module.prerequisite_overrides.select_related("learner", "granted_by")


def reevaluations_of(version: PathwayVersion) -> QuerySet[Reevaluation]:
    return version.reevaluations.select_related("requested_by")[:10]
