"""Issuing and rendering awards."""

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.audit import audit_entry, log_action, log_actions
from accounts.models import Organization
from assessments.models import ModuleCompletion
from config.celery import send_each
from credentials import dataintegrity, openbadges, selectors, tasks
from credentials.models import Award, SigningKey
from credentials.services import keys, status
from credentials.services.notices import notify_learners_of_awards
from credentials.services.rendering import RERENDER_BATCH, stale_certificates
from credentials.services.revocation import audit_facts
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
# How many times a store is tried again after a concurrent issue stored an
# award for one of its completions first.
STORE_TRIES = 3


@dataclass(frozen=True)
class Pending:
    """A completion about to be awarded, and what its credential says."""

    completion: ModuleCompletion | PathwayCompletion
    facts: selectors.AchievementFacts
    valid_from: datetime
    valid_until: datetime | None = None
    renewal_of: Award | None = None
    mark_renewed: bool = False  # the award it renews is marked renewed


def _credential_info(
    item: Pending, *, award_uuid, issuer, entries: status.StatusEntries
) -> openbadges.CredentialInfo:
    learner = item.completion.learner
    return openbadges.CredentialInfo(
        id=f"urn:uuid:{award_uuid}",
        issuer=issuer,
        achievement=item.facts.achievement,
        recipient=openbadges.RecipientInfo(
            email=learner.email,
            salt=secrets.token_hex(8),
            name=learner.get_full_name() or learner.get_username(),
        ),
        valid_from=item.valid_from,
        valid_until=item.valid_until,
        results=item.facts.results,
        evidence=item.facts.evidence,
        narrative=item.facts.narrative,
        # One revocation entry by default: OB 3.0 and 1EdTech's schema take
        # one credentialStatus object. Bitstring Status List 2.1 shows a
        # suspension entry beside it, which an issuer can choose (a list of
        # two, which the published schema refuses; docs/decisions/0002).
        credential_status=entries.credential_status,
    )


def _sign_and_store(
    *,
    kind: str,
    organization: Organization,
    pending: list[Pending],
    completion_field: str,
    by=None,
) -> list[Award]:
    """Awards for `pending` completions of one organization, in their order:
    status entries for all of them reserved in one statement per list
    (committed at once), each credential signed with no lock held, then all
    stored in one short transaction. A completion that has a standing award
    by then (a task delivered twice, a concurrent batch) keeps it, and its
    reserved indexes are left unused: the unique constraint on a completion's
    standing award is the last guard."""
    options = selectors.signing_options(organization)
    legacy = options.proof_format == dataintegrity.ED25519_2020
    for _ in range(KEY_CHANGE_TRIES):
        key = _active_key(organization)
        did = keys.issuer_did(key)
        issuer = selectors.issuer_info(organization, did, profile=options)
        reserved = status.reserve_status_entries(
            organization,
            issuer_did=did,
            suspension=options.suspension_entry,
            count=len(pending),
        )
        now = timezone.now()
        awards = []
        for item, entries in zip(pending, reserved, strict=True):
            award_uuid = uuid.uuid4()
            info = _credential_info(
                item, award_uuid=award_uuid, issuer=issuer, entries=entries
            )
            awards.append(
                Award(
                    uuid=award_uuid,
                    kind=kind,
                    learner=item.completion.learner,
                    organization=organization,
                    achievement_name=item.facts.achievement.name,
                    expires_at=item.valid_until,
                    renewal_of=item.renewal_of,
                    **{completion_field: item.completion},
                    **keys.sign_for_storage(
                        key,
                        openbadges.compose_credential(
                            info, data_model="1.1" if legacy else "2.0"
                        ),
                        did=did,
                        entries=entries,
                        created=now,
                        suite=dataintegrity.ED25519_2020
                        if legacy
                        else dataintegrity.CRYPTOSUITE,
                    ),
                )
            )
        stored = _store(awards, pending, key=key, field=completion_field, by=by)
        if stored is not None:
            return stored
        # The key was rotated or reported compromised meanwhile: sign again.
    raise RuntimeError(
        f"{organization}'s signing key changed {KEY_CHANGE_TRIES} times while "
        "awards were signed"
    )


def _store(
    awards: list[Award], pending: list[Pending], *, key, field: str, by
) -> list[Award] | None:
    """Store the signed `awards` (None if `key` no longer signs), except for
    completions that have a standing award by now: those keep theirs."""
    completion_ids = [item.completion.pk for item in pending]
    standing: dict[int, Award] = {}
    for attempt in range(STORE_TRIES):
        try:
            with transaction.atomic():
                if not _still_signs(key):
                    return None
                if attempt:  # only after a conflict: the claim avoids most
                    standing = {
                        getattr(award, f"{field}_id"): award
                        for award in Award.objects.filter(
                            **{f"{field}__in": completion_ids},
                            revoked_at=None,
                            renewed_at=None,
                        )
                    }
                new = [a for a in awards if getattr(a, f"{field}_id") not in standing]
                for award, item in zip(awards, pending, strict=True):
                    if item.mark_renewed and any(award is a for a in new):
                        Award.objects.filter(
                            pk=item.renewal_of.pk, renewed_at=None
                        ).update(renewed_at=item.valid_from)
                Award.objects.bulk_create(new)
                log_actions(
                    [
                        audit_entry(
                            by,
                            "award.renewed" if award.renewal_of else "award.issued",
                            award,
                            **audit_facts(award),
                            **(
                                {"renewal_of": str(award.renewal_of.uuid)}
                                if award.renewal_of
                                else {}
                            ),
                        )
                        for award in new
                    ]
                )
                _announce(new)
        except IntegrityError:
            # A concurrent issue stored one of them first: asked again.
            continue
        return [
            standing.get(completion_id) or award
            for completion_id, award in zip(completion_ids, awards, strict=True)
        ]
    raise RuntimeError("awards could not be stored beside concurrent issues")


