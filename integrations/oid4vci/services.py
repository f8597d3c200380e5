"""Offering a learner's award to an OpenID4VCI wallet: the pre-authorized-code
offer, the token and nonce a wallet asks for, and the credential it receives
(draft 15; docs/decisions/0019-openid4vci.md).

The credential is the award's wallet copy (credentials/services/wallet.py):
the same signing code, status entries and "Sent to" list as the Learner
Credential Wallet's hand-off, with credentialSubject.id the DID whose key
signed the wallet's proof of possession.
"""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.audit import log_action
from credentials.models import Award
from credentials.services import wallet
from integrations.models import CredentialOffer
from integrations.oid4vci import metadata, proofs

DEEP_LINK = "openid-credential-offer://"
TOKEN_LIFETIME = timedelta(minutes=5)
NONCE_LIFETIME = timedelta(minutes=5)
TX_CODE_LENGTH = 6
# Wrong transaction codes an offer takes before it is withdrawn: a million
# codes cannot be tried five at a time.
MAX_WRONG_TX_CODES = 5
_NONCE_SIGNER = signing.Signer(salt="cairn.oid4vci.c_nonce")


class Oid4vciError(Exception):
    """A refusal in OpenID4VCI's terms: `error` is the spec's code
    (invalid_grant, invalid_proof, invalid_nonce…), `description` plain words."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class OfferLink:
    deep_link: str
    offer_uri: str
    tx_code: str  # empty when the offer asks for none
    expires_at: datetime


def issuer() -> str:
    """The credential issuer identifier: the site's address."""
    return settings.SITE_URL


def _derived(offer: CredentialOffer, purpose: str) -> bytes:
    return salted_hmac(
        f"cairn.oid4vci.{purpose}", offer.uuid.hex, algorithm="sha256"
    ).digest()


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def offer_key(offer: CredentialOffer) -> str:
    """The secret half of the credential_offer_uri."""
    return _b64url(_derived(offer, "offer"))


def pre_authorized_code(offer: CredentialOffer) -> str:
    return _b64url(_derived(offer, "code"))


def tx_code(offer: CredentialOffer) -> str:
    """The transaction code the learner types into the wallet: six digits."""
    number = int.from_bytes(_derived(offer, "tx-code")[:8], "big")
    return f"{number % 10**TX_CODE_LENGTH:0{TX_CODE_LENGTH}d}"


def offer_lifetime() -> timedelta:
    return timedelta(minutes=settings.CAIRN_OID4VCI_OFFER_MINUTES)


def offer_link(offer: CredentialOffer) -> OfferLink:
    """The deep link (also the QR code's content): the offer by reference."""
    path = reverse("oid4vci:offer", args=[offer.uuid, offer_key(offer)])
    offer_uri = f"{settings.SITE_URL}{path}"
    return OfferLink(
        deep_link=f"{DEEP_LINK}?{urlencode({'credential_offer_uri': offer_uri})}",
        offer_uri=offer_uri,
        tx_code=tx_code(offer) if offer.asks_tx_code else "",
        expires_at=offer.expires_at,
    )


def _refusal(award: Award) -> str:
    if award.is_revoked:
        return f"“{award.achievement_name}” has been revoked, so it cannot be sent."
    if award.is_suspended:
        return (
            f"“{award.achievement_name}” is suspended for now, so it cannot be "
            "sent until it is reinstated."
        )
    return ""


def open_offer(award: Award, *, now: datetime | None = None) -> CredentialOffer | None:
    """The learner's latest offer of the award that a wallet can still redeem."""
    now = now or timezone.now()
    return CredentialOffer.objects.filter(
        award=award, redeemed_at=None, expires_at__gt=now
    ).first()


@transaction.atomic
def create_offer(award: Award, *, by, asks_tx_code: bool = True) -> CredentialOffer:
    """A new single-use offer of the award to the learner's wallet app; it
    replaces the learner's earlier open offers of it."""
    award = Award.objects.select_for_update(of=("self",)).get(pk=award.pk)
    if by is None or by.pk != award.learner_id:
        raise ValidationError("Only the learner can add a credential to a wallet app.")
    if refusal := _refusal(award):
        raise ValidationError(refusal)
    now = timezone.now()
    CredentialOffer.objects.filter(
        award=award, redeemed_at=None, expires_at__gt=now
    ).update(expires_at=now)
    offer = CredentialOffer(
        award=award,
        learner_id=award.learner_id,
        asks_tx_code=asks_tx_code,
        created_at=now,
        expires_at=now + offer_lifetime(),
    )
    offer.code_hash = _hash(pre_authorized_code(offer))
    offer.save()
    log_action(
        by,
        "award.wallet_offer_created",
        offer,
        organization=award.organization,
        award=str(award.uuid),
        expires_at=offer.expires_at.isoformat(),
        transaction_code=asks_tx_code,
    )
    return offer


