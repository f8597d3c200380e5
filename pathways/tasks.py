from celery import shared_task

from pathways import services


@shared_task
def evaluate_learner_pathways(learner_id: int) -> int:
    """Record pathway completions the learner now satisfies; safe to run twice."""
    learner = services.learner_by_id(learner_id)
    return len(services.evaluate_learner_pathways(learner))
