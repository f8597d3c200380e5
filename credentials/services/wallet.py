"""Wallet hand-off: issuing a learner's award to a DID their wallet proves it holds.

Follows the Learner Credential Wallet's request flow, as its source reads it
(digitalcredentials/learner-credential-wallet): app/lib/deepLink.ts opens
`dccrequest://request?…` and `org.dcconsortium://request?…`;
app/lib/credentialRequest.ts (`isCredentialRequestParams`, `requestCredential`)
needs `issuer` (a plain string, only checked for presence) and `vc_request_url`,
takes `challenge`, and with `auth_type=bearer` skips the OAuth login that the
default `code` needs from a registered issuer; it POSTs the DIDAuth presentation
of app/lib/present.ts as JSON to vc_request_url and accepts as the response body
the credential itself or a presentation holding it
(app/lib/verifiableObject.ts, `extractCredentialsFrom`). Query values are sent
percent-encoded, which app/lib/encode.ts leaves as they are.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from credentials import dataintegrity, didauth, openbadges, statuslist
from credentials.models import Award, StatusList, WalletCredential, WalletRequest
from credentials.services import keys, status

DEEP_LINK = "dccrequest://request"


class WalletHandOffError(Exception):
    """A wallet's answer that cannot be accepted; nothing was issued or used up.

    `code` is a stable machine name (the DID Authentication codes of
    credentials/didauth.py, or "unknown-request", "expired", "already-used",
    "revoked", "suspended"); the message is plain words.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class WalletLink:
    deep_link: str
    request_url: str
    challenge: str
    expires_at: datetime


def request_lifetime() -> timedelta:
    return timedelta(minutes=settings.CAIRN_WALLET_REQUEST_MINUTES)


def request_url(wallet_request: WalletRequest) -> str:
    path = reverse("credentials:wallet-exchange", args=[wallet_request.uuid])
    return f"{settings.SITE_URL}{path}"


def wallet_link(wallet_request: WalletRequest) -> WalletLink:
    """The deep link a wallet opens (also the QR code's content)."""
    url = request_url(wallet_request)
    query = urlencode(
        {
            # The issuer's DID names the organization to the wallet.
            "issuer": _issuer_id(wallet_request.award.credential) or settings.SITE_URL,
            "vc_request_url": url,
            "challenge": wallet_request.challenge,
            "auth_type": "bearer",
        }
    )
    return WalletLink(
        deep_link=f"{DEEP_LINK}?{query}",
        request_url=url,
        challenge=wallet_request.challenge,
        expires_at=wallet_request.expires_at,
    )


def _issuer_id(credential: dict[str, Any]) -> str:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else ""


def site_domains() -> frozenset[str]:
    """What a presentation's `domain` may say to be meant for this site."""
    parts = urlsplit(settings.SITE_URL)
    return frozenset(
        value
        for value in (parts.netloc, parts.hostname, f"{parts.scheme}://{parts.netloc}")
        if value
    )


def _refusal(award: Award) -> tuple[str, str] | None:
    if award.is_revoked:
        return "revoked", (
            f"“{award.achievement_name}” has been revoked, so it cannot be sent "
            "to a wallet."
        )
    if award.is_suspended:
        return "suspended", (
            f"“{award.achievement_name}” is suspended for now, so it cannot be "
            "sent to a wallet until it is reinstated."
        )
    return None


def open_wallet_request(award: Award, *, now: datetime | None = None):
    """The learner's latest request for the award that a wallet can still answer."""
    now = now or timezone.now()
    return (
        WalletRequest.objects.filter(award=award, used_at=None, expires_at__gt=now)
        .select_related("award")
        .first()
    )


