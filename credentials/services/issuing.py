"""Issuing and rendering awards."""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Organization
from assessments.models import ModuleCompletion
from config.celery import send_each
from credentials import (
    dataintegrity,
    openbadges,
    selectors,
    tasks,
    template_selectors,
)
from credentials.certificate_design import design_from_settings
from credentials.certificates import (
    EXPIRED_DESIGN,
    REVOKED_DESIGN,
    STATUS_DESIGNS,
    SUSPENDED_DESIGN,
    render_certificate_pdf,
)
from credentials.models import Award
from credentials.services import keys, status
from credentials.signals import award_issued
from pathways.models import PathwayCompletion


def _sign_and_store(
    *,
    kind: str,
    organization: Organization,
    learner,
    facts: selectors.AchievementFacts,
    valid_from,
    completion_field: str,
    completion,
    by=None,
    valid_until=None,
    renewal_of: Award | None = None,
) -> Award:
    key = keys.get_signing_key(organization)
    did = keys.issuer_did(key)
    award_uuid = uuid.uuid4()
    options = selectors.signing_options(organization)
    entries = status.assign_status_entries(
        organization, issuer_did=did, suspension=options.suspension_entry
    )
    info = openbadges.CredentialInfo(
        id=f"urn:uuid:{award_uuid}",
        issuer=selectors.issuer_info(organization, did, profile=options),
        achievement=facts.achievement,
        recipient=openbadges.RecipientInfo(
            email=learner.email,
            salt=secrets.token_hex(8),
            name=learner.get_full_name() or learner.get_username(),
        ),
        valid_from=valid_from,
        valid_until=valid_until,
        results=facts.results,
        evidence=facts.evidence,
        narrative=facts.narrative,
        # One revocation entry by default: OB 3.0 and 1EdTech's schema take one
        # credentialStatus object. Bitstring Status List 2.1 shows a suspension
        # entry beside it, which an issuer can choose (a list of two, which the
        # published schema refuses; docs/decisions/0002).
        credential_status=entries.credential_status,
    )
    now = timezone.now()
    legacy = options.proof_format == dataintegrity.ED25519_2020
    credential = keys.sign_credential(
        key,
        openbadges.compose_credential(info, data_model="1.1" if legacy else "2.0"),
        did=did,
        created=now,
        suite=dataintegrity.ED25519_2020 if legacy else dataintegrity.CRYPTOSUITE,
    )
    try:
        with transaction.atomic():
            award = Award.objects.create(
                uuid=award_uuid,
                kind=kind,
                learner=learner,
                organization=organization,
                achievement_name=facts.achievement.name,
                signing_key=key,
                credential=credential,
                issued_at=now,
                revocation_list=entries.revocation_list,
                revocation_index=entries.revocation_index,
                suspension_list=entries.suspension_list,
                suspension_index=entries.suspension_index,
                expires_at=valid_until,
                renewal_of=renewal_of,
                **{completion_field: completion},
            )
    except IntegrityError:
        # The task was delivered twice and the other run won: one award stands.
        return Award.objects.get(
            **{completion_field: completion}, revoked_at=None, renewed_at=None
        )
    log_action(
        by,
        "award.renewed" if renewal_of else "award.issued",
        award,
        **status.audit_facts(award),
        **({"renewal_of": str(renewal_of.uuid)} if renewal_of else {}),
    )
    tasks.render_certificate.delay_on_commit(award.pk)
    transaction.on_commit(lambda: award_issued.send(sender=Award, award_id=award.pk))
    return award


def _valid_until(start, valid_for_days: int | None):
    return start + timedelta(days=valid_for_days) if valid_for_days else None