def _announce(awards: list[Award]) -> None:
    """After commit: the learners are told, here rather than in a task of its
    own (a message per award cost more than the telling; if this worker dies
    first, the sweep tells them), and the awards announced, each with what
    names its achievement (organization, kind, name) so that no receiver reads
    the award again to learn it. The certificate is rendered when first asked
    for (certificate_for_download)."""
    if not awards:
        return
    transaction.on_commit(
        partial(notify_learners_of_awards, [a.pk for a in awards]),
        robust=True,
    )
    for award in awards:
        transaction.on_commit(
            partial(
                award_issued.send,
                sender=Award,
                award_id=award.pk,
                achievement=(
                    award.organization_id,
                    str(award.kind),
                    award.achievement_name,
                ),
            )
        )


def _valid_until(start, valid_for_days: int | None):
    return start + timedelta(days=valid_for_days) if valid_for_days else None


def _module_pending(
    completion: ModuleCompletion, *, renewal_of: Award | None = None
) -> Pending:
    # A renewal is valid from the day it is made; a first award from the day
    # the module was completed.
    start = timezone.now() if renewal_of else completion.completed_at
    facts = selectors.module_achievement(completion)
    return Pending(
        completion,
        facts,
        valid_from=start,
        # A direct award's own expiry, if it gave one (bulk awards).
        valid_until=(not renewal_of and facts.valid_until)
        or _valid_until(start, completion.version.valid_for_days),
        renewal_of=renewal_of,
    )


def _pathway_pending(
    completion: PathwayCompletion, *, renewal_of: Award | None = None
) -> Pending:
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
    return Pending(
        completion,
        selectors.pathway_achievement(completion),
        valid_from=start,
        valid_until=valid_until,
        renewal_of=renewal_of,
        mark_renewed=mark_renewed,
    )


@dataclass(frozen=True)
class _Kind:
    """What tells a module award from a pathway award when issuing: its kind,
    its completion's field on the award, where the organization is, and what
    its credential says (its Pending)."""

    kind: str
    completion_field: str
    organization: Callable[[ModuleCompletion | PathwayCompletion], Organization]
    pending: Callable[..., Pending]


_KINDS = {
    ModuleCompletion: _Kind(
        Award.Kind.MODULE,
        "module_completion",
        lambda completion: completion.version.module.organization,
        _module_pending,
    ),
    PathwayCompletion: _Kind(
        Award.Kind.PATHWAY,
        "pathway_completion",
        lambda completion: completion.version.pathway.organization,
        _pathway_pending,
    ),
}


def _issue_many(
    completions: list[ModuleCompletion] | list[PathwayCompletion],
    *,
    by=None,
    renewal_of: Award | None = None,
) -> list[Award]:
    """Awards for completions of one kind and one organization, signed and
    stored together (see _sign_and_store), in their order."""
    if not completions:
        return []
    kind = _KINDS[type(completions[0])]
    return _sign_and_store(
        kind=kind.kind,
        organization=kind.organization(completions[0]),
        pending=[kind.pending(c, renewal_of=renewal_of) for c in completions],
        completion_field=kind.completion_field,
        by=by,
    )


def _issue_one(
    completion: ModuleCompletion | PathwayCompletion,
    *,
    by=None,
    renewal_of: Award | None = None,
) -> Award:
    (award,) = _issue_many([completion], by=by, renewal_of=renewal_of)
    return award


def _issue_first(completion: ModuleCompletion | PathwayCompletion) -> Award | None:
    """The completion's award: a repeat returns the one already issued (even a
    revoked one: only an admin issues again); a voided completion gets none."""
    field = _KINDS[type(completion)].completion_field
    existing = Award.objects.filter(**{field: completion}).order_by("-pk").first()
    if existing:
        return existing
    if completion.voided_at:
        return None
    return _issue_one(completion)


def issue_module_award(completion: ModuleCompletion) -> Award | None:
    """Sign an Open Badges 3.0 credential for a module completion; a repeat
    returns the award already issued (even a revoked one: only an admin issues
    again). A voided completion gets none. Not one transaction: the status
    entries are reserved and committed before signing (see _sign_and_store)."""
    return _issue_first(completion)


def issue_module_awards(completions: list[ModuleCompletion]) -> list[Award]:
    """First awards for live completions of one organization that have none
    (load them with learner and version__module__organization), signed and
    stored together (see _sign_and_store); in their order. One that gains an
    award meanwhile keeps that one."""
    return _issue_many(completions)


def issue_pathway_awards(completions: list[PathwayCompletion]) -> list[Award]:
    """issue_module_awards for pathway completions (load them with learner
    and version__pathway__organization)."""
    return _issue_many(completions)


def issue_pathway_award(completion: PathwayCompletion) -> Award | None:
    return _issue_first(completion)


@transaction.atomic
def reissue_award(award: Award, *, by) -> Award:
    """A new award for the completion a revoked award certified, if it still
    stands: a revocation (a wrong name, a compromised key) is not a lock."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    if not award.is_revoked:
        raise ValidationError("Only a revoked credential can be issued again.")
    completion = award.module_completion or award.pathway_completion
    if completion.voided_at:
        raise ValidationError(
            "The completion it certified was voided; the learner must earn it again."
            if award.module_completion_id
            else "The pathway completion it certified was voided; the learner "
            "must complete it again."
        )
    if completion.awards.filter(revoked_at=None, renewed_at=None).exists():
        raise ValidationError("A newer credential for it already stands.")
    return _issue_one(completion, by=by)


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
    return _issue_one(completion, by=by, renewal_of=award)


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
