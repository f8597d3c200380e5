"""An award's standing: revoked, suspended or reinstated through its status
list entries, and what a compromised key signed revoked."""

from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import log_action
from credentials import tasks
from credentials.models import Award, SigningKey, StatusList, WalletCredential
from credentials.services import keys
from credentials.services.status import set_status_bit, sign_status_list
from credentials.signals import award_reinstated, award_revoked, award_suspended


def audit_facts(award: Award) -> dict:
    """What the audit trail keeps of an award beside its pk: the uuid its pages
    are addressed by, and what it certifies and to whom, so an entry can be
    found by a name and followed to the credential."""
    return {
        "organization": award.organization,
        "award": str(award.uuid),
        "achievement": award.achievement_name,
        "learner": award.learner_id,
    }


def _set_wallet_copy_bits(award: Award, purpose: str, value: bool) -> None:
    """Wallet copies that could not share the award's entries (services/wallet.py)
    carry their own; their bits follow the award's."""
    for copy in WalletCredential.objects.filter(
        award=award, **{f"{purpose}_list__isnull": False}
    ):
        set_status_bit(
            getattr(copy, f"{purpose}_list_id"),
            getattr(copy, f"{purpose}_index"),
            value,
        )


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason: the learner is told it."})
    return reason


def _locked(award: Award) -> Award:
    return Award.objects.select_for_update().get(pk=award.pk)


def _announce(signal, award: Award) -> None:
    award_id = award.pk
    transaction.on_commit(lambda: signal.send(sender=Award, award_id=award_id))


def _told(award: Award, event: str) -> None:
    tasks.notify_learner_of_status.delay_on_commit(award.pk, event)


def _restamp(award: Award) -> None:
    """Render the certificate again to say the new standing ("Revoked on …")."""
    if award.pdf:
        tasks.render_certificate.delay_on_commit(award.pk)


def _change_standing(
    award: Award,
    *,
    by,
    reason: str,
    purpose: str,
    bit: bool,
    fields: dict,
    action: str,
    signal,
    event: str | None,
) -> Award:
    """What revoking, suspending and reinstating share once the award is locked
    and checked: its fields saved, the `purpose` list's bit (and its wallet
    copies') set to `bit`, the audit entry, the signal, the certificate stamped
    again and, unless `event` is None, the learner told."""
    for name, value in fields.items():
        setattr(award, name, value)
    award.save(update_fields=list(fields))
    set_status_bit(
        getattr(award, f"{purpose}_list_id"), getattr(award, f"{purpose}_index"), bit
    )
    _set_wallet_copy_bits(award, purpose, bit)
    log_action(by, action, award, reason=reason, **audit_facts(award))
    _announce(signal, award)
    _restamp(award)
    if event is not None:
        _told(award, event)
    return award


@transaction.atomic
def revoke_award(award: Award, *, by, reason: str, notify: bool = True) -> Award:
    """Revoke for good: the revocation bit is set and the list re-signed. The
    learner is e-mailed unless the caller tells them itself (`notify=False`)."""
    reason = _reason(reason)
    award = _locked(award)
    if award.is_revoked:
        raise ValidationError("This credential is already revoked.")
    return _change_standing(
        award,
        by=by,
        reason=reason,
        purpose="revocation",
        bit=True,
        fields={"revoked_at": timezone.now(), "revocation_reason": reason},
        action="award.revoked",
        signal=award_revoked,
        event="revoked" if notify else None,
    )


@transaction.atomic
def suspend_award(award: Award, *, by, reason: str) -> Award:
    """Suspend until reinstated: the suspension bit is set and the list re-signed."""
    reason = _reason(reason)
    award = _locked(award)
    if award.is_revoked:
        raise ValidationError("A revoked credential cannot be suspended.")
    if award.is_suspended:
        raise ValidationError("This credential is already suspended.")
    if award.suspension_list_id is None:
        raise ValidationError(
            "This credential was issued without a suspension status entry, so "
            "verifiers cannot be told it is suspended. Revoke it instead."
        )
    return _change_standing(
        award,
        by=by,
        reason=reason,
        purpose="suspension",
        bit=True,
        fields={"suspended_at": timezone.now(), "suspension_reason": reason},
        action="award.suspended",
        signal=award_suspended,
        event="suspended",
    )


@transaction.atomic
def reinstate_award(award: Award, *, by, reason: str) -> Award:
    """Lift a suspension. A revocation is final (Bitstring Status List, 2.1)."""
    reason = _reason(reason)
    award = _locked(award)
    if award.is_revoked:
        raise ValidationError(
            "A revoked credential cannot be reinstated; issue a new one instead."
        )
    if not award.is_suspended:
        raise ValidationError("This credential is not suspended.")
    return _change_standing(
        award,
        by=by,
        reason=reason,
        purpose="suspension",
        bit=False,
        fields={"suspended_at": None, "suspension_reason": ""},
        action="award.reinstated",
        signal=award_reinstated,
        event="reinstated",
    )


def revoke_awards_of_completion(*, completion_field: str, completion_id: int) -> int:
    """Revoke the standing awards of a voided completion; a repeat revokes none."""
    count = 0
    standing = Award.objects.filter(
        **{f"{completion_field}_id": completion_id}, revoked_at__isnull=True
    )
    for award in standing:
        revoke_award(
            award,
            by=None,
            reason="The completion it certified was voided (for example, a grade "
            "overturned on appeal).",
        )
        count += 1
    return count


@transaction.atomic
def mark_key_compromised(key: SigningKey, *, by, since: datetime, reason: str) -> int:
    """Record a compromise and revoke what the key signed from `since` on.

    An active key is rotated first, so that the status lists re-signed here are
    signed by a key nobody else holds. Returns how many awards were revoked.
    """
    key = SigningKey.objects.select_for_update().get(pk=key.pk)
    keys.check_compromise(key, since=since, reason=reason)
    # Proofs state `created` to the second; so does the compromise, so that the
    # revocations here and the verifier's date comparison agree.
    since = since.replace(microsecond=0)
    if key.is_active:
        keys.rotate_signing_key(key.organization, by=by)
        key.refresh_from_db()
    key.compromised_at = since
    key.compromise_reason = reason.strip()
    key.save(update_fields=["compromised_at", "compromise_reason"])
    log_action(
        by,
        "key.compromised",
        key,
        organization=key.organization,
        since=since.isoformat(),
        reason=key.compromise_reason,
    )
    affected = Award.objects.filter(
        signing_key=key, issued_at__gte=since, revoked_at__isnull=True
    )
    count = 0
    for award in affected:
        revoke_award(
            award,
            by=by,
            reason=f"It was signed with a key reported compromised from "
            f"{since.astimezone(UTC):%d %B %Y %H:%M} UTC.",
        )
        count += 1
    # Lists the compromised key signed are signed again with the new key, so a
    # verifier never has to trust its signature for a status.
    for status_list in StatusList.objects.filter(organization=key.organization).exclude(
        issuer_did__startswith="did:key:"
    ):
        sign_status_list(status_list)
    return count
