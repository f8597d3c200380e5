"""Pathway completions: evaluating a learner, recording, awarding and voiding
them."""

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import log_action
from pathways import evaluation
from pathways.models import PathwayCompletion, PathwayVersion
from pathways.signals import pathway_completed, pathway_voided


def evaluate_learner_pathways(learner: AbstractBaseUser) -> list[PathwayCompletion]:
    """Void what no longer holds, then record (or renew) what the learner now
    satisfies; safe to run twice. A batch of one (pathways/evaluation.py)."""
    return evaluation.evaluate_pathways([learner.pk])


@transaction.atomic
def void_pathway_completion(
    completion: PathwayCompletion, *, reason: str, by: AbstractBaseUser | None = None
) -> PathwayCompletion:
    """Void a pathway completion; the credentials app revokes its award."""
    count = PathwayCompletion.objects.filter(
        pk=completion.pk, voided_at__isnull=True
    ).update(voided_at=timezone.now())
    completion.refresh_from_db()
    if not count:
        return completion  # voided already: a second run changes nothing
    log_action(
        by,
        "pathway.voided",
        completion,
        organization=completion.version.organization,
        learner=completion.learner_id,
        reason=reason,
    )
    learner_id = completion.learner_id
    transaction.on_commit(
        lambda: pathway_voided.send(
            sender=PathwayCompletion, completion_id=completion.pk, learner_id=learner_id
        )
    )
    return completion


def _create_completion(
    learner: AbstractBaseUser,
    version: PathwayVersion,
    *,
    trace: dict,
    on: datetime,
    expires_at: datetime | None,
    by: AbstractBaseUser | None,
    action: str,
) -> PathwayCompletion | None:
    """Create a live completion, audit it and announce it after commit; None
    when a concurrent transaction made the learner's live one first."""
    try:
        with transaction.atomic():
            completion = PathwayCompletion.objects.create(
                learner=learner,
                version=version,
                trace=trace,
                completed_at=on,
                expires_at=expires_at,
            )
    except IntegrityError:
        return None
    log_action(
        by, action, completion, organization=version.organization, learner=learner.pk
    )
    transaction.on_commit(
        lambda: pathway_completed.send(
            sender=PathwayCompletion, completion_id=completion.pk, learner_id=learner.pk
        )
    )
    return completion


@transaction.atomic
def record_pathway_completion(
    learner: AbstractBaseUser, version: PathwayVersion, *, trace: dict, on=None
) -> PathwayCompletion:
    """One live completion per learner and version; an expired one is renewed."""
    on = on or timezone.now()
    existing = PathwayCompletion.objects.live().filter(learner=learner, version=version)
    renewed = None
    if found := existing.select_for_update().first():
        if not found.is_expired(on):
            return found
        found.renewed_at = on
        found.save(update_fields=["renewed_at"])
        renewed = found
    expires_at = (
        on + timedelta(days=version.valid_for_days) if version.valid_for_days else None
    )
    completion = _create_completion(
        learner,
        version,
        trace=trace,
        on=on,
        expires_at=expires_at,
        by=None,
        action="pathway.recertified" if renewed else "pathway.completed",
    )
    return completion or existing.get()


@transaction.atomic
def award_pathway(
    learner: AbstractBaseUser,
    version: PathwayVersion,
    *,
    on: datetime,
    expires_at: datetime | None = None,
    by: AbstractBaseUser | None = None,
) -> tuple[PathwayCompletion, bool]:
    """A pathway completion awarded directly by the organization (a bulk
    award), not earned through its rule: evaluation never voids it. The
    learner's live completion, if any, stands instead; (completion, made)."""
    existing = PathwayCompletion.objects.live().filter(learner=learner, version=version)
    if found := existing.select_for_update().first():
        return found, False
    if expires_at is None and version.valid_for_days:
        expires_at = on + timedelta(days=version.valid_for_days)
    completion = _create_completion(
        learner,
        version,
        trace={"awarded": True},
        on=on,
        expires_at=expires_at,
        by=by,
        action="pathway.awarded",
    )
    if completion is None:
        return existing.get(), False
    return completion, True
