"""A learner's whole record as a signed CLR 2.0 credential, and their choices."""

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Organization
from credentials import clr, dataintegrity, openbadges, selectors
from credentials.models import Award
from credentials.services import keys
from pathways import rules


def learner_clr(learner, organization: Organization) -> dict:
    """Sign a ClrCredential of the learner's standing awards from one issuer."""
    awards = list(
        Award.objects.filter(
            learner=learner, organization=organization, revoked_at__isnull=True
        )
        .select_related(
            "module_completion__version__module", "pathway_completion", "signing_key"
        )
        .order_by("issued_at", "pk")
    )
    if not awards:
        raise ValidationError(f"You hold no credentials from {organization.name}.")
    module_ids = {
        award.module_completion.version.module.code: award.credential[
            "credentialSubject"
        ]["achievement"]["id"]
        for award in awards
        if award.module_completion_id
    }
    associations = []
    for award in awards:
        if not award.pathway_completion_id:
            continue
        pathway_id = award.credential["credentialSubject"]["achievement"]["id"]
        for code in rules.module_codes(award.pathway_completion.version.rule):
            if code in module_ids:
                associations.append(clr.Association(module_ids[code], pathway_id))
    key = keys.get_signing_key(organization)
    did = keys.issuer_did(key)
    now = timezone.now()
    info = clr.ClrInfo(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=selectors.issuer_info(organization, did),
        name=f"Comprehensive Learner Record of "
        f"{learner.get_full_name() or learner.get_username()} at {organization.name}",
        recipient=openbadges.RecipientInfo(
            email=learner.email,
            salt=secrets.token_hex(8),
            name=learner.get_full_name() or learner.get_username(),
        ),
        valid_from=now,
        credentials=tuple(_on_data_model_2(award, now=now) for award in awards),
        associations=tuple(associations),
    )
    return dataintegrity.sign_credential(
        clr.compose_clr(info),
        seed=key.open_seed(),
        verification_method=keys.verification_method(key, did=did),
        created=now,
    )


def _on_data_model_2(award: Award, *, now) -> dict:
    """The award's credential as CLR 2.0 embeds it: on VC Data Model 2.0.

    An organization that issues Ed25519Signature2020 on VC 1.1 (for older
    wallets) has those credentials restated on 2.0 for the record, with the same
    id, claims and status entries, signed with eddsa-rdfc-2022 by the key its
    status lists answer to: the organization's current key under did:web, the
    award's own key under did:key (each did:key is its own issuer, and its lists
    are signed by it too). A did:key that was reported compromised gives way to
    the current key, whose DID the award's lists do not name, so a verifier
    cannot read that copy's status: did:key is for the demo (decision 0002).
    """
    credential = award.credential
    if credential.get("@context", [None])[0] != openbadges.VC_V1_CONTEXT:
        return credential
    key = award.signing_key
    if settings.CAIRN_DID_METHOD == "web" or key.is_compromised:
        key = keys.get_signing_key(award.organization)
    did = keys.issuer_did(key)
    return dataintegrity.sign_credential(
        openbadges.restate(
            credential,
            credential_id=credential["id"],
            issuer_id=did,
            credential_status=credential.get("credentialStatus"),
        ),
        seed=key.open_seed(),
        verification_method=keys.verification_method(key, did=did),
        created=now,
    )


def set_award_visibility(award: Award, *, is_public: bool) -> Award:
    """The learner's choice: listed on their public record page or not."""
    award.is_public = is_public
    award.save(update_fields=["is_public"])
    return award