@transaction.atomic
def create_wallet_request(award: Award, *, by) -> WalletRequest:
    """A new single-use request (random challenge, short expiry) for the award's
    learner to answer from their wallet."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    if by is None or by.pk != award.learner_id:
        raise ValidationError("Only the learner can send a credential to a wallet.")
    if refusal := _refusal(award):
        raise ValidationError(refusal[1])
    now = timezone.now()
    # A new link replaces the learner's earlier ones: only the newest can be
    # answered, so a link shown on another screen cannot be used later.
    WalletRequest.objects.filter(
        award=award, used_at=None, expires_at__gt=now, created_at__lt=now
    ).update(expires_at=now)
    wallet_request = WalletRequest.objects.create(
        award=award,
        learner_id=award.learner_id,
        challenge=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + request_lifetime(),
    )
    log_action(
        by,
        "award.wallet_request_created",
        wallet_request,
        organization=award.organization,
        award=str(award.uuid),
        expires_at=wallet_request.expires_at.isoformat(),
    )
    return wallet_request


def _check_request(wallet_request: WalletRequest, now: datetime) -> None:
    if wallet_request.is_used:
        raise WalletHandOffError(
            "already-used",
            "This wallet link has been used already. Make a new one on the "
            "credential's page.",
        )
    if wallet_request.expires_at <= now:
        raise WalletHandOffError(
            "expired",
            "This wallet link has expired. Make a new one on the credential's page.",
        )
    if refusal := _refusal(wallet_request.award):
        raise WalletHandOffError(*refusal)


def _copy_status(award: Award, issuer_did: str) -> dict[str, Any]:
    """Status entries for the copy: the award's own when the copy's issuer is the
    one their lists were issued under, so one bit says both; fresh ones otherwise
    (a did:key issuer after a key rotation), kept in step by services/revocation.py."""
    if award.revocation_list_id is None:
        return {"credential_status": award.credential.get("credentialStatus")}
    if award.revocation_list.issuer_did == issuer_did:
        return {"credential_status": award.credential.get("credentialStatus")}
    own: dict[str, Any] = {}
    entries = []
    purposes = [(StatusList.Purpose.REVOCATION, "revocation")]
    if award.suspension_list_id is not None:
        purposes.append((StatusList.Purpose.SUSPENSION, "suspension"))
    for purpose, field in purposes:
        status_list, index = status.assign_status_entry(
            award.organization, issuer_did=issuer_did, purpose=purpose
        )
        own[f"{field}_list"], own[f"{field}_index"] = status_list, index
        entries.append(
            statuslist.entry(
                list_url=status.list_url(status_list), index=index, purpose=purpose
            )
        )
    return {"credential_status": entries[0] if len(entries) == 1 else entries, **own}


def _issue_copy(
    award: Award,
    *,
    holder_did: str,
    wallet_request: WalletRequest,
    now: datetime,
    suite: str,
) -> WalletCredential:
    """Sign the copy in `suite`, the one the wallet signed its presentation
    with: a wallet signs with what it can verify (the Learner Credential
    Wallet's released versions know only Ed25519Signature2020), whatever the
    organization's own format for awards."""
    organization = award.organization
    key = keys.get_signing_key(organization)
    did = keys.issuer_did(key)
    copy_uuid = uuid.uuid4()
    entries = _copy_status(award, did)
    legacy = suite == dataintegrity.ED25519_2020
    credential = dataintegrity.sign_credential(
        openbadges.bind_to_holder(
            award.credential,
            credential_id=f"urn:uuid:{copy_uuid}",
            holder_did=holder_did,
            issuer_id=did,
            data_model="1.1" if legacy else "2.0",
            credential_status=entries.pop("credential_status"),
        ),
        seed=key.open_seed(),
        verification_method=keys.verification_method(key, did=did, suite=suite),
        created=now,
        suite=suite,
    )
    return WalletCredential.objects.create(
        uuid=copy_uuid,
        award=award,
        request=wallet_request,
        holder_did=holder_did,
        signing_key=key,
        credential=credential,
        issued_at=now,
        **entries,
    )


def _hand_over(
    award: Award,
    *,
    wallet_request: WalletRequest,
    holder_did: str,
    suite: str,
    now: datetime,
    via: str,
) -> WalletCredential:
    """Issue the copy for a request, use the request up and record it; the
    caller holds the award's and the request's locks."""
    copy = _issue_copy(
        award,
        holder_did=holder_did,
        wallet_request=wallet_request,
        now=now,
        suite=suite,
    )
    wallet_request.used_at = now
    wallet_request.save(update_fields=["used_at"])
    log_action(
        wallet_request.learner,
        "award.sent_to_wallet",
        copy,
        organization=award.organization,
        award=str(award.uuid),
        holder=holder_did,
        proof=suite,
        via=via,
    )
    return copy


@transaction.atomic
def send_to_proven_holder(
    award: Award,
    *,
    holder_did: str,
    via: str,
    suite: str = dataintegrity.CRYPTOSUITE,
    now: datetime | None = None,
) -> WalletCredential:
    """Issue the award's copy to a DID that a wallet proved it holds through
    another door (the OpenID4VCI credential endpoint, whose proof of possession
    the caller checked), recorded as a wallet request answered at once.

    Raises WalletHandOffError ("revoked", "suspended") and issues nothing when
    the award may not be sent.
    """
    now = now or timezone.now()
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=award.pk)
    )
    if refusal := _refusal(award):
        raise WalletHandOffError(*refusal)
    wallet_request = WalletRequest.objects.create(
        award=award,
        learner_id=award.learner_id,
        challenge=secrets.token_urlsafe(32),
        created_at=now,
        # Answered as it is made: nothing can answer it again.
        expires_at=now + timedelta(seconds=1),
    )
    return _hand_over(
        award,
        wallet_request=wallet_request,
        holder_did=holder_did,
        suite=suite,
        now=now,
        via=via,
    )


def accept_wallet_presentation(
    request_uuid, presentation: Any, *, now: datetime | None = None
) -> WalletCredential:
    """Check a wallet's DID Authentication for one request and issue the award to
    the proven DID; the request is used up only by success.

    Raises WalletHandOffError (nothing stored) when the request is unknown,
    expired or used, the award revoked or suspended, or the presentation does not
    prove the DID for this request's challenge.
    """
    now = now or timezone.now()
    wallet_request = (
        WalletRequest.objects.select_related("award__organization")
        .filter(uuid=request_uuid)
        .first()
    )
    if wallet_request is None:
        raise WalletHandOffError(
            "unknown-request", "There is no wallet request at this address."
        )
    # Cheap refusals first: the signature check costs a JSON-LD expansion.
    _check_request(wallet_request, now)
    try:
        proven = didauth.verify_presentation(
            presentation,
            challenge=wallet_request.challenge,
            domains=site_domains(),
            now=now,
        )
    except didauth.DidAuthError as error:
        raise WalletHandOffError(error.code, error.message) from error
    try:
        with transaction.atomic():
            wallet_request = WalletRequest.objects.select_for_update().get(
                pk=wallet_request.pk
            )
            # Checked again under the lock: a second answer may have won meanwhile,
            # or the award been revoked.
            award = (
                Award.objects.select_for_update(of=("self",))
                .select_related("organization")
                .get(pk=wallet_request.award_id)
            )
            wallet_request.award = award
            _check_request(wallet_request, now)
            copy = _hand_over(
                award,
                wallet_request=wallet_request,
                holder_did=proven.holder,
                suite=proven.proof_type,
                now=now,
                via="dccrequest",
            )
    except IntegrityError as error:
        # The one-to-one on the request: another answer issued first.
        raise WalletHandOffError(
            "already-used", "This wallet link has been used already."
        ) from error
    return copy
