from celery import shared_task

from accounts.models import RosterImport
from pathways import bursts, evaluation, roster, services
from pathways.models import Reevaluation


@shared_task
def evaluate_waiting_pathways() -> int:
    """Evaluate the pathways of a batch of learners whose completions changed
    (pathways/bursts.py); safe to run twice."""
    return len(evaluation.evaluate_pathways(bursts.take_waiting()))


@shared_task
def evaluate_learner_pathways(learner_id: int) -> int:
    """Record pathway completions the learner now satisfies and void those that
    no longer hold, for the sweep and single events; safe to run twice."""
    return len(evaluation.evaluate_pathways([learner_id]))


@shared_task
def run_reevaluation(reevaluation_id: int) -> int:
    """Re-evaluate a pathway version's cohort in batches; a re-run finds it done."""
    run = Reevaluation.objects.get(pk=reevaluation_id)
    return services.run_reevaluation(run).processed


@shared_task
def run_roster_import(roster_import_id: int) -> str:
    """Import a checked roster CSV; safe to run twice (the job is claimed)."""
    job = RosterImport.objects.get(pk=roster_import_id)
    return roster.run_roster_import(job).status
