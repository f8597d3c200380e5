"""A learner's whole record as a signed CLR 2.0 credential, and their choices."""

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from credentials import clr, dataintegrity, openbadges
from credentials.models import Award
from credentials.services import keys
from curriculum.models import Organization
from pathways import rules


def learner_clr(learner, organization: Organization) -> dict:
    """Sign a ClrCredential of the learner's standing awards from one issuer."""
    awards = list(
        Award.objects.filter(
            learner=learner, organization=organization, revoked_at__isnull=True
        )
        .select_related("module_completion__version__module", "pathway_completion")
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
        issuer=openbadges.IssuerInfo(
            id=did,
            name=organization.name,
            url=organization.url or settings.SITE_URL,
            email=organization.email,
        ),
        name=f"Comprehensive Learner Record of "
        f"{learner.get_full_name() or learner.get_username()} at {organization.name}",
        recipient=openbadges.RecipientInfo(
            email=learner.email,
            salt=secrets.token_hex(8),
            name=learner.get_full_name() or learner.get_username(),
        ),
        valid_from=now,
        credentials=tuple(award.credential for award in awards),
        associations=tuple(associations),
    )
    return dataintegrity.sign_credential(
        clr.compose_clr(info),
        seed=key.open_seed(),
        verification_method=keys.verification_method(key, did=did),
        created=now,
    )


def set_award_visibility(award: Award, *, is_public: bool) -> Award:
    """The learner's choice: listed on their public record page or not."""
    award.is_public = is_public
    award.save(update_fields=["is_public"])
    return award
