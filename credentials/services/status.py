"""Revocation and suspension through W3C Bitstring Status Lists."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Organization
from accounts.notifications.services import notify
from credentials import statuslist, tasks
from credentials.models import Award, SigningKey, StatusList, WalletCredential
from credentials.services import keys
from credentials.signals import award_reinstated, award_revoked, award_suspended

# A new list is started when half the entries are handed out: indexes are drawn
# at random (spec section 6.1, so that neighbours in a list say nothing about
# each other), and at half full a draw finds a free one in two tries on average.
FILL_LIMIT = statuslist.MIN_LENGTH // 2
Purpose = StatusList.Purpose


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


def list_url(status_list: StatusList) -> str:
    return f"{settings.SITE_URL}{status_list.get_absolute_url()}"


def _signing_key_for(status_list: StatusList) -> SigningKey:
    """A did:key list is signed by its own key; a did:web list by the current one."""
    if status_list.issuer_did.startswith("did:key:"):
        return SigningKey.objects.get(
            public_multibase=status_list.issuer_did.removeprefix("did:key:")
        )
    return keys.get_signing_key(status_list.organization)


def sign_status_list(status_list: StatusList) -> StatusList:
    """Sign the list's current bits as a BitstringStatusListCredential and keep it."""
    key = _signing_key_for(status_list)
    now = timezone.now()
    credential = statuslist.compose_list_credential(
        list_url=list_url(status_list),
        issuer=status_list.issuer_did,
        purpose=status_list.purpose,
        bits=bytes(status_list.bits),
        valid_from=now,
    )
    status_list.credential = keys.sign_credential(
        key, credential, did=status_list.issuer_did, created=now
    )
    status_list.signed_at = now
    status_list.save(update_fields=["credential", "signed_at"])
    return status_list


def _open_list(organization: Organization, issuer_did: str, purpose: str) -> StatusList:
    status_list = (
        StatusList.objects.select_for_update()
        .filter(organization=organization, issuer_did=issuer_did, purpose=purpose)
        .order_by("-pk")
        .first()
    )
    if status_list is not None and status_list.assigned_count < FILL_LIMIT:
        return status_list
    status_list = StatusList.objects.create(
        organization=organization,
        issuer_did=issuer_did,
        purpose=purpose,
        bits=statuslist.new_bitstring(),
        assigned=statuslist.new_bitstring(),
    )
    return sign_status_list(status_list)


def assign_status_entry(
    organization: Organization, *, issuer_did: str, purpose: str
) -> tuple[StatusList, int]:
    """A free, randomly chosen index in the issuer's open list for `purpose`.

    Call inside the issuing transaction, after get_signing_key: every
    transaction that touches a list locks the organization's signing key row
    first and the list second, so concurrent issuers queue instead of
    deadlocking; a rolled-back issue gives its index back.
    """
    status_list = _open_list(organization, issuer_did, purpose)
    assigned = bytes(status_list.assigned)
    while True:
        index = secrets.randbelow(len(assigned) * 8)
        if not statuslist.get_bit(assigned, index):
            break
    status_list.assigned = statuslist.set_bit(assigned, index, True)
    status_list.assigned_count += 1
    status_list.save(update_fields=["assigned", "assigned_count"])
    return status_list, index