def _still_open(offer: CredentialOffer, now: datetime) -> None:
    if offer.redeemed_at is not None:
        raise Oid4vciError(
            "invalid_grant", "This offer has been used already. Make a new one."
        )
    if offer.expires_at <= now:
        raise Oid4vciError("invalid_grant", "This offer has expired. Make a new one.")


def offer_document(offer_uuid, key: str, *, now: datetime | None = None) -> dict:
    """The credential offer a credential_offer_uri points to (draft 15 4.1.1)."""
    now = now or timezone.now()
    offer = CredentialOffer.objects.filter(uuid=offer_uuid).first()
    if offer is None or not hmac.compare_digest(key, offer_key(offer)):
        raise Oid4vciError("not_found", "There is no offer at this address.", 404)
    try:
        _still_open(offer, now)
    except Oid4vciError as error:
        raise Oid4vciError("gone", error.description, 410) from error
    grant: dict[str, Any] = {"pre-authorized_code": pre_authorized_code(offer)}
    if offer.asks_tx_code:
        grant["tx_code"] = {
            "input_mode": "numeric",
            "length": TX_CODE_LENGTH,
            "description": "The code shown under the QR code on your Cairn page.",
        }
    return {
        "credential_issuer": issuer(),
        "credential_configuration_ids": [metadata.CONFIGURATION_ID],
        "grants": {metadata.GRANT_TYPE: grant},
    }


def new_nonce(*, now: datetime | None = None) -> str:
    """A c_nonce: random, signed, dated; spent by the proof that answers it."""
    now = now or timezone.now()
    return _NONCE_SIGNER.sign(f"{secrets.token_urlsafe(18)}.{int(now.timestamp())}")


def _check_nonce(nonce: str, now: datetime) -> None:
    try:
        value = _NONCE_SIGNER.unsign(nonce)
        made = int(value.rsplit(".", 1)[1])
    except (signing.BadSignature, IndexError, ValueError) as error:
        raise Oid4vciError(
            "invalid_nonce", "The proof's nonce is not one Cairn gave: ask for one."
        ) from error
    if now.timestamp() - made > NONCE_LIFETIME.total_seconds():
        raise Oid4vciError("invalid_nonce", "The proof's nonce has expired: ask again.")
    if CredentialOffer.objects.filter(proof_nonce=nonce).exists():
        raise Oid4vciError(
            "invalid_nonce", "The proof's nonce has been used: ask for a new one."
        )


def _check_tx_code(offer: CredentialOffer, given: Any, now: datetime) -> str:
    """ "" when the code is right (or none is asked); else the refusal, after
    counting the wrong code (the caller saves it)."""
    if not offer.asks_tx_code:
        return ""
    if not isinstance(given, str) or not given:
        raise Oid4vciError(
            "invalid_request",
            "This offer needs the transaction code shown on the learner's page.",
        )
    if hmac.compare_digest(given.encode(), tx_code(offer).encode()):
        return ""
    offer.wrong_tx_codes += 1
    if offer.wrong_tx_codes >= MAX_WRONG_TX_CODES:
        offer.expires_at = now
        return "Wrong transaction code too many times: make a new offer."
    return "Wrong transaction code."


def redeem_code(params: Mapping[str, Any], *, now: datetime | None = None) -> dict:
    """The token endpoint: a pre-authorized code (and its transaction code)
    for an access token, once (draft 15 section 6)."""
    now = now or timezone.now()
    if params.get("grant_type") != metadata.GRANT_TYPE:
        raise Oid4vciError(
            "unsupported_grant_type",
            f"Cairn's wallet offers take only the {metadata.GRANT_TYPE} grant.",
        )
    code = params.get("pre-authorized_code")
    if not isinstance(code, str) or not code:
        raise Oid4vciError("invalid_request", "Send the offer's pre-authorized_code.")
    with transaction.atomic():
        offer = (
            CredentialOffer.objects.select_for_update(of=("self",))
            .select_related("award")
            .filter(code_hash=_hash(code))
            .first()
        )
        if offer is None:
            raise Oid4vciError("invalid_grant", "This pre-authorized code is unknown.")
        _still_open(offer, now)
        if refusal := _refusal(offer.award):
            raise Oid4vciError("invalid_grant", refusal)
        wrong = _check_tx_code(offer, params.get("tx_code"), now)
        if wrong:
            offer.save(update_fields=["wrong_tx_codes", "expires_at"])
        else:
            token = secrets.token_urlsafe(32)
            offer.redeemed_at = now
            offer.token_hash = _hash(token)
            offer.token_expires_at = now + TOKEN_LIFETIME
            offer.save(update_fields=["redeemed_at", "token_hash", "token_expires_at"])
    if wrong:
        raise Oid4vciError("invalid_grant", wrong)
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": int(TOKEN_LIFETIME.total_seconds()),
        # Not in draft 15, which has the nonce endpoint; earlier drafts' wallets
        # read it here, and later ones ignore it.
        "c_nonce": new_nonce(now=now),
        "c_nonce_expires_in": int(NONCE_LIFETIME.total_seconds()),
    }


