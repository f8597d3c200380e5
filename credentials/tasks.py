"""Thin, idempotent wrappers: load by id, call one service."""

from celery import shared_task

from assessments.models import ModuleCompletion
from credentials import services
from credentials.models import Award
from pathways.models import PathwayCompletion


@shared_task
def issue_module_award(completion_id: int) -> None:
    services.issue_module_award(ModuleCompletion.objects.get(pk=completion_id))


@shared_task
def issue_pathway_award(completion_id: int) -> None:
    services.issue_pathway_award(PathwayCompletion.objects.get(pk=completion_id))


@shared_task
def render_certificate(award_id: int) -> None:
    services.render_certificate(Award.objects.get(pk=award_id))


@shared_task
def sweep_unissued() -> int:
    return services.sweep_unissued()