def _issue_for_module(
    completion: ModuleCompletion, *, by=None, renewal_of: Award | None = None
) -> Award:
    # A renewal is valid from the day it is made; a first award from the day
    # the module was completed.
    start = timezone.now() if renewal_of else completion.completed_at
    facts = selectors.module_achievement(completion)
    return _sign_and_store(
        kind=Award.Kind.MODULE,
        organization=completion.version.module.organization,
        learner=completion.learner,
        facts=facts,
        valid_from=start,
        # A direct award's own expiry, if it gave one (bulk awards).
        valid_until=(not renewal_of and facts.valid_until)
        or _valid_until(start, completion.version.valid_for_days),
        completion_field="module_completion",
        completion=completion,
        by=by,
        renewal_of=renewal_of,
    )


def _issue_for_pathway(
    completion: PathwayCompletion, *, by=None, renewal_of: Award | None = None
) -> Award:
    start = timezone.now() if renewal_of else completion.completed_at
    valid_until = (
        _valid_until(start, completion.version.valid_for_days)
        if renewal_of
        else completion.expires_at
    )
    if renewal_of is None:
        # A recertification (a new completion after the last expired) renews
        # the award of the completion it replaced.
        renewal_of = selectors.award_renewed_by(completion)
        if renewal_of is not None:
            Award.objects.filter(pk=renewal_of.pk, renewed_at=None).update(
                renewed_at=start
            )
    return _sign_and_store(
        kind=Award.Kind.PATHWAY,
        organization=completion.version.pathway.organization,
        learner=completion.learner,
        facts=selectors.pathway_achievement(completion),
        valid_from=start,
        valid_until=valid_until,
        completion_field="pathway_completion",
        completion=completion,
        by=by,
        renewal_of=renewal_of,
    )


@transaction.atomic
def issue_module_award(completion: ModuleCompletion) -> Award | None:
    """Sign an Open Badges 3.0 credential for a module completion; a repeat
    returns the award already issued (even a revoked one: only an admin issues
    again). A voided completion gets none."""
    existing = Award.objects.filter(module_completion=completion).order_by("-pk")
    if existing := existing.first():
        return existing
    if completion.voided_at:
        return None
    return _issue_for_module(completion)


@transaction.atomic
def issue_pathway_award(completion: PathwayCompletion) -> Award | None:
    existing = Award.objects.filter(pathway_completion=completion).order_by("-pk")
    if existing := existing.first():
        return existing
    if completion.voided_at:
        return None
    return _issue_for_pathway(completion)