def _claim(
    organization: Organization, issuer_did: str, purpose: str, count: int
) -> tuple[StatusList, list[int]] | None:
    """`count` free, randomly chosen indexes of the open list for `purpose`,
    marked as handed out; None if the list is missing or has no room for them.
    Holds the list's row lock only for the draw and the write."""
    status_list = (
        StatusList.objects.select_for_update()
        .only(
            "pk", "organization", "issuer_did", "purpose", "assigned", "assigned_count"
        )
        .filter(organization=organization, issuer_did=issuer_did, purpose=purpose)
        .order_by("-pk")
        .first()
    )
    if status_list is None or status_list.assigned_count + count > FILL_LIMIT:
        return None
    assigned = bytearray(status_list.assigned)
    size = len(assigned) * 8
    indexes = []
    while len(indexes) < count:
        index = secrets.randbelow(size)
        mask = 0x80 >> (index % 8)
        if not assigned[index // 8] & mask:
            assigned[index // 8] |= mask
            indexes.append(index)
    status_list.assigned = bytes(assigned)
    status_list.assigned_count += count
    status_list.save(update_fields=["assigned", "assigned_count"])
    return status_list, indexes


def _start_list(
    organization: Organization, issuer_did: str, purpose: str, count: int
) -> None:
    """A new open list for `purpose`, unless a concurrent reservation just made
    one with room for `count`: the signing key's row lock (taken first, as
    everywhere) serialises those who find the list full."""
    with transaction.atomic():
        keys.get_signing_key(organization)
        latest = (
            StatusList.objects.filter(
                organization=organization, issuer_did=issuer_did, purpose=purpose
            )
            .order_by("-pk")
            .values_list("assigned_count", flat=True)
            .first()
        )
        if latest is None or latest + count > FILL_LIMIT:
            status_list = StatusList.objects.create(
                organization=organization,
                issuer_did=issuer_did,
                purpose=purpose,
                bits=statuslist.new_bitstring(),
                assigned=statuslist.new_bitstring(),
            )
            sign_status_list(status_list)


def reserve_status_entries(
    organization: Organization, *, issuer_did: str, suspension: bool, count: int = 1
) -> list["StatusEntries"]:
    """Status entries for `count` new credentials, reserved and committed at
    once, before anything is signed: issuing holds no list lock while it signs
    (issue 17), so an organization's awards are signed side by side.

    Each list is locked for one read and one write, and the indexes are drawn
    at random from those not handed out (spec section 6.1). A reservation
    whose credential is never stored (a duplicate delivery lost the race, a
    worker died) leaves its index unused, which costs one bit of the list.
    Inside a caller's transaction the signing key is locked first, as every
    transaction touching a list does, so that nothing deadlocks.
    """
    if not 1 <= count <= FILL_LIMIT:
        raise ValueError(f"between 1 and {FILL_LIMIT} entries at once")
    if transaction.get_connection().in_atomic_block:
        keys.get_signing_key(organization)
    purposes = [Purpose.REVOCATION] + ([Purpose.SUSPENSION] if suspension else [])
    claimed: dict[str, tuple[StatusList, list[int]]] = {}
    for purpose in purposes:
        while True:
            with transaction.atomic():
                got = _claim(organization, issuer_did, purpose, count)
            if got is not None:
                claimed[purpose] = got
                break
            _start_list(organization, issuer_did, purpose, count)
    entries = []
    for n in range(count):
        revocation_list, revocation_indexes = claimed[Purpose.REVOCATION]
        credential_status: dict | list[dict] = statuslist.entry(
            list_url=list_url(revocation_list),
            index=revocation_indexes[n],
            purpose=Purpose.REVOCATION,
        )
        suspension_list = suspension_index = None
        if suspension:
            suspension_list, suspension_indexes = claimed[Purpose.SUSPENSION]
            suspension_index = suspension_indexes[n]
            credential_status = [
                credential_status,
                statuslist.entry(
                    list_url=list_url(suspension_list),
                    index=suspension_index,
                    purpose=Purpose.SUSPENSION,
                ),
            ]
        entries.append(
            StatusEntries(
                revocation_list,
                revocation_indexes[n],
                suspension_list,
                suspension_index,
                credential_status,
            )
        )
    return entries


@dataclass(frozen=True)
class StatusEntries:
    """The status entries assigned to one credential: its revocation entry, its
    suspension entry if it has one, and the credentialStatus that names them."""

    revocation_list: StatusList
    revocation_index: int
    suspension_list: StatusList | None
    suspension_index: int | None
    credential_status: dict | list[dict]


def assign_status_entries(
    organization: Organization, *, issuer_did: str, suspension: bool
) -> StatusEntries:
    """A revocation entry, and with `suspension` a suspension entry, for a new
    credential of the organization; see assign_status_entry for the locking."""
    revocation_list, revocation_index = assign_status_entry(
        organization, issuer_did=issuer_did, purpose=Purpose.REVOCATION
    )
    credential_status: dict | list[dict] = statuslist.entry(
        list_url=list_url(revocation_list),
        index=revocation_index,
        purpose=Purpose.REVOCATION,
    )
    suspension_list = suspension_index = None
    if suspension:
        suspension_list, suspension_index = assign_status_entry(
            organization, issuer_did=issuer_did, purpose=Purpose.SUSPENSION
        )
        credential_status = [
            credential_status,
            statuslist.entry(
                list_url=list_url(suspension_list),
                index=suspension_index,
                purpose=Purpose.SUSPENSION,
            ),
        ]
    return StatusEntries(
        revocation_list,
        revocation_index,
        suspension_list,
        suspension_index,
        credential_status,
    )


def set_status_bit(status_list_id: int | None, index: int | None, value: bool) -> None:
    """Set one credential's bit in a list and re-sign the list if it changed.
    Call inside a transaction."""
    if status_list_id is None or index is None:
        return  # issued before status lists: the award row alone says it
    # Locks in the order issuing takes them (signing key, then list), so that
    # a revocation beside an issuance cannot deadlock.
    _signing_key_for(
        StatusList.objects.only("organization", "issuer_did").get(pk=status_list_id)
    )
    status_list = StatusList.objects.select_for_update().get(pk=status_list_id)
    bits = bytes(status_list.bits)
    if statuslist.get_bit(bits, index) == value:
        return
    status_list.bits = statuslist.set_bit(bits, index, value)
    status_list.save(update_fields=["bits"])
    sign_status_list(status_list)


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


@transaction.atomic
def revoke_award(award: Award, *, by, reason: str, notify: bool = True) -> Award:
    """Revoke for good: the revocation bit is set and the list re-signed. The
    learner is e-mailed unless the caller tells them itself (`notify=False`)."""
    reason = _reason(reason)
    award = _locked(award)
    if award.is_revoked:
        raise ValidationError("This credential is already revoked.")
    award.revoked_at = timezone.now()
    award.revocation_reason = reason
    award.save(update_fields=["revoked_at", "revocation_reason"])
    set_status_bit(award.revocation_list_id, award.revocation_index, True)
    _set_wallet_copy_bits(award, "revocation", True)
    log_action(by, "award.revoked", award, reason=reason, **audit_facts(award))
    _announce(award_revoked, award)
    _restamp(award)
    if notify:
        _told(award, "revoked")
    return award


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
    award.suspended_at = timezone.now()
    award.suspension_reason = reason
    award.save(update_fields=["suspended_at", "suspension_reason"])
    set_status_bit(award.suspension_list_id, award.suspension_index, True)
    _set_wallet_copy_bits(award, "suspension", True)
    log_action(by, "award.suspended", award, reason=reason, **audit_facts(award))
    _announce(award_suspended, award)
    _restamp(award)
    _told(award, "suspended")
    return award


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
    award.suspended_at = None
    award.suspension_reason = ""
    award.save(update_fields=["suspended_at", "suspension_reason"])
    set_status_bit(award.suspension_list_id, award.suspension_index, False)
    _set_wallet_copy_bits(award, "suspension", False)
    log_action(by, "award.reinstated", award, reason=reason, **audit_facts(award))
    _announce(award_reinstated, award)
    _restamp(award)
    _told(award, "reinstated")
    return award


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


_STATUS_MAIL = {
    "revoked": (
        "Your credential “{name}” has been revoked",
        "{organization} has revoked your credential “{name}”.\n\nReason: {reason}\n\n"
        "Anyone who checks it now sees that it is revoked. If you earn it again, "
        "a new credential is issued.",
    ),
    "suspended": (
        "Your credential “{name}” has been suspended",
        "{organization} has suspended your credential “{name}” for now.\n\n"
        "Reason: {reason}\n\nAnyone who checks it sees that it is suspended until "
        "it is reinstated.",
    ),
    "reinstated": (
        "Your credential “{name}” is valid again",
        "{organization} has lifted the suspension of your credential “{name}”. "
        "It verifies as valid again.",
    ),
}


def notify_learner_of_award(award_id: int) -> Award | None:
    """Tell the learner once that their credential was issued, with links to its
    page and certificate; the award records that they were told (or that there
    was no one to tell), so a repeat or the sweep sends nothing more."""
    told = notify_learners_of_awards([award_id])
    return told[0] if told else None


def notify_learners_of_awards(award_ids: list[int]) -> list[Award]:
    """notify_learner_of_award for a batch of awards in one transaction: the
    awards locked and marked told in one statement each; those told."""
    with transaction.atomic():
        awards = list(
            Award.objects.select_for_update(of=("self",))
            .select_related("learner", "organization")
            .filter(pk__in=award_ids, notified_at__isnull=True, revoked_at__isnull=True)
            .order_by("pk")
        )
        for award in awards:
            notify(
                award.learner,
                "credential.issued",
                f"You have earned “{award.achievement_name}”",
                f"{award.organization.name} has issued you the credential "
                f"“{award.achievement_name}”.\n\nIts page has the PDF certificate "
                "and a copy for your wallet. Anyone you share it with can check "
                "it there.",
                award.get_absolute_url(),
                organization=award.organization,
            )
        now = timezone.now()
        Award.objects.filter(pk__in=[award.pk for award in awards]).update(
            notified_at=now
        )
        for award in awards:
            award.notified_at = now
    return awards


def notify_learner_of_status(award: Award, event: str) -> None:
    """Tell the learner by e-mail that their award was revoked, suspended or
    reinstated, with the reason and a link to its verification page."""
    subject, body = _STATUS_MAIL[event]
    words = {
        "name": award.achievement_name,
        "organization": award.organization.name,
        "reason": award.revocation_reason
        if event == "revoked"
        else award.suspension_reason,
    }
    notify(
        award.learner,
        f"credential.{event}",
        subject.format(**words),
        body.format(**words),
        award.get_absolute_url(),
        organization=award.organization,
    )
