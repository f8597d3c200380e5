"""Reads shaped for pages and for evaluation, in a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser

from assessments.models import ModuleCompletion
from curriculum.models import ModuleVersion
from pathways import rules
from pathways.models import Enrolment, PathwayCompletion, PathwayVersion


@dataclass(frozen=True)
class ModuleStep:
    code: str
    title: str
    version: ModuleVersion | None  # the latest published version, where one exists
    done: bool


@dataclass(frozen=True)
class PathwayProgress:
    enrolment: Enrolment
    evaluation: rules.Evaluation
    steps: tuple[ModuleStep, ...]

    @property
    def version(self) -> PathwayVersion:
        return self.enrolment.version

    @property
    def completion(self) -> PathwayCompletion | None:
        return self.enrolment.completion

    @property
    def percent(self) -> int:
        return round(self.evaluation.progress * 100)

    @property
    def next_step(self) -> ModuleStep | None:
        return next((s for s in self.steps if not s.done and s.version), None)


def _enrolments(learner: AbstractBaseUser) -> list[Enrolment]:
    enrolments = list(
        Enrolment.objects.filter(learner=learner)
        .select_related("version__pathway__organization")
        .order_by("enrolled_at", "pk")
    )
    completions = {
        c.version_id: c
        for c in PathwayCompletion.objects.live().filter(
            learner=learner, version__in=[e.version_id for e in enrolments]
        )
    }
    for enrolment in enrolments:
        enrolment.completion = completions.get(enrolment.version_id)
    return enrolments


def completion_facts(
    learner: AbstractBaseUser,
) -> dict[int, list[rules.CompletionFact]]:
    """The learner's live module completions, grouped by organization id."""
    facts: dict[int, list[rules.CompletionFact]] = {}
    rows = (
        ModuleCompletion.objects.live()
        .filter(learner=learner)
        .values_list(
            "pk",
            "version__module__code",
            "version__module__organization_id",
            "completed_at",
        )
    )
    for pk, code, organization_id, completed_at in rows:
        facts.setdefault(organization_id, []).append(
            rules.CompletionFact(id=pk, module_code=code, completed_at=completed_at)
        )
    return facts


def evaluated_enrolments(
    learner: AbstractBaseUser, *, on: datetime
) -> list[tuple[Enrolment, rules.Evaluation]]:
    enrolments = _enrolments(learner)
    facts = completion_facts(learner)
    return [
        (
            e,
            rules.evaluate(
                e.version.rule, facts.get(e.version.organization.pk, []), on
            ),
        )
        for e in enrolments
    ]


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


def learner_progress(
    learner: AbstractBaseUser, *, on: datetime
) -> list[PathwayProgress]:
    """Each enrolled pathway with what is done and what remains."""
    evaluated = evaluated_enrolments(learner, on=on)
    pairs = {
        (e.version.organization.pk, code)
        for e, _ in evaluated
        for code in rules.module_codes(e.version.rule)
    }
    modules = latest_published_modules(pairs)
    progress = []
    for enrolment, evaluation in evaluated:
        organization_id = enrolment.version.organization.pk
        steps = tuple(
            ModuleStep(
                code=code,
                title=(
                    v.title if (v := modules.get((organization_id, code))) else code
                ),
                version=modules.get((organization_id, code)),
                done=code in evaluation.met,
            )
            for code in rules.module_codes(enrolment.version.rule)
        )
        progress.append(PathwayProgress(enrolment, evaluation, steps))
    return progress


def published_pathways():
    return (
        PathwayVersion.objects.published()
        .select_related("pathway__organization")
        .order_by("pathway__organization__name", "pathway__code", "-number")
    )


def pathway_with_modules(version: PathwayVersion) -> list[ModuleStep]:
    organization_id = version.organization.pk
    codes = rules.module_codes(version.rule)
    modules = latest_published_modules({(organization_id, c) for c in codes})
    return [
        ModuleStep(
            code=c,
            title=(v.title if (v := modules.get((organization_id, c))) else c),
            version=modules.get((organization_id, c)),
            done=False,
        )
        for c in codes
    ]
