"""Certificates: the PDF of an award, rendered when first asked for and
again when its design or the credential's standing changes."""

import hashlib
import logging
import time

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from credentials import certificate_warmup, selectors, tasks, template_selectors
from credentials.certificate_design import design_from_settings
from credentials.certificates import (
    EXPIRED_DESIGN,
    REVOKED_DESIGN,
    STATUS_DESIGNS,
    SUSPENDED_DESIGN,
    render_certificate_pdf,
)
from credentials.models import Award

logger = logging.getLogger(__name__)


def standing_design(award: Award) -> str:
    """The part of the design key that says the credential's standing."""
    if award.revoked_at:
        return REVOKED_DESIGN
    if award.suspended_at:
        return SUSPENDED_DESIGN
    if award.is_expired(timezone.now()):
        return EXPIRED_DESIGN
    return ""


def certificate_design_key(award: Award) -> str:
    """The renderer, the logo and the credential's standing the PDF says."""
    return selectors.certificate_design(award.organization) + standing_design(award)


def certificate_for_download(award: Award) -> Award:
    """The award with a certificate that says its standing. Certificates are
    rendered when first asked for, not at issue (issue 17): a missing one is
    rendered now and stored, so the next request reads the file. One revoked,
    suspended or reinstated since its PDF was rendered (its queued render not
    yet done) is rendered again now, so that no download says it still stands.
    A revoked award without one gets none (as an erased learner's)."""
    if not award.pdf:
        return award if award.revoked_at else _render_first(award)
    standing = standing_design(award)
    said = next((s for s in STATUS_DESIGNS if s and award.pdf_design.endswith(s)), "")
    if said == standing:
        return award
    return render_certificate(award)


def _render_first(award: Award) -> Award:
    """Render and store a certificate not rendered yet, holding the award's row
    lock while rendering: a concurrent first request waits for it and then
    reads the one file (no second render, no second file)."""
    with transaction.atomic():
        locked = (
            Award.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=award.pk)
        )
        if locked.pdf or locked.revoked_at:
            return locked
        version = template_selectors.current_version(locked)
        pdf = render_certificate_pdf(
            selectors.certificate_info(locked),
            design_from_settings(version.settings if version else None),
        )
        _store(
            locked, pdf, certificate_design_key(locked), version.pk if version else None
        )
    return locked


def render_certificate(award: Award, *, latest: bool = False) -> Award:
    """Render the award's PDF certificate; a repeat with the same design keeps
    the one rendered, a new design (renderer, logo, the credential's standing)
    renders it again. A rendered certificate keeps its template version unless
    `latest` asks for its template's newest (an admin's explicit re-render)."""
    if award.revoked_at and not award.pdf:
        # Revoked before it had one, or an erased learner's, deleted: none.
        return award
    design = certificate_design_key(award)
    if award.pdf and not latest:
        version = award.pdf_template_version
    else:
        version = template_selectors.current_version(award)
    version_id = version.pk if version else None
    if _rendered(award, design, version_id):
        return award
    pdf = render_certificate_pdf(
        selectors.certificate_info(award),
        design_from_settings(version.settings if version else None),
    )
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        if _rendered(locked, design, version_id):
            return locked
        if locked.revoked_at and not locked.pdf:
            # An erased learner's certificate was deleted: it stays deleted.
            return locked
        _store(locked, pdf, design, version_id)
    return locked


def _store(locked: Award, pdf: bytes, design: str, version_id: int | None) -> None:
    """Write the award's certificate file and point the (locked) row at it; the
    file it replaces is deleted once this commits."""
    old = locked.pdf.name
    storage = locked.pdf.storage
    name = locked.pdf.field.generate_filename(locked, f"{locked.uuid}.pdf")
    if not old and storage.exists(name):
        # Written by a worker that died before its transaction committed:
        # replaced, so that one award keeps one file.
        storage.delete(name)
    locked.pdf.save(f"{locked.uuid}.pdf", ContentFile(pdf), save=False)
    locked.pdf_design = design
    locked.pdf_template_version_id = version_id
    locked.save(update_fields=["pdf", "pdf_design", "pdf_template_version"])
    if old:
        transaction.on_commit(lambda: storage.delete(old))


def _rendered(award: Award, design: str, version_id: int | None) -> bool:
    return bool(
        award.pdf
        and award.pdf_design == design
        and award.pdf_template_version_id == version_id
    )


# Certificates queued per sweep for a new design: a worker renders about five a
# second, so a sweep's batch is done well before the next sweep (five minutes).
RERENDER_BATCH = 1000