@transaction.atomic
def reissue_award(award: Award, *, by) -> Award:
    """A new award for the completion a revoked award certified, if it still
    stands: a revocation (a wrong name, a compromised key) is not a lock."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    if not award.is_revoked:
        raise ValidationError("Only a revoked credential can be issued again.")
    if award.module_completion_id:
        completion = award.module_completion
        if completion.voided_at:
            raise ValidationError(
                "The completion it certified was voided; the learner must earn "
                "it again."
            )
        if completion.awards.filter(revoked_at=None, renewed_at=None).exists():
            raise ValidationError("A newer credential for it already stands.")
        return _issue_for_module(completion, by=by)
    completion = award.pathway_completion
    if completion.voided_at:
        raise ValidationError(
            "The pathway completion it certified was voided; the learner must "
            "complete it again."
        )
    if completion.awards.filter(revoked_at=None, renewed_at=None).exists():
        raise ValidationError("A newer credential for it already stands.")
    return _issue_for_pathway(completion, by=by)


# How long before its end a credential may be renewed: the first reminder.
RENEWABLE_FROM_DAYS = 90


def can_be_renewed(award: Award, *, on=None) -> bool:
    """An award that expires, stands (neither revoked nor renewed) and is
    within RENEWABLE_FROM_DAYS of its end, or past it."""
    on = on or timezone.now()
    return (
        award.expires_at is not None
        and not award.is_revoked
        and award.renewed_at is None
        and award.expires_at - timedelta(days=RENEWABLE_FROM_DAYS) <= on
    )


@transaction.atomic
def renew_award(award: Award, *, by, reason: str) -> Award:
    """A new credential for what an expiring or expired award certified, valid
    from today; the old award is kept, not revoked, as the learner's history."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    if not reason.strip():
        raise ValidationError("Say why it is renewed (what was checked).")
    if not can_be_renewed(award):
        raise ValidationError(
            "Only a standing credential that expires within "
            f"{RENEWABLE_FROM_DAYS} days, or has expired, can be renewed."
        )
    completion = award.module_completion or award.pathway_completion
    if completion.voided_at:
        raise ValidationError(
            "The completion it certified was voided; the learner must earn it again."
        )
    award.renewed_at = timezone.now()
    award.save(update_fields=["renewed_at"])
    log_action(
        by,
        "award.renewal_requested",
        award,
        organization=award.organization,
        reason=reason,
    )
    if award.module_completion_id:
        return _issue_for_module(completion, by=by, renewal_of=award)
    return _issue_for_pathway(completion, by=by, renewal_of=award)


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
    """The award with a certificate that says its standing: one revoked,
    suspended or reinstated since its PDF was rendered (its queued render not
    yet done) is rendered now, so that no download says it still stands."""
    if not award.pdf:
        return award
    standing = standing_design(award)
    said = next((s for s in STATUS_DESIGNS if s and award.pdf_design.endswith(s)), "")
    if said == standing:
        return award
    return render_certificate(award)


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
        old = locked.pdf.name
        storage = locked.pdf.storage
        name = locked.pdf.field.generate_filename(locked, f"{award.uuid}.pdf")
        if not old and storage.exists(name):
            # Written by a worker that died before its transaction committed:
            # replaced, so that one award keeps one file.
            storage.delete(name)
        locked.pdf.save(f"{award.uuid}.pdf", ContentFile(pdf), save=False)
        locked.pdf_design = design
        locked.pdf_template_version_id = version_id
        locked.save(update_fields=["pdf", "pdf_design", "pdf_template_version"])
        if old:
            transaction.on_commit(lambda: storage.delete(old))
        elif locked.notified_at is None:
            # The chain's last step: with its certificate ready, the learner is told.
            tasks.notify_learner_of_award.delay_on_commit(locked.pk)
    return locked


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


def sweep_unissued(*, now=None) -> int:
    """Issue what a lost message left behind: completions with no award, awards
    with no PDF. Work younger than the grace period is left to the message
    already sent for it, so the sweep does not sign beside a live worker."""
    grace = timedelta(seconds=settings.CAIRN_SWEEP_GRACE_SECONDS)

    def cutoff():
        return (now or timezone.now()) - grace

    modules = selectors.module_completions_without_award().filter(
        recorded_at__lt=cutoff()  # a back-dated completion is young all the same
    )
    count = send_each(
        tasks.issue_module_award,
        modules.values_list("pk", flat=True).iterator(),
        queue="signing",
    )
    pathways = selectors.pathway_completions_without_award().filter(
        completed_at__lt=cutoff()
    )
    count += send_each(
        tasks.issue_pathway_award,
        pathways.values_list("pk", flat=True).iterator(),
        queue="signing",
    )
    # Asked again: awards the lines above issued in process count too. A
    # revoked award needs no certificate (an erased learner's was deleted).
    unrendered = Award.objects.filter(
        pdf="", revoked_at__isnull=True, issued_at__lt=cutoff()
    )
    send_each(
        tasks.render_certificate,
        unrendered.values_list("pk", flat=True).iterator(),
        queue="pdf",
    )
    untold = Award.objects.filter(
        notified_at__isnull=True, revoked_at__isnull=True, issued_at__lt=cutoff()
    ).exclude(pdf="")
    send_each(
        tasks.notify_learner_of_award,
        untold.values_list("pk", flat=True).iterator(),
        queue="mail",
    )
    for organization in Organization.objects.filter(awards__isnull=False).distinct():
        stale = stale_certificates(organization).exclude(pdf="")
        send_each(
            tasks.render_certificate,
            stale.values_list("pk", flat=True)[:RERENDER_BATCH],
            queue="pdf",
        )
    return count
