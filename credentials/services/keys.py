"""Issuer keys and DIDs: making, rotating and retiring an organization's keys."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Organization
from credentials import dataintegrity, keystore
from credentials.models import IssuerProfile, SigningKey


def _new_key(organization: Organization) -> SigningKey:
    seed = dataintegrity.generate_seed()
    public_multibase = dataintegrity.public_key_multibase(seed)
    return SigningKey.objects.create(
        organization=organization,
        encrypted_seed=keystore.seal_seed(seed, public_multibase=public_multibase),
        public_multibase=public_multibase,
    )


@transaction.atomic
def get_signing_key(organization: Organization) -> SigningKey:
    """The organization's active key, made on first use."""
    key = (
        SigningKey.objects.select_for_update()
        .filter(organization=organization, is_active=True)
        .first()
    )
    if key:
        return key
    try:
        with transaction.atomic():
            key = _new_key(organization)
    except IntegrityError:
        # A concurrent first use made it: the constraint keeps one active key.
        return SigningKey.objects.get(organization=organization, is_active=True)
    log_action(None, "key.created", key, organization=organization)
    return key


@transaction.atomic
def rotate_signing_key(organization: Organization, *, by) -> SigningKey:
    """Retire the active key and make a new one; the old one keeps verifying."""
    now = timezone.now()
    retired = (
        SigningKey.objects.select_for_update()
        .filter(organization=organization, is_active=True)
        .first()
    )
    if retired is not None:
        retired.is_active = False
        retired.retired_at = now
        retired.save(update_fields=["is_active", "retired_at"])
    key = _new_key(organization)
    log_action(
        by,
        "key.rotated",
        key,
        organization=organization,
        retired=retired.public_multibase if retired else None,
    )
    return key


def check_compromise(key: SigningKey, *, since: datetime, reason: str) -> None:
    """Raise ValidationError (by field) if the compromise cannot be recorded."""
    errors = {}
    if key.is_compromised:
        errors["since"] = "This key is already marked compromised."
    if since.tzinfo is None:
        errors["since"] = "Give the moment with a time zone."
    elif since > timezone.now():
        errors["since"] = "The compromise cannot start in the future."
    if not reason.strip():
        errors["reason"] = "Say what happened: the audit log keeps it."
    if errors:
        raise ValidationError(errors)


def organization_did(organization: Organization) -> str:
    """did:web of the organization, served at its issuer page's did.json."""
    path = reverse("credentials:issuer", args=[organization.slug]).rstrip("/")
    return dataintegrity.did_web(f"{settings.SITE_URL}{path}")


def current_issuer_did(organization: Organization) -> str | None:
    """The DID the organization issues under now: its did:web, or under did:key
    its active key's (None before its first key is made)."""
    if settings.CAIRN_DID_METHOD == "web":
        return organization_did(organization)
    key = SigningKey.objects.filter(organization=organization, is_active=True).first()
    return issuer_did(key) if key else None


def site_did() -> str:
    return dataintegrity.did_web(settings.SITE_URL)


def issuer_did(key: SigningKey) -> str:
    if settings.CAIRN_DID_METHOD == "web":
        return organization_did(key.organization)
    return dataintegrity.did_key(key.public_multibase)


# Under did:web, an organization on eddsa-rdfc-2022 lists each key twice: as a
# Multikey ("#<key>") and, for what it signs with Ed25519Signature2020 (wallet
# copies for wallets that verify only that suite), as an
# Ed25519VerificationKey2020 ("#ed25519-2020-<key>"), the only type that suite
# accepts. An organization on Ed25519Signature2020 lists each key once, typed
# Ed25519VerificationKey2020, which Data Integrity verifiers accept too.
ED25519_2020_FRAGMENT = "ed25519-2020-"


def _signs_ed25519_2020(organization: Organization) -> bool:
    return (
        IssuerProfile.objects.filter(organization=organization)
        .values_list("proof_format", flat=True)
        .first()
        == dataintegrity.ED25519_2020
    )


def verification_method(
    key: SigningKey, *, did: str | None = None, suite: str = dataintegrity.CRYPTOSUITE
) -> str:
    """The verification method a proof in `suite` names for the key."""
    did = did or issuer_did(key)
    if did.startswith("did:key:"):
        return dataintegrity.did_key_verification_method(key.public_multibase)
    if (
        suite == dataintegrity.ED25519_2020
        and did == organization_did(key.organization)
        and not _signs_ed25519_2020(key.organization)
    ):
        return f"{did}#{ED25519_2020_FRAGMENT}{key.public_multibase}"
    return f"{did}#{key.public_multibase}"


def sign_credential(
    key: SigningKey,
    credential: dict,
    *,
    did: str,
    created,
    suite: str = dataintegrity.CRYPTOSUITE,
) -> dict:
    """The credential signed with `key` as `did` (the one signer every part of
    Cairn uses: awards, status lists, the VC API's issuer). Raises what
    dataintegrity.sign_credential raises for a credential it will not sign."""
    return dataintegrity.sign_credential(
        credential,
        seed=key.open_seed(),
        verification_method=verification_method(key, did=did),
        created=created,
        suite=suite,
    )


def sign_for_storage(
    key: SigningKey,
    credential: dict,
    *,
    did: str,
    entries,
    created,
    suite: str = dataintegrity.CRYPTOSUITE,
) -> dict:
    """Sign `credential` with the organization's `key`, carrying its reserved
    status `entries` (status.StatusEntries), and return the fields a stored
    credential keeps of it (an Award, the VC API's IssuedCredential): the
    signed document, the key, when, and where its status bits are."""
    signed = sign_credential(
        key,
        {**credential, "credentialStatus": entries.credential_status},
        did=did,
        created=created,
        suite=suite,
    )
    return {
        "credential": signed,
        "signing_key": key,
        "issued_at": created,
        "revocation_list": entries.revocation_list,
        "revocation_index": entries.revocation_index,
        "suspension_list": entries.suspension_list,
        "suspension_index": entries.suspension_index,
    }


def organization_did_document(organization: Organization) -> dict:
    """The organization's did:web document: current and past keys, newest first.

    Retired and compromised keys stay listed: what they signed before retiring
    (or before the compromise) must keep verifying; what a compromised key
    signed after it is revoked through the status lists.
    """
    did = organization_did(organization)
    keys = SigningKey.objects.filter(organization=organization).order_by(
        "-is_active", "-created_at", "-pk"
    )
    methods = [(f"#{key.public_multibase}", key.public_multibase) for key in keys]
    if _signs_ed25519_2020(organization):
        return dataintegrity.did_document(
            did, methods, key_type=dataintegrity.ED25519_2020_KEY_TYPE
        )
    methods += [
        (
            f"#{ED25519_2020_FRAGMENT}{key.public_multibase}",
            key.public_multibase,
            dataintegrity.ED25519_2020_KEY_TYPE,
        )
        for key in keys
    ]
    return dataintegrity.did_document(did, methods)


def site_did_document() -> dict:
    """The did:web document of the site itself, for credentials issued under it
    before each organization had its own DID: every key, old ones too."""
    did = site_did()
    methods = [
        (f"#{key.public_multibase}", key.public_multibase)
        for key in SigningKey.objects.order_by("pk")
    ]
    return dataintegrity.did_document(did, methods)