def stale_certificates(organization: Organization):
    design = selectors.certificate_design(organization)
    return Award.objects.filter(organization=organization).exclude(
        pdf_design__in=[design + status for status in STATUS_DESIGNS]
    )


# Awards looked at, newest first, for the achievements to warm.
WARM_LOOKBACK = 2000


def warm_certificates(achievements: int) -> int:
    """Make this process ready for first requests of certificates (at a web
    process's start, off the request path): the process's first layout
    (certificate_warmup.warm_process), then both layers of the certificates of
    the `achievements` most recently awarded achievements, in the design their
    next certificate takes (design layers fetched where a process stored them).
    Returns how many achievements it prepared."""
    certificate_warmup.warm_process()
    start = time.process_time()
    seen, prepared = set(), 0
    recent = (
        Award.objects.filter(revoked_at=None)
        .order_by("-pk")
        .values_list("pk", "organization_id", "kind", "achievement_name")[
            :WARM_LOOKBACK
        ]
    )
    for pk, *achievement in recent:
        if prepared >= achievements:
            break
        if tuple(achievement) in seen:
            continue
        seen.add(tuple(achievement))
        award = Award.objects.select_related("organization").get(pk=pk)
        version = template_selectors.current_version(award)
        certificate_warmup.prepare(
            selectors.certificate_info(award),
            design_from_settings(version.settings if version else None),
        )
        prepared += 1
    logger.info(
        "certificates: %d achievements prepared in %.0f ms of CPU",
        prepared,
        (time.process_time() - start) * 1000,
    )
    return prepared


def warm_at_start() -> None:
    """warm_certificates() as a web process starts (config/wsgi.py), with
    settings.CAIRN_CERTIFICATE_WARMUP achievements (-1: nothing warmed). A
    failure is logged, never raised: the process serves, its first
    certificates cold. Closes the database connection it opened, so that a
    process forked from this one (gunicorn --preload) opens its own."""
    from django.conf import settings
    from django.db import connections

    achievements = settings.CAIRN_CERTIFICATE_WARMUP
    if achievements < 0:
        return
    try:
        warm_certificates(achievements)
    except Exception:
        logger.exception("certificates: warming failed; first requests render cold")
    finally:
        connections.close_all()


# How long a process, and the deployment (a marker in the cache), leave an
# achievement's layers to the task queued for them before queuing another: a
# template published since, or a layer evicted, is prepared within the hour.
LAYERS_QUEUED_FOR = 3600
# Achievements this process queued layers for, with when (monotonic seconds).
_layers_queued: dict[tuple, float] = {}


def queue_certificate_layers(
    award_id: int, *, achievement: tuple | None = None
) -> bool:
    """After an award is issued: queue the layout of its certificate's design
    layer on the PDF queue unless this process or another did within the hour
    (render_certificate_layers), so that the achievement's first certificate
    request finds it stored. `achievement` is the award's (organization id,
    kind, achievement name) as issuing announced it; without it the award is
    read (one query). Never raises (the award stands, and its certificate is
    laid out on request as before). Not where tasks run in process (no
    broker): that would lay it out in the request that issued the award."""
    if tasks.render_certificate_layers.app.conf.task_always_eager:
        return False
    try:
        if achievement is None:
            achievement = (
                Award.objects.filter(pk=award_id, revoked_at=None)
                .values_list("organization_id", "kind", "achievement_name")
                .first()
            )
        now = time.monotonic()
        if achievement is None or now - _layers_queued.get(achievement, -1e9) < (
            LAYERS_QUEUED_FOR
        ):
            return False
        if len(_layers_queued) > 10_000:
            _layers_queued.clear()
        _layers_queued[achievement] = now
        digest = hashlib.sha256(repr(achievement).encode()).hexdigest()[:32]
        if not cache.add(f"certificate-layers-queued:{digest}", 1, LAYERS_QUEUED_FOR):
            return False
        return tasks.render_certificate_layers.delay(award_id) is not None
    except Exception:
        logger.exception("certificates: could not queue award %s's layers", award_id)
        return False


def prepare_certificate_layers(award: Award) -> bool:
    """Lay out and store (certificate_store.py) the design layer the award's
    certificate takes, unless a process stored it: every process then fetches
    it rather than laying it out. True when laid out here."""
    version = template_selectors.current_version(award)
    return certificate_warmup.prepare(
        selectors.certificate_info(award),
        design_from_settings(version.settings if version else None),
        learner=False,
    )


def warm_worker(queues) -> None:
    """warm_process() in a Celery worker that renders certificates (consumes
    the pdf queue), before its pool forks: every pool process starts warm."""
    if "pdf" in queues:
        certificate_warmup.warm_process()
