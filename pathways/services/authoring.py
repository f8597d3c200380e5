"""Authoring pathways: their rules, versions and publishing, and modules'
stacking profiles (tags and prerequisites)."""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import log_action
from accounts.models import Organization
from curriculum.models import Module
from curriculum.services import ensure_editable, next_draft_number
from curriculum.services import publish_version as publish_any_version
from pathways import rules, selectors
from pathways.models import Pathway, PathwayVersion, StackingProfile


def all_of(module_codes: Sequence[str]) -> dict:
    return {
        "type": "all",
        "children": [{"type": "module", "code": c} for c in module_codes],
    }


def check_rule(organization: Organization, rule: dict, *, pathway_code: str) -> None:
    """Refuse, in words, a rule that is malformed, unreachable or cyclic."""
    if not isinstance(rule, dict):
        raise ValidationError({"rule": "A rule must be a JSON object."})
    try:
        rules.validate_rule(rule)
    except rules.RuleError as error:
        raise ValidationError({"rule": str(error)}) from error
    codes = set(rules.module_codes(rule))
    if (
        not codes
        and not rules.pathway_codes(rule)
        and not rules.tags(rule)
        and rule.get("type") != "external"
    ):
        raise ValidationError({"rule": "A pathway needs at least one module."})
    known = set(
        Module.objects.filter(organization=organization, code__in=codes).values_list(
            "code", flat=True
        )
    )
    if unknown := sorted(codes - known):
        raise ValidationError({"rule": f"No such module: {', '.join(unknown)}."})
    nested = set(rules.pathway_codes(rule))
    existing = set(
        Pathway.objects.filter(organization=organization, code__in=nested).values_list(
            "code", flat=True
        )
    )
    if unknown := sorted(nested - existing):
        raise ValidationError({"rule": f"No such pathway: {', '.join(unknown)}."})
    found = selectors.catalogue_for(organization).catalogue
    # Other pathways as their latest version says, drafts included: a cycle
    # through a draft would bite once it is published.
    latest = {
        v.pathway.code: v.rule
        for v in PathwayVersion.objects.filter(pathway__organization=organization)
        .select_related("pathway")
        .order_by("pathway_id", "number")
    }
    catalogue = rules.Catalogue(
        home=found.home,
        modules={c: found.modules.get(c) or rules.ModuleInfo(c) for c in known}
        | dict(found.modules),
        pathways=latest,
    )
    try:
        rules.validate_rule(rule, catalogue, pathway_code=pathway_code)
    except rules.RuleError as error:
        raise ValidationError({"rule": str(error)}) from error


@transaction.atomic
def create_pathway_version(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    code: str,
    title: str,
    summary: str = "",
    rule: dict,
    valid_for_days: int | None = None,
) -> PathwayVersion:
    check_rule(organization, rule, pathway_code=code)
    pathway, _ = Pathway.objects.get_or_create(organization=organization, code=code)
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    number = next_draft_number(pathway.versions, label=f"Pathway {code}")
    version = PathwayVersion(
        pathway=pathway,
        number=number,
        title=title,
        summary=summary,
        rule=rule,
        valid_for_days=valid_for_days,
        created_by=by,
    )
    version.full_clean()
    version.save()
    log_action(by, "version.created", version, organization=organization)
    return version


@transaction.atomic
def update_rule(
    version: PathwayVersion, *, by: AbstractBaseUser, rule: dict
) -> PathwayVersion:
    version = (
        PathwayVersion.objects.select_for_update()
        .select_related("pathway__organization")
        .get(pk=version.pk)
    )
    ensure_editable(version)
    check_rule(version.organization, rule, pathway_code=version.code)
    version.rule = rule
    version.save(update_fields=["rule"])
    log_action(
        by,
        "rule.updated",
        version,
        organization=version.organization,
        summary=rules.describe(
            rule, selectors.catalogue_for(version.organization).catalogue
        ),
    )
    return version


@transaction.atomic
def publish_pathway_version(
    version: PathwayVersion, *, by: AbstractBaseUser, changelog: str
) -> PathwayVersion:
    """Publish once the rule holds together and every module it names has a
    published version."""
    organization = version.organization
    check_rule(organization, version.rule, pathway_code=version.code)
    codes = set(rules.module_codes(version.rule))
    published = set(
        Module.objects.filter(
            organization=organization, code__in=codes, versions__status="published"
        ).values_list("code", flat=True)
    )
    if missing := sorted(codes - published):
        raise ValidationError(
            f"Publish these modules first: {', '.join(missing)}.", code="unpublished"
        )
    return publish_any_version(version, by=by, changelog=changelog)


@transaction.atomic
def set_stacking(
    module: Module,
    *,
    by: AbstractBaseUser,
    tags: Sequence[str] = (),
    prerequisite: dict | None = None,
) -> StackingProfile:
    """A module's tags and prerequisite (a rule of the same kind as a pathway's)."""
    tags = sorted({t.strip() for t in tags if t.strip()})
    if prerequisite:
        if module.code in rules.module_codes(prerequisite):
            raise ValidationError(
                {"prerequisite": f"{module.code} cannot be its own prerequisite."}
            )
        check_rule(module.organization, prerequisite, pathway_code="")
        _check_prerequisite_cycle(module, prerequisite)
    profile, _ = StackingProfile.objects.update_or_create(
        module=module, defaults={"tags": tags, "prerequisite": prerequisite or None}
    )
    log_action(
        by,
        "module.stacking",
        profile,
        organization=module.organization,
        tags=tags,
        prerequisite=rules.describe(prerequisite) if prerequisite else "",
    )
    return profile


def _check_prerequisite_cycle(module: Module, prerequisite: dict) -> None:
    profiles = {
        p.module.code: p.prerequisite
        for p in StackingProfile.objects.filter(
            module__organization=module.organization, prerequisite__isnull=False
        ).select_related("module")
    }
    profiles[module.code] = prerequisite
    path = [module.code]

    def visit(code: str) -> None:
        for inner in rules.module_codes(
            profiles.get(code) or {"type": "all", "children": []}
        ):
            if inner == module.code:
                raise ValidationError(
                    {
                        "prerequisite": "Prerequisites cannot go round in a circle: "
                        + " → ".join([*path, inner])
                        + "."
                    }
                )
            if inner not in path:
                path.append(inner)
                visit(inner)
                path.pop()

    visit(module.code)
