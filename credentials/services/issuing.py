"""Issuing and rendering awards."""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Organization
from assessments.models import ModuleCompletion
from config.celery import send_each
from credentials import dataintegrity, openbadges, selectors, tasks
from credentials.models import Award, SigningKey
from credentials.services import keys, status
from credentials.services.rendering import RERENDER_BATCH, stale_certificates
from credentials.signals import award_issued
from pathways.models import PathwayCompletion


def _active_key(organization: Organization):
    """The organization's active signing key, read without a lock (made on
    first use); the insert checks that it is still the one."""
    key = (
        SigningKey.objects.select_related("organization")
        .filter(organization=organization, is_active=True)
        .first()
    )
    if key is None:
        with transaction.atomic():
            key = keys.get_signing_key(organization)
    return key


def _still_signs(key) -> bool:
    """Whether `key` is still the active, uncompromised key, asked under a
    FOR KEY SHARE lock on its row: it waits for a rotation or a compromise
    report in progress (they hold FOR UPDATE) and then reads what they
    committed, so that no award signed by a key reported compromised from
    before it is stored unrevoked after the report. Concurrent issuers share
    the lock. SQLite (the embedded demo) has no row locks; its one writer at a
    time serialises issuing there."""
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT is_active, compromised_at IS NULL "
            f"FROM {SigningKey._meta.db_table} WHERE id = %s{lock}",
            [key.pk],
        )
        row = cursor.fetchone()
    return bool(row and row[0] and row[1])


# How many times an issue starts again when the key rotated while it signed.
KEY_CHANGE_TRIES = 3


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
    mark_renewed: bool = False,
) -> Award:
    """Reserve status entries (committed at once), sign with no lock held, then
    store the award in a short transaction. The unique constraint on a
    completion's standing award keeps one award per completion when a task is
    delivered twice: the loser's reserved indexes are left unused."""
    options = selectors.signing_options(organization)
    legacy = options.proof_format == dataintegrity.ED25519_2020
    for _ in range(KEY_CHANGE_TRIES):
        key = _active_key(organization)
        did = keys.issuer_did(key)
        (entries,) = status.reserve_status_entries(
            organization, issuer_did=did, suspension=options.suspension_entry
        )
        award_uuid = uuid.uuid4()
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
            # One revocation entry by default: OB 3.0 and 1EdTech's schema take
            # one credentialStatus object. Bitstring Status List 2.1 shows a
            # suspension entry beside it, which an issuer can choose (a list of
            # two, which the published schema refuses; docs/decisions/0002).
            credential_status=entries.credential_status,
        )
        now = timezone.now()
        credential = keys.sign_credential(
            key,
            openbadges.compose_credential(info, data_model="1.1" if legacy else "2.0"),
            did=did,
            created=now,
            suite=dataintegrity.ED25519_2020 if legacy else dataintegrity.CRYPTOSUITE,
        )
        try:
            with transaction.atomic():
                if not _still_signs(key):
                    continue  # rotated or reported meanwhile: sign again
                if mark_renewed:
                    Award.objects.filter(pk=renewal_of.pk, renewed_at=None).update(
                        renewed_at=valid_from
                    )
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
                log_action(
                    by,
                    "award.renewed" if renewal_of else "award.issued",
                    award,
                    **status.audit_facts(award),
                    **({"renewal_of": str(renewal_of.uuid)} if renewal_of else {}),
                )
                # The certificate is rendered when first asked for
                # (certificate_for_download): the learner is told now.
                tasks.notify_learner_of_award.delay_on_commit(award.pk)
                transaction.on_commit(
                    lambda pk=award.pk: award_issued.send(sender=Award, award_id=pk)
                )
        except IntegrityError:
            # The task was delivered twice and the other run won: one award stands.
            return Award.objects.get(
                **{completion_field: completion}, revoked_at=None, renewed_at=None
            )
        return award
    raise RuntimeError(
        f"{organization}'s signing key changed {KEY_CHANGE_TRIES} times while "
        "an award was signed"
    )


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
        mark_renewed = renewal_of is not None
    else:
        mark_renewed = False
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
        mark_renewed=mark_renewed,
    )


def issue_module_award(completion: ModuleCompletion) -> Award | None:
    """Sign an Open Badges 3.0 credential for a module completion; a repeat
    returns the award already issued (even a revoked one: only an admin issues
    again). A voided completion gets none. Not one transaction: the status
    entries are reserved and committed before signing (see _sign_and_store)."""
    existing = Award.objects.filter(module_completion=completion).order_by("-pk")
    if existing := existing.first():
        return existing
    if completion.voided_at:
        return None
    return _issue_for_module(completion)


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


def sweep_unissued(*, now=None) -> int:
    """Issue what a lost message left behind: completions with no award, awards
    whose learner was not told, certificates of an old design. Work younger
    than the grace period is left to the message already sent for it, so the
    sweep does not sign beside a live worker."""
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
    # certificate is rendered when first asked for (certificate_for_download),
    # so an award without one is no work left undone.
    untold = Award.objects.filter(
        notified_at__isnull=True, revoked_at__isnull=True, issued_at__lt=cutoff()
    )
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
