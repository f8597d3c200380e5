"""Evaluating many learners' pathways at once (issue 17).

A grade release completes modules for thousands of learners in minutes, and
evaluating each learner apart read the same catalogue and compiled the same
rules thousands of times, a dozen queries each. Here a batch of learners is
read in a fixed number of queries (their enrolments, live pathway completions
and module completions, and the catalogues of their organizations), each
pathway version's rule is compiled once for the batch, and the completions
earned are stored with one insert and one insert of their audit entries.
Evaluating one learner is a batch of one: the same code decides.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_entry, log_actions
from pathways import rules, selectors, services
from pathways.models import Enrolment, PathwayCompletion, PathwayVersion
from pathways.selectors.facts import EvaluationState, evaluation_state
from pathways.signals import pathway_completed

# Voiding one pathway can undo a pathway stacked on it: repeated until stable,
# at most this many rounds (a stack deeper than this is not built).
VOID_ROUNDS = 5


class _Rules:
    """The catalogues of the organizations a batch touches and each version's
    rule compiled against its organization's, once for the batch."""

    def __init__(self, state: EvaluationState):
        self.catalogues = selectors.catalogues(
            state.organizations(), nested=state.nests()
        )
        self.compiled: dict[int, rules.CompiledRule] = {}

    def of(self, version: PathwayVersion) -> rules.CompiledRule:
        if (found := self.compiled.get(version.pk)) is None:
            catalogue = self.catalogues[version.organization.pk].catalogue
            found = self.compiled[version.pk] = rules.compile_rule(
                version.rule, catalogue
            )
        return found


def evaluate_pathways(learner_ids: Iterable[int]) -> list[PathwayCompletion]:
    """Void what no longer holds, then record (or renew) what each learner now
    satisfies; the completions recorded. Safe to run twice."""
    learner_ids = sorted(set(learner_ids))
    if not learner_ids:
        return []
    now = timezone.now()
    state = evaluation_state(learner_ids, on=now)
    compiled = _Rules(state)
    voiding = learner_ids
    for _ in range(VOID_ROUNDS):
        voiding = _void_broken(state, compiled, voiding)
        if not voiding:
            break
        # Read again what the voids changed (rarely: a module completion was
        # voided), with the catalogues of the organizations now involved.
        state = evaluation_state(learner_ids, on=now)
        compiled = _Rules(state)
    recorded = _record(_satisfied(state, compiled, now), on=now)
    # Evaluated as of `now`: what changed after it is the sweep's to find.
    Enrolment.objects.filter(learner_id__in=learner_ids).update(evaluated_at=now)
    return recorded


def _void_broken(
    state: EvaluationState, compiled: _Rules, learner_ids: list[int]
) -> list[int]:
    """Void the live pathway completions of `learner_ids` that no longer hold;
    the learners who lost one. Each is evaluated as of the day it was earned,
    with the completions still live today, so recency rules do not void it as
    time passes."""
    voided = []
    for learner_id in learner_ids:
        facts = state.facts.get(learner_id, [])
        for completion in state.live.get(learner_id, []):
            if completion.trace.get("awarded"):
                continue  # awarded directly by the organization: no rule to hold
            mine = [
                f for f in facts if not (f.kind == "pathway" and f.id == completion.pk)
            ]
            if (
                not compiled.of(completion.version)
                .evaluate(mine, completion.completed_at, explain=False)
                .satisfied
            ):
                services.void_pathway_completion(
                    completion, reason="A completion it rested on was voided."
                )
                voided.append(learner_id)
    return sorted(set(voided))


def _satisfied(
    state: EvaluationState, compiled: _Rules, now: datetime
) -> list[tuple[Enrolment, dict]]:
    """The enrolments whose pathway is satisfied and not already completed
    (or whose completion expired), with the trace to store. Verdicts first,
    without explanations: only what is recorded is explained."""
    found = []
    for enrolment in state.enrolments:
        current = enrolment.completion
        if current is not None and not current.is_expired(now):
            continue
        rule = compiled.of(enrolment.version)
        facts = state.facts.get(enrolment.learner_id, [])
        if rule.evaluate(facts, now, explain=False).satisfied:
            found.append((enrolment, rule.evaluate(facts, now).trace()))
    return found


def _record(
    satisfied: list[tuple[Enrolment, dict]], *, on: datetime
) -> list[PathwayCompletion]:
    """Record the completions earned: new ones together, in one transaction;
    a renewal (an expired completion), or any if a concurrent evaluation
    recorded one first, through the service one by one."""
    fresh = [(e, t) for e, t in satisfied if e.completion is None]
    one_by_one = [(e, t) for e, t in satisfied if e.completion is not None]
    recorded = []
    if fresh:
        try:
            recorded = _record_together(fresh, on=on)
        except IntegrityError:
            # Another evaluation of one of these learners recorded it first:
            # the unique constraint decided, and the service returns theirs.
            one_by_one = satisfied
    User = get_user_model()
    for enrolment, trace in one_by_one:
        recorded.append(
            services.record_pathway_completion(
                User(pk=enrolment.learner_id), enrolment.version, trace=trace, on=on
            )
        )
    return recorded


@transaction.atomic
def _record_together(
    satisfied: list[tuple[Enrolment, dict]], *, on: datetime
) -> list[PathwayCompletion]:
    """Insert the completions and their audit entries; each is announced
    after commit (pathway_completed), as record_pathway_completion does."""
    made = PathwayCompletion.objects.bulk_create(
        PathwayCompletion(
            learner_id=enrolment.learner_id,
            version=enrolment.version,
            trace=trace,
            completed_at=on,
            expires_at=(
                on + timedelta(days=enrolment.version.valid_for_days)
                if enrolment.version.valid_for_days
                else None
            ),
        )
        for enrolment, trace in satisfied
    )
    log_actions(
        [
            audit_entry(
                None,
                "pathway.completed",
                completion,
                organization=completion.version.organization,
                learner=completion.learner_id,
            )
            for completion in made
        ]
    )
    for completion in made:
        transaction.on_commit(
            lambda c=completion: pathway_completed.send(
                sender=PathwayCompletion, completion_id=c.pk, learner_id=c.learner_id
            )
        )
    return made
