"""A pathway's learners as a whole: their progress percents, and how a
changed rule would move them."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from pathways import rules
from pathways.models import Enrolment, Pathway, PathwayVersion
from pathways.selectors import catalogue_for
from pathways.selectors.facts import cohort_facts
from pathways.selectors.progress import percent_done


def compiled(version: PathwayVersion, catalogue: rules.Catalogue) -> rules.CompiledRule:
    return rules.compile_rule(version.rule, catalogue)


def pathway_percents(
    pathway: Pathway, learner_ids: Iterable[int], *, on: datetime
) -> dict[int, int]:
    """Learner id -> their progress percent in the pathway, the figure their
    progress page shows: against the version they enrolled in last, else the
    latest published one. A fixed number of queries, whatever the cohort."""
    learner_ids = list(learner_ids)
    latest = (
        PathwayVersion.objects.published()
        .filter(pathway=pathway)
        .order_by("-number")
        .first()
    )
    # Ordered by enrolment, so a later enrolment replaces an earlier one.
    enrolled = {
        enrolment.learner_id: enrolment.version
        for enrolment in Enrolment.objects.filter(
            learner_id__in=learner_ids, version__pathway=pathway
        )
        .select_related("version")
        .order_by("enrolled_at", "pk")
    }
    if latest is None and not enrolled:
        return {}
    found = catalogue_for(pathway.organization)
    facts = cohort_facts(learner_ids, on=on)
    compiled_rules: dict[int, rules.CompiledRule] = {}
    percents = {}
    for learner_id in learner_ids:
        version = enrolled.get(learner_id, latest)
        if version is None:
            continue
        if version.pk not in compiled_rules:
            compiled_rules[version.pk] = compiled(version, found.catalogue)
        evaluation = compiled_rules[version.pk].evaluate(
            facts.get(learner_id, []), on, explain=False
        )
        percents[learner_id] = percent_done(evaluation)
    return percents


@dataclass(frozen=True)
class Change:
    learner: AbstractBaseUser
    before: rules.Evaluation
    after: rules.Evaluation

    @property
    def kind(self) -> str:
        if self.after.satisfied and not self.before.satisfied:
            return "gain"
        if self.before.satisfied and not self.after.satisfied:
            return "lose"
        return "keep"


@dataclass(frozen=True)
class Simulation:
    changes: tuple[Change, ...]

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def gain(self) -> list[Change]:
        return self.of("gain")

    @property
    def lose(self) -> list[Change]:
        return self.of("lose")

    @property
    def keep(self) -> list[Change]:
        return self.of("keep")

    @property
    def progress_up(self) -> int:
        return sum(1 for c in self.changes if c.after.progress > c.before.progress)

    @property
    def progress_down(self) -> int:
        return sum(1 for c in self.changes if c.after.progress < c.before.progress)


def simulate(
    cohort_version: PathwayVersion, *, before: dict, after: dict, on: datetime
) -> Simulation:
    """The enrolled cohort of a version under two rules, changing nothing."""
    found = catalogue_for(cohort_version.organization)
    old = rules.compile_rule(before, found.catalogue)
    new = rules.compile_rule(after, found.catalogue)
    learners = list(
        get_user_model()
        .objects.filter(enrolments__version=cohort_version)
        .order_by("username")
    )
    facts = cohort_facts([u.pk for u in learners], on=on)
    changes = []
    for learner in learners:
        mine = facts.get(learner.pk, [])
        changes.append(Change(learner, old.evaluate(mine, on), new.evaluate(mine, on)))
    return Simulation(tuple(changes))
