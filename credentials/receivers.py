"""What the credentials app does when the apps below it announce a fact."""

from django.dispatch import receiver

from accounts.lifecycle.signals import erasure_confirmed
from assessments.models import ModuleCompletion
from assessments.signals import (
    completion_regraded,
    completion_voided,
    module_completed,
)
from credentials import tasks
from credentials.services import issuing_batches, rendering
from credentials.signals import award_issued
from pathways.models import PathwayCompletion
from pathways.signals import pathway_completed, pathway_voided


@receiver(module_completed, dispatch_uid="credentials.issue_on_module_completed")
def issue_on_module_completed(sender, *, completion_id: int, **kwargs) -> None:
    # Issued in a batch with the other completions waiting: one task queued
    # for a burst of completions.
    issuing_batches.queue_batch(ModuleCompletion, completion_id)


@receiver(
    completion_regraded, dispatch_uid="credentials.reissue_on_completion_regraded"
)
def reissue_on_completion_regraded(
    sender, *, completion_id: int, grade_id: int, **kwargs
) -> None:
    tasks.reissue_regraded_module_award.delay(completion_id, grade_id)


@receiver(pathway_completed, dispatch_uid="credentials.issue_on_pathway_completed")
def issue_on_pathway_completed(sender, *, completion_id: int, **kwargs) -> None:
    issuing_batches.queue_batch(PathwayCompletion, completion_id)


@receiver(completion_voided, dispatch_uid="credentials.revoke_on_completion_voided")
def revoke_on_completion_voided(sender, *, completion_id: int, **kwargs) -> None:
    tasks.revoke_voided_module_completion.delay(completion_id)


@receiver(pathway_voided, dispatch_uid="credentials.revoke_on_pathway_voided")
def revoke_on_pathway_voided(sender, *, completion_id: int, **kwargs) -> None:
    tasks.revoke_voided_pathway_completion.delay(completion_id)


@receiver(erasure_confirmed, dispatch_uid="credentials.erase_on_erasure_confirmed")
def erase_on_erasure_confirmed(sender, *, request_id: int, **kwargs) -> None:
    tasks.erase_person.delay(request_id)


@receiver(award_issued, dispatch_uid="credentials.queue_certificate_layers")
def queue_certificate_layers(
    sender, *, award_id: int, achievement: tuple | None = None, **kwargs
) -> None:
    # An achievement's first award: its certificate's design layer laid out
    # on the PDF queue, before a learner asks for the certificate.
    rendering.queue_certificate_layers(award_id, achievement=achievement)
