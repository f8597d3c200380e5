"""What webhooks hear from the apps below: each fact becomes an event for the
organization's subscribers. The signals are sent after commit (DESIGN.md)."""

from django.dispatch import receiver

from assessments.signals import grade_released
from credentials.signals import (
    award_issued,
    award_reinstated,
    award_revoked,
    award_suspended,
)
from curriculum.signals import version_published
from integrations.webhooks import events, selectors, services
from pathways.signals import pathway_completed

_AWARD_EVENTS = {
    award_issued: events.AWARD_ISSUED,
    award_revoked: events.AWARD_REVOKED,
    award_suspended: events.AWARD_SUSPENDED,
    award_reinstated: events.AWARD_REINSTATED,
}


def _on_award(sender, signal, award_id: int, **kwargs) -> None:
    event_type = _AWARD_EVENTS[signal]
    if services.listened_to(event_type):
        services.record_event(selectors.award_fact(award_id, event_type))


for _signal, _name in _AWARD_EVENTS.items():
    _signal.connect(_on_award, dispatch_uid=f"integrations.webhooks.{_name}")


@receiver(pathway_completed, dispatch_uid="integrations.webhooks.pathway_completed")
def on_pathway_completed(sender, completion_id: int, **kwargs) -> None:
    if services.listened_to(events.PATHWAY_COMPLETED):
        services.record_event(
            selectors.pathway_completion_fact(completion_id, events.PATHWAY_COMPLETED)
        )


@receiver(grade_released, dispatch_uid="integrations.webhooks.grade_released")
def on_grade_released(sender, grade_id: int, **kwargs) -> None:
    services.record_event(selectors.grade_fact(grade_id, events.GRADE_RELEASED))


@receiver(version_published, dispatch_uid="integrations.webhooks.version_published")
def on_version_published(sender, version_id: int, **kwargs) -> None:
    services.record_event(
        selectors.version_fact(sender, version_id, events.VERSION_PUBLISHED)
    )
