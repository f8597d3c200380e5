"""Cohorts and bulk work: re-evaluating everyone enrolled in a version, and
moving a cohort to a newer version."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import log_action
from pathways import rules, selectors, tasks
from pathways.models import Enrolment, PathwayCompletion, PathwayVersion, Reevaluation
from pathways.selectors.facts import cohort_facts
from pathways.services.completions import (
    record_pathway_completion,
    void_pathway_completion,
)

# Learners loaded and evaluated per batch of a re-evaluation: two set-based
# queries each, and few enough rows (about ten completions a learner) to keep a
# worker's memory flat.
REEVALUATION_BATCH = 500


@transaction.atomic
def start_reevaluation(
    version: PathwayVersion, *, by: AbstractBaseUser | None, reason: str
) -> Reevaluation:
    """Queue a batched re-evaluation of everyone enrolled in the version."""
    run = Reevaluation.objects.create(
        version=version,
        reason=reason[:200],
        requested_by=by,
        total=version.enrolments.count(),
    )
    log_action(by, "reevaluation.started", run, organization=version.organization)
    tasks.run_reevaluation.delay_on_commit(run.pk)
    return run


def run_reevaluation(run: Reevaluation) -> Reevaluation:
    """Evaluate the cohort in batches with set-based loading; safe to run twice."""
    # A run left "running" by a worker that died is taken up again: recording
    # and voiding are idempotent, so only a finished run is left alone.
    claimed = (
        Reevaluation.objects.filter(pk=run.pk)
        .exclude(status=Reevaluation.Status.DONE)
        .update(
            status=Reevaluation.Status.RUNNING,
            processed=0,
            heartbeat_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )
    run.refresh_from_db()
    if not claimed:
        return run
    version = PathwayVersion.objects.select_related("pathway__organization").get(
        pk=run.version_id
    )
    now = timezone.now()
    found = selectors.catalogue_for(version.organization).catalogue
    compiled = rules.compile_rule(version.rule, found)
    learner_ids = list(
        version.enrolments.order_by("learner_id").values_list("learner_id", flat=True)
    )
    User = get_user_model()
    processed = recorded = voided = 0
    try:
        for start in range(0, len(learner_ids), REEVALUATION_BATCH):
            batch = learner_ids[start : start + REEVALUATION_BATCH]
            facts = cohort_facts(batch, on=now)
            live = {
                c.learner_id: c
                for c in PathwayCompletion.objects.live().filter(
                    version=version, learner_id__in=batch
                )
            }
            for learner_id in batch:
                mine = facts.get(learner_id, [])
                completion = live.get(learner_id)
                if completion is not None:
                    others = [
                        f
                        for f in mine
                        if not (f.kind == "pathway" and f.id == completion.pk)
                    ]
                    held = compiled.evaluate(
                        others, completion.completed_at, explain=False
                    ).satisfied
                    if not held:
                        void_pathway_completion(
                            completion, reason=f"Re-evaluation: {run.reason}"
                        )
                        voided += 1
                    if held and not completion.is_expired(now):
                        continue
                evaluation = compiled.evaluate(mine, now, explain=False)
                if evaluation.satisfied:
                    traced = compiled.evaluate(mine, now)
                    record_pathway_completion(
                        User(pk=learner_id), version, trace=traced.trace(), on=now
                    )
                    recorded += 1
            processed += len(batch)
            Reevaluation.objects.filter(pk=run.pk).update(
                processed=processed,
                recorded=recorded,
                voided=voided,
                heartbeat_at=timezone.now(),
            )
    except Exception:
        Reevaluation.objects.filter(pk=run.pk).update(status=Reevaluation.Status.FAILED)
        raise
    Reevaluation.objects.filter(pk=run.pk).update(
        status=Reevaluation.Status.DONE,
        finished_at=timezone.now(),
        total=len(learner_ids),
    )
    run.refresh_from_db()
    return run


@transaction.atomic
def move_cohort(
    source: PathwayVersion, target: PathwayVersion, *, by: AbstractBaseUser
) -> int:
    """Move everyone enrolled in source to the newer target version."""
    if source.pathway_id != target.pathway_id or target.number <= source.number:
        raise ValidationError("Move a cohort only to a newer version of its pathway.")
    if target.status != PathwayVersion.Status.PUBLISHED:
        raise ValidationError("Move a cohort only to a published version.")
    already = Enrolment.objects.filter(version=target).values_list("learner_id")
    moving = Enrolment.objects.filter(version=source).exclude(learner_id__in=already)
    moved = moving.update(version=target)
    log_action(
        by,
        "cohort.moved",
        target,
        organization=target.organization,
        source=source.pk,
        learners=moved,
    )
    if moved:
        start_reevaluation(target, by=by, reason=f"Cohort moved from v{source.number}")
    return moved
