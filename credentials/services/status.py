"""W3C Bitstring Status Lists: entries handed out to new credentials, bits
set, lists signed."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from credentials import statuslist
from credentials.models import SigningKey, StatusList
from credentials.services import keys

# A new list is started when half the entries are handed out: indexes are drawn
# at random (spec section 6.1, so that neighbours in a list say nothing about
# each other), and at half full a draw finds a free one in two tries on average.
FILL_LIMIT = statuslist.MIN_LENGTH // 2
Purpose = StatusList.Purpose


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
