"""What the credentials app does when the apps below it announce a fact."""

from django.dispatch import receiver

from assessments.signals import module_completed
from credentials import tasks
from pathways.signals import pathway_completed


@receiver(module_completed, dispatch_uid="credentials.issue_on_module_completed")
def issue_on_module_completed(sender, *, completion_id: int, **kwargs) -> None:
    tasks.issue_module_award.delay(completion_id)


@receiver(pathway_completed, dispatch_uid="credentials.issue_on_pathway_completed")
def issue_on_pathway_completed(sender, *, completion_id: int, **kwargs) -> None:
    tasks.issue_pathway_award.delay(completion_id)
