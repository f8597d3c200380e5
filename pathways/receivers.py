"""What the pathways app does when the apps below it announce a fact."""

from django.dispatch import receiver

from assessments.signals import completion_voided, module_completed
from pathways import bursts


@receiver(module_completed, dispatch_uid="pathways.evaluate_on_module_completed")
def evaluate_on_module_completed(sender, *, learner_id: int, **kwargs) -> None:
    bursts.queue_evaluation(learner_id)


@receiver(completion_voided, dispatch_uid="pathways.reevaluate_on_completion_voided")
def reevaluate_on_completion_voided(sender, *, learner_id: int, **kwargs) -> None:
    # The same service voids the pathway completions that no longer hold.
    bursts.queue_evaluation(learner_id)
