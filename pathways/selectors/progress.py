"""A learner's pathways as their pages show them: steps, map, next steps,
what-ifs, and previews of a rule against their completions."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser

from assessments.models import Submission
from curriculum.models import ModuleVersion
from pathways import maps, rules
from pathways.models import (
    Enrolment,
    PathwayCompletion,
    PathwayVersion,
    PrerequisiteOverride,
)
from pathways.selectors import (
    OrganizationCatalogue,
    catalogue_for,
    catalogues,
    latest_published_modules,
)
from pathways.selectors.facts import completion_facts, learner_state


@dataclass(frozen=True)
class ModuleStep:
    code: str
    title: str
    version: ModuleVersion | None  # the latest published version, where one exists
    done: bool
    # When the learner's submission for it went in, while it waits for a grade.
    waiting_since: datetime | None = None


@dataclass(frozen=True)
class WhatIf:
    """What happens to a pathway if one of its completed modules is dropped."""

    code: str
    title: str
    percent: int
    satisfied: bool


@dataclass(frozen=True)
class PathwayProgress:
    enrolment: Enrolment
    evaluation: rules.Evaluation
    steps: tuple[ModuleStep, ...]
    map: maps.PathwayMap | None = None
    what_if: tuple[WhatIf, ...] = ()
    modules: dict | None = None

    @property
    def version(self) -> PathwayVersion:
        return self.enrolment.version

    @property
    def completion(self) -> PathwayCompletion | None:
        return self.enrolment.completion

    @property
    def percent(self) -> int:
        return percent_done(self.evaluation)

    @property
    def next_step(self) -> ModuleStep | None:
        """What the learner can start now: work already submitted and waiting
        for a grade is not a next step."""
        by_code = {s.code: s for s in self.steps}
        for step in self.evaluation.next_steps:
            found = by_code.get(step.code)
            if found and found.version and not found.waiting_since and not step.locked:
                return found
        return next(
            (s for s in self.steps if not s.done and not s.waiting_since and s.version),
            None,
        )

    @property
    def waiting(self) -> list[ModuleStep]:
        return [s for s in self.steps if s.waiting_since and not s.done]

    @property
    def next_steps(self) -> list[dict]:
        """The ranked next steps with links, for the page."""
        modules = self.modules or {}
        waiting = {s.code: s.waiting_since for s in self.waiting}
        titles = {s.code: s.title for s in self.steps}
        return [
            {
                "step": step,
                "version": modules.get(step.code),
                "waiting_since": waiting.get(step.code),
                # Titles, not codes: the page names modules as people know them.
                "alternatives": [titles.get(c, c) for c in step.alternatives],
                "unlocks": titles.get(step.unlocks, step.unlocks),
            }
            for step in self.evaluation.next_steps
        ]

    @property
    def to_choose_from(self) -> int:
        """How many listed modules exceed what the rule needs: with a choice in
        the rule, "1 of 2 done" sits beside a list of three."""
        return max(len(self.steps) - self.evaluation.required, 0)


def percent_done(evaluation: rules.Evaluation) -> int:
    """A pathway's progress as a whole percentage, as the learner's page shows it."""
    return round(evaluation.progress * 100)


def learner_progress(
    learner: AbstractBaseUser, *, on: datetime
) -> list[PathwayProgress]:
    """Each enrolled pathway with its map, next steps and what-ifs."""
    enrolments, facts = learner_state(learner, on=on)
    if not enrolments:
        return []
    cats = catalogues(
        {e.version.organization for e in enrolments},
        nested=any(rules.pathway_codes(e.version.rule) for e in enrolments),
    )
    waiting = _waiting_for_a_grade(learner)
    # Waivers matter only where a module has a prerequisite: most have none.
    waived = (
        _waived(learner)
        if any(
            info.prerequisite
            for found in cats.values()
            for info in found.catalogue.modules.values()
        )
        else {}
    )
    progress = []
    for enrolment in enrolments:
        organization_id = enrolment.version.organization.pk
        found = _without_waived(cats[organization_id], waived.get(organization_id))
        rule = rules.compile_rule(enrolment.version.rule, found.catalogue)
        evaluation = rule.evaluate(facts, on)
        steps = tuple(
            ModuleStep(
                code=code,
                title=found.catalogue.title(code),
                version=found.modules.get(code),
                done=code in evaluation.met,
                waiting_since=waiting.get((organization_id, code)),
            )
            for code in dict.fromkeys(rules.module_codes(enrolment.version.rule))
        )
        progress.append(
            PathwayProgress(
                enrolment,
                evaluation,
                steps,
                map=maps.draw(
                    evaluation.tree,
                    found.catalogue,
                    evaluation.next_steps,
                    waiting=frozenset(
                        s.code for s in steps if s.waiting_since and not s.done
                    ),
                ),
                what_if=_what_if(rule, facts, evaluation, on, found.catalogue),
                modules=found.modules,
            )
        )
    return progress


def _waived(learner: AbstractBaseUser) -> dict[int, set[str]]:
    """Organization id -> codes of modules whose prerequisite staff waived for
    the learner, in one query."""
    waived: dict[int, set[str]] = defaultdict(set)
    for organization_id, code in PrerequisiteOverride.objects.filter(
        learner=learner
    ).values_list("module__organization_id", "module__code"):
        waived[organization_id].add(code)
    return waived


def _without_waived(
    found: OrganizationCatalogue, codes: set[str] | None
) -> OrganizationCatalogue:
    """The catalogue as one learner sees it: waived prerequisites lock nothing."""
    if not codes:
        return found
    catalogue = found.catalogue
    modules = {
        code: replace(info, prerequisite=None) if code in codes else info
        for code, info in catalogue.modules.items()
    }
    return OrganizationCatalogue(replace(catalogue, modules=modules), found.modules)


def _waiting_for_a_grade(learner: AbstractBaseUser) -> dict[tuple[int, str], datetime]:
    """(organization id, module code) -> when the learner's submission went in,
    for submissions waiting for a grade (submitted, second-marked or moderated),
    in one query."""
    rows = (
        Submission.objects.filter(learner=learner, status__in=Submission.PENDING)
        .values_list(
            "task__version__module__organization_id",
            "task__version__module__code",
            "submitted_at",
        )
        .order_by("submitted_at")
    )
    waiting: dict[tuple[int, str], datetime] = {}
    for organization_id, code, submitted_at in rows:
        waiting.setdefault((organization_id, code), submitted_at)
    return waiting


def _what_if(rule, facts, evaluation, on, catalogue) -> tuple[WhatIf, ...]:
    """For each completion the pathway rests on: the result without it."""
    changes = []
    for code, completion_id in sorted(evaluation.met.items()):
        without = rule.evaluate(
            [f for f in facts if f.id != completion_id], on, explain=False
        )
        changes.append(
            WhatIf(
                code,
                catalogue.title(code),
                round(without.progress * 100),
                without.satisfied,
            )
        )
    return tuple(changes)


def preview_for_learner(
    learner: AbstractBaseUser, version: PathwayVersion, *, on: datetime
) -> rules.Evaluation:
    """How the learner's existing completions count toward a pathway."""
    found = catalogue_for(version.organization)
    facts = completion_facts(learner, on=on)
    return rules.compile_rule(version.rule, found.catalogue).evaluate(facts, on)


def preview_with_modules(
    version: PathwayVersion, rule: dict, codes: Iterable[str], *, on: datetime
) -> rules.Evaluation:
    """The rule evaluated as if these modules were done: the builder's preview."""
    found = catalogue_for(version.organization)
    facts = [
        rules.CompletionFact(-n, code, on, credits=found.catalogue.credits(code))
        for n, code in enumerate(sorted(set(codes)), 1)
    ]
    return rules.compile_rule(rule, found.catalogue).evaluate(facts, on)


def pathway_with_modules(version: PathwayVersion) -> list[ModuleStep]:
    organization_id = version.organization.pk
    codes = list(dict.fromkeys(rules.module_codes(version.rule)))
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
