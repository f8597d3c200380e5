"""Reads for the LTI pages."""

from dataclasses import dataclass
from datetime import datetime

from django.db import models

from accounts.models import Organization
from assessments.models import ModuleCompletion
from curriculum.models import Module, ModuleVersion
from integrations.models import (
    LtiAwardRule,
    LtiContext,
    LtiGradebookColumn,
    LtiMember,
)
from pathways.models import Pathway, PathwayVersion


def _titles(versions) -> dict[int, str]:
    """Owner id -> the title of its latest version (codes are not for people)."""
    titles: dict[int, str] = {}
    for owner, title in versions.order_by("number").values_list("owner", "title"):
        titles[owner] = title
    return titles


def module_titles(organization: Organization) -> dict[int, str]:
    versions = ModuleVersion.objects.filter(module__organization=organization)
    return _titles(versions.annotate(owner=models.F("module_id")))


def pathway_titles(organization: Organization) -> dict[int, str]:
    versions = PathwayVersion.objects.filter(pathway__organization=organization)
    return _titles(versions.annotate(owner=models.F("pathway_id")))


@dataclass(frozen=True)
class RuleRow:
    module: str
    labels: tuple[str, ...]
    min_percent: object
    min_letter: str = ""


def course_rules(context: LtiContext) -> list[RuleRow]:
    titles = module_titles(context.platform.organization)
    return [
        RuleRow(
            module=titles.get(rule.module_id, rule.module.code),
            labels=tuple(rule.line_item_labels.get(i, i) for i in rule.line_items),
            min_percent=rule.min_percent,
            min_letter=rule.min_letter,
        )
        for rule in LtiAwardRule.objects.filter(context=context).select_related(
            "module"
        )
    ]


@dataclass(frozen=True)
class LearnerRow:
    name: str
    status: str
    completed: tuple[str, ...]


def course_progress(context: LtiContext) -> list[LearnerRow]:
    """Each learner of the course and the mapped modules they completed."""
    members = list(
        LtiMember.objects.filter(context=context, is_instructor=False)
        .select_related("identity__user")
        .order_by("identity__name", "pk")
    )
    module_ids = set(context.award_rules.values_list("module_id", flat=True))
    titles = module_titles(context.platform.organization)
    done: dict[int, set[str]] = {}
    for learner_id, module_id in (
        ModuleCompletion.objects.live()
        .filter(
            learner__in=[m.identity.user_id for m in members],
            version__module_id__in=module_ids,
        )
        .values_list("learner_id", "version__module_id")
    ):
        done.setdefault(learner_id, set()).add(titles.get(module_id, ""))
    return [
        LearnerRow(
            name=member.identity.name or member.identity.user.get_username(),
            status=member.get_status_display(),
            completed=tuple(sorted(done.get(member.identity.user_id, ()))),
        )
        for member in members
    ]


def deep_link_choices(organization: Organization) -> list[tuple[str, str]]:
    modules = Module.objects.filter(organization=organization).order_by("code")
    pathways = Pathway.objects.filter(organization=organization).order_by("code")
    module_title = module_titles(organization)
    pathway_title = pathway_titles(organization)
    return [
        *(
            (f"pathway:{p.code}", f"Pathway: {pathway_title.get(p.pk, p.code)}")
            for p in pathways
        ),
        *(
            (f"module:{m.code}", f"Module: {module_title.get(m.pk, m.code)}")
            for m in modules
        ),
    ]


@dataclass(frozen=True)
class ColumnRow:
    pathway_id: int
    title: str
    is_on: bool
    # When the platform said the column had been deleted from its gradebook.
    gone_at: datetime | None = None


def gradebook_columns(context: LtiContext) -> list[ColumnRow]:
    """Each pathway of the organization with a published version, and whether
    its progress column is switched on in the course."""
    organization = context.platform.organization
    titles = pathway_titles(organization)
    columns = {
        column.pathway_id: column
        for column in LtiGradebookColumn.objects.filter(context=context).only(
            "pathway_id", "is_on", "gone_at"
        )
    }
    pathways = Pathway.objects.filter(
        organization=organization,
        pk__in=PathwayVersion.objects.published().values("pathway_id"),
    ).order_by("code")
    return [
        ColumnRow(
            pathway_id=p.pk,
            title=titles.get(p.pk, p.code),
            is_on=column is not None and column.is_on,
            gone_at=column.gone_at if column is not None else None,
        )
        for p in pathways
        for column in [columns.get(p.pk)]
    ]


def courses_writing_back(learner_id: int) -> list[int]:
    """The courses the learner is an active learner of that have a progress
    column switched on."""
    return list(
        LtiContext.objects.filter(
            members__identity__user_id=learner_id,
            members__is_instructor=False,
            members__status=LtiMember.Status.ACTIVE,
            gradebook_columns__is_on=True,
        )
        .distinct()
        .values_list("pk", flat=True)
    )
