"""Thin, idempotent wrappers: load by id, call one service."""

from celery import shared_task
from celery.signals import worker_init

from accounts.models import ErasureRequest, Organization
from assessments.models import Grade, ModuleCompletion
from credentials import services
from credentials.models import Award, BulkAward, CertificateTemplate, ExpiryNotice
from pathways.models import PathwayCompletion


@shared_task
def issue_module_award(completion_id: int) -> None:
    completion = ModuleCompletion.objects.select_related(
        "learner", "version__module__organization"
    ).get(pk=completion_id)
    services.issue_module_award(completion)


@shared_task
def issue_module_awards(completion_id: int, look_behind: bool = True) -> int:
    """Issue the awards of module completions waiting for theirs from about
    this one on, in one batch (the next batch queued if more wait); safe to
    run twice."""
    return len(
        services.issue_waiting_awards(
            ModuleCompletion, completion_id, look_behind=look_behind
        )
    )


@shared_task
def issue_pathway_award(completion_id: int) -> None:
    services.issue_pathway_award(PathwayCompletion.objects.get(pk=completion_id))


@shared_task
def issue_pathway_awards(completion_id: int, look_behind: bool = True) -> int:
    """issue_module_awards for pathway completions."""
    return len(
        services.issue_waiting_awards(
            PathwayCompletion, completion_id, look_behind=look_behind
        )
    )


@shared_task
def render_certificate(award_id: int, latest: bool = False) -> None:
    services.render_certificate(Award.objects.get(pk=award_id), latest=latest)


@shared_task
def render_certificate_layers(award_id: int) -> bool:
    """The design layer of the award's certificate laid out and stored for
    every process (queued at an achievement's first award)."""
    award = Award.objects.select_related("organization").filter(pk=award_id).first()
    return award is not None and services.prepare_certificate_layers(award)


@worker_init.connect
def warm_certificate_worker(sender, **kwargs) -> None:
    # In the worker's main process, before its pool forks (prefork).
    services.warm_worker(sender.app.amqp.queues.consume_from)


@shared_task
def sweep() -> dict[str, int]:
    """Queue again every step a lost message or a dead worker left undone."""
    return services.sweep()


@shared_task
def sweep_unissued() -> int:
    # The task the beat schedule named before `sweep`: messages already queued
    # under this name still run the whole sweep.
    return sum(services.sweep().values())


@shared_task
def revoke_voided_module_completion(completion_id: int) -> int:
    return services.revoke_awards_of_completion(
        completion_field="module_completion", completion_id=completion_id
    )


@shared_task
def revoke_voided_pathway_completion(completion_id: int) -> int:
    return services.revoke_awards_of_completion(
        completion_field="pathway_completion", completion_id=completion_id
    )


@shared_task
def reissue_regraded_module_award(completion_id: int, grade_id: int) -> None:
    services.reissue_regraded_award(
        ModuleCompletion.objects.get(pk=completion_id),
        grade=Grade.objects.get(pk=grade_id),
    )


@shared_task
def notify_learner_of_reissue(award_id: int, previous_id: int) -> None:
    services.notify_learner_of_reissue(
        Award.objects.get(pk=award_id), Award.objects.get(pk=previous_id)
    )


@shared_task
def notify_learner_of_award(award_id: int) -> None:
    services.notify_learner_of_award(award_id)


@shared_task
def notify_learner_of_status(award_id: int, event: str) -> None:
    services.notify_learner_of_status(Award.objects.get(pk=award_id), event)


@shared_task
def rerender_certificates(organization_id: int, template_id: int | None = None) -> int:
    organization = Organization.objects.get(pk=organization_id)
    if template_id is None:
        return services.rerender_certificates(organization)
    return services.rerender_with_latest_version(
        CertificateTemplate.objects.get(pk=template_id, organization=organization)
    )


@shared_task
def erase_person(request_id: int) -> None:
    services.erase_person(ErasureRequest.objects.get(pk=request_id))


@shared_task
def send_expiry_notices() -> int:
    return services.send_expiry_notices()


@shared_task
def mail_expiry_notice(notice_id: int) -> None:
    services.mail_expiry_notice(
        ExpiryNotice.objects.select_related("award").get(pk=notice_id)
    )


@shared_task
def run_bulk_award(bulk_award_id: int) -> str:
    """Award a checked bulk award CSV; safe to run twice (the job is claimed)."""
    from credentials.services import bulk_awards

    job = BulkAward.objects.get(pk=bulk_award_id)
    return bulk_awards.run_bulk_award(job).status
