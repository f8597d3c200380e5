"""Learners' completions as facts for the rule engine, and what evaluating
their pathways reads, in a fixed number of queries."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from accounts.models import Organization
from assessments.models import ModuleCompletion
from pathways import rules
from pathways.models import Enrolment, PathwayCompletion


def _module_facts(rows) -> list[tuple[int, rules.CompletionFact]]:
    facts = []
    for pk, learner_id, code, issuer, at, number, total, credits, source in rows:
        facts.append(
            (
                learner_id,
                rules.CompletionFact(
                    id=pk,
                    module_code=code,
                    completed_at=at,
                    issuer=issuer,
                    version=number,
                    result=float(total) if total is not None else None,
                    credits=rules.credits_of(credits),
                    source=source,
                ),
            )
        )
    return facts


MODULE_FACT_FIELDS = (
    "pk",
    "learner_id",
    "version__module__code",
    "version__module__organization__slug",
    "completed_at",
    "version__number",
    "grade__total",
    "version__credits",
    "source",
)
PATHWAY_FACT_FIELDS = (
    "pk",
    "learner_id",
    "version__pathway__code",
    "version__pathway__organization__slug",
    "completed_at",
    "expires_at",
)


def _module_facts_of(
    learner_ids: Iterable[int],
) -> defaultdict[int, list[rules.CompletionFact]]:
    """The learners' live module completions as facts, by learner, in one query."""
    facts: defaultdict[int, list[rules.CompletionFact]] = defaultdict(list)
    rows = (
        ModuleCompletion.objects.live()
        .filter(learner_id__in=learner_ids)
        .values_list(*MODULE_FACT_FIELDS)
    )
    for learner_id, fact in _module_facts(rows):
        facts[learner_id].append(fact)
    return facts


def cohort_facts(
    learner_ids: Iterable[int], *, on: datetime
) -> dict[int, list[rules.CompletionFact]]:
    """Every live completion of these learners, in two set-based queries."""
    learner_ids = list(learner_ids)
    facts = _module_facts_of(learner_ids)
    for pk, learner_id, code, issuer, at, expires_at in (
        PathwayCompletion.objects.live()
        .filter(learner_id__in=learner_ids)
        .values_list(*PATHWAY_FACT_FIELDS)
    ):
        if expires_at is None or expires_at > on:
            facts[learner_id].append(
                rules.CompletionFact(pk, code, at, issuer=issuer, kind="pathway")
            )
    return facts


def completion_facts(learner: AbstractBaseUser, *, on: datetime | None = None):
    """The learner's live completions as facts for the engine."""
    return cohort_facts([learner.pk], on=on or timezone.now()).get(learner.pk, [])


# ---------------------------------------------------------------- evaluating


@dataclass(frozen=True)
class EvaluationState:
    """What evaluating some learners' pathways reads: their enrolments (each
    with its live completion as `completion`), their live pathway completions
    and their completions as facts, by learner."""

    enrolments: list[Enrolment]
    live: dict[int, list[PathwayCompletion]]
    facts: dict[int, list[rules.CompletionFact]]

    def organizations(self) -> set[Organization]:
        return {e.version.organization for e in self.enrolments} | {
            c.version.organization for cs in self.live.values() for c in cs
        }

    def nests(self) -> bool:
        """Whether a rule read nests a pathway (the catalogue then reads the
        published pathways)."""
        versions = [e.version for e in self.enrolments] + [
            c.version for cs in self.live.values() for c in cs
        ]
        return any(rules.pathway_codes(v.rule) for v in versions)


def _pathway_fact(completion: PathwayCompletion) -> rules.CompletionFact:
    return rules.CompletionFact(
        completion.pk,
        completion.version.pathway.code,
        completion.completed_at,
        issuer=completion.version.pathway.organization.slug,
        kind="pathway",
    )


def evaluation_state(learner_ids: Iterable[int], *, on: datetime) -> EvaluationState:
    """The learners' enrolments, live pathway completions and facts (module
    completions first, as for one learner), in three queries whatever their
    number."""
    learner_ids = list(learner_ids)
    enrolments = list(
        Enrolment.objects.filter(learner_id__in=learner_ids)
        .select_related("version__pathway__organization")
        .order_by("learner_id", "enrolled_at", "pk")
    )
    live: dict[int, list[PathwayCompletion]] = defaultdict(list)
    for completion in (
        PathwayCompletion.objects.live()
        .filter(learner_id__in=learner_ids)
        .select_related("version__pathway__organization")
        .order_by("pk")
    ):
        live[completion.learner_id].append(completion)
    # Module completions only of learners with something to evaluate or void.
    facts = _module_facts_of({e.learner_id for e in enrolments} | set(live))
    for learner_id, completions in live.items():
        facts[learner_id] += [
            _pathway_fact(c) for c in completions if not c.is_expired(on)
        ]
    by_version = {(c.learner_id, c.version_id): c for cs in live.values() for c in cs}
    for enrolment in enrolments:
        enrolment.completion = by_version.get(
            (enrolment.learner_id, enrolment.version_id)
        )
    return EvaluationState(enrolments, dict(live), dict(facts))


def learner_state(
    learner: AbstractBaseUser, *, on: datetime
) -> tuple[list[Enrolment], list[rules.CompletionFact]]:
    """Enrolments (each with its live completion) and the learner's completions
    as facts, in three queries whatever their number."""
    enrolments = list(
        Enrolment.objects.filter(learner=learner)
        .select_related("version__pathway__organization")
        .order_by("enrolled_at", "pk")
    )
    if not enrolments:
        return [], []
    facts = _module_facts_of([learner.pk])[learner.pk]
    completions = {}
    for completion in (
        PathwayCompletion.objects.live()
        .filter(learner=learner)
        .select_related("version__pathway__organization")
    ):
        completions[completion.version_id] = completion
        if not completion.is_expired(on):
            facts.append(_pathway_fact(completion))
    for enrolment in enrolments:
        enrolment.completion = completions.get(enrolment.version_id)
    return enrolments, facts