def _bearer(authorization: str) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Oid4vciError(
            "invalid_token", "Send the access token as 'Authorization: Bearer'.", 401
        )
    return token.strip()


def _offer_for_token(token: str, now: datetime) -> CredentialOffer:
    offer = CredentialOffer.objects.filter(token_hash=_hash(token)).first()
    if offer is None or offer.token_expires_at is None:
        raise Oid4vciError("invalid_token", "This access token is unknown.", 401)
    if offer.delivered_at is not None:
        raise Oid4vciError(
            "invalid_token", "This access token has been used already.", 401
        )
    if offer.token_expires_at <= now:
        raise Oid4vciError("invalid_token", "This access token has expired.", 401)
    return offer


def _proof_jwt(body: dict[str, Any]) -> Any:
    """The one JWT proof of a credential request: draft 15's `proof` or
    1.0's `proofs`."""
    if "proof" in body and "proofs" in body:
        raise Oid4vciError(
            "invalid_credential_request", "Send either proof or proofs, not both."
        )
    if isinstance(body.get("proofs"), dict):
        proofs_by_type = body["proofs"]
        jwts = proofs_by_type.get("jwt")
        if set(proofs_by_type) != {"jwt"} or not isinstance(jwts, list):
            raise Oid4vciError("invalid_proof", "Cairn takes jwt proofs only.")
        if len(jwts) != 1:
            raise Oid4vciError(
                "invalid_credential_request",
                "An offer delivers one credential: send one proof.",
            )
        return jwts[0]
    proof = body.get("proof")
    if proof is None:
        raise Oid4vciError(
            "invalid_proof", "The request has no proof of possession of a key."
        )
    if not isinstance(proof, dict) or proof.get("proof_type") != "jwt":
        raise Oid4vciError("invalid_proof", "Cairn takes jwt proofs only.")
    return proof.get("jwt")


def _check_request(body: Any) -> Any:
    if not isinstance(body, dict):
        raise Oid4vciError(
            "invalid_credential_request", "Send the credential request as JSON."
        )
    if "credential_identifier" in body:
        raise Oid4vciError(
            "unknown_credential_identifier",
            "Cairn names its credential with credential_configuration_id.",
        )
    if body.get("credential_configuration_id") != metadata.CONFIGURATION_ID:
        raise Oid4vciError(
            "unknown_credential_configuration",
            f"Cairn offers {metadata.CONFIGURATION_ID!r} only.",
        )
    return _proof_jwt(body)


def issue_credential(
    authorization: str, body: Any, *, now: datetime | None = None
) -> dict:
    """The credential endpoint: the award's copy bound to the DID whose key
    signed the proof, delivered once (draft 15 section 8)."""
    now = now or timezone.now()
    offer = _offer_for_token(_bearer(authorization), now)
    jwt = _check_request(body)
    try:
        holder = proofs.check_jwt_proof(jwt, audience=issuer(), now=now)
    except proofs.ProofError as error:
        raise Oid4vciError(error.code, error.message) from error
    _check_nonce(holder.nonce, now)
    try:
        with transaction.atomic():
            offer = (
                CredentialOffer.objects.select_for_update(of=("self",))
                .select_related("award")
                .get(pk=offer.pk)
            )
            if offer.delivered_at is not None:  # a second request won meanwhile
                raise Oid4vciError(
                    "invalid_token", "This access token has been used already.", 401
                )
            try:
                copy = wallet.send_to_proven_holder(
                    offer.award, holder_did=holder.did, via="openid4vci", now=now
                )
            except wallet.WalletHandOffError as error:
                raise Oid4vciError(
                    "credential_request_denied", error.message
                ) from error
            offer.delivered_at = now
            offer.wallet_credential = copy
            offer.proof_nonce = holder.nonce
            offer.save(
                update_fields=["delivered_at", "wallet_credential", "proof_nonce"]
            )
    except IntegrityError as error:
        # Another request spent the nonce (or the offer) first.
        raise Oid4vciError(
            "invalid_nonce", "The proof's nonce has been used: ask for a new one."
        ) from error
    return {"credentials": [{"credential": copy.credential}]}
