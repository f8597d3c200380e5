"""Issuing, rendering and checking awards: the one place that changes them."""

import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import ModuleCompletion
from credentials import dataintegrity, openbadges, selectors, tasks
from credentials.certificates import render_certificate_pdf
from credentials.models import Award, SigningKey
from credentials.signals import award_issued
from curriculum.audit import log_action
from curriculum.models import Organization
from pathways.models import PathwayCompletion


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
    seed = dataintegrity.generate_seed()
    try:
        with transaction.atomic():
            key = SigningKey.objects.create(
                organization=organization,
                seed=seed,
                public_multibase=dataintegrity.public_key_multibase(seed),
            )
    except IntegrityError:
        # A concurrent first use made it: the constraint keeps one active key.
        return SigningKey.objects.get(organization=organization, is_active=True)
    log_action(None, "key.created", key, organization=organization)
    return key


def issuer_did(key: SigningKey) -> str:
    if settings.CAIRN_DID_METHOD == "web":
        return dataintegrity.did_web(settings.SITE_URL)
    return dataintegrity.did_key(key.public_multibase)


def verification_method(key: SigningKey) -> str:
    if settings.CAIRN_DID_METHOD == "web":
        return f"{issuer_did(key)}#{key.public_multibase}"
    return dataintegrity.did_key_verification_method(key.public_multibase)


def site_did_document() -> dict:
    """The did:web document of this site: every organization's keys, old ones too."""
    did = dataintegrity.did_web(settings.SITE_URL)
    methods = [
        (f"{did}#{key.public_multibase}", key.public_multibase)
        for key in SigningKey.objects.order_by("pk")
    ]
    return dataintegrity.did_document(did, methods)


def _sign_and_store(
    *,
    kind: str,
    organization: Organization,
    learner,
    achievement: openbadges.AchievementInfo,
    results: tuple[openbadges.AchievedLevel, ...],
    valid_from,
    completion_field: str,
    completion,
) -> Award:
    key = get_signing_key(organization)
    award_uuid = uuid.uuid4()
    info = openbadges.CredentialInfo(
        id=f"urn:uuid:{award_uuid}",
        issuer=openbadges.IssuerInfo(
            id=issuer_did(key),
            name=organization.name,
            url=organization.url or settings.SITE_URL,
            email=organization.email,
        ),
        achievement=achievement,
        recipient=openbadges.RecipientInfo(
            email=learner.email,
            salt=secrets.token_hex(8),
            name=learner.get_full_name() or learner.get_username(),
        ),
        valid_from=valid_from,
        results=results,
    )
    now = timezone.now()
    credential = dataintegrity.sign_credential(
        openbadges.compose_credential(info),
        seed=bytes(key.seed),
        verification_method=verification_method(key),
        created=now,
    )
    try:
        with transaction.atomic():
            award = Award.objects.create(
                uuid=award_uuid,
                kind=kind,
                learner=learner,
                organization=organization,
                achievement_name=achievement.name,
                signing_key=key,
                credential=credential,
                issued_at=now,
                **{completion_field: completion},
            )
    except IntegrityError:
        # The task was delivered twice and the other run won: one award stands.
        return Award.objects.get(**{completion_field: completion})
    log_action(
        None, "award.issued", award, organization=organization, learner=learner.pk
    )
    tasks.render_certificate.delay_on_commit(award.pk)
    transaction.on_commit(lambda: award_issued.send(sender=Award, award_id=award.pk))
    return award


@transaction.atomic
def issue_module_award(completion: ModuleCompletion) -> Award | None:
    """Sign an Open Badges 3.0 credential for a module completion; a repeat
    returns the award already issued. A voided completion gets none."""
    if existing := Award.objects.filter(module_completion=completion).first():
        return existing
    if completion.voided_at:
        return None
    facts = selectors.module_achievement(completion)
    return _sign_and_store(
        kind=Award.Kind.MODULE,
        organization=facts.organization,
        learner=completion.learner,
        achievement=facts.achievement,
        results=facts.results,
        valid_from=completion.completed_at,
        completion_field="module_completion",
        completion=completion,
    )


@transaction.atomic
def issue_pathway_award(completion: PathwayCompletion) -> Award | None:
    if existing := Award.objects.filter(pathway_completion=completion).first():
        return existing
    if completion.voided_at:
        return None
    facts = selectors.pathway_achievement(completion)
    return _sign_and_store(
        kind=Award.Kind.PATHWAY,
        organization=facts.organization,
        learner=completion.learner,
        achievement=facts.achievement,
        results=(),
        valid_from=completion.completed_at,
        completion_field="pathway_completion",
        completion=completion,
    )


def render_certificate(award: Award) -> Award:
    """Render the award's PDF certificate once; a repeat keeps the first."""
    if award.pdf:
        return award
    info = selectors.certificate_info(award)
    pdf = render_certificate_pdf(info)
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        if locked.pdf:
            return locked
        locked.pdf.save(f"{award.uuid}.pdf", ContentFile(pdf), save=False)
        locked.save(update_fields=["pdf"])
    return locked


def sweep_unissued() -> int:
    """Issue what a lost message left behind: completions with no award."""
    count = 0
    for completion in selectors.module_completions_without_award():
        tasks.issue_module_award.delay(completion.pk)
        count += 1
    for completion in selectors.pathway_completions_without_award():
        tasks.issue_pathway_award.delay(completion.pk)
        count += 1
    for award in Award.objects.filter(pdf="").only("pk"):
        tasks.render_certificate.delay(award.pk)
    return count


@dataclass(frozen=True)
class Verification:
    status: str  # "valid", "revoked" or "tampered"
    headline: str
    checks: tuple[tuple[bool, str], ...]

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"


def verify_award(award: Award) -> Verification:
    """Check an award as a stranger would, and say what was found in plain words."""
    signature_ok = dataintegrity.verify_credential(
        award.credential, public_multibase=award.signing_key.public_multibase
    )
    issuer = award.organization.name
    checks = [
        (
            signature_ok,
            f"The credential is signed by {issuer} and has not been changed since."
            if signature_ok
            else "The credential's contents do not match its signature: it has been "
            "altered after it was issued.",
        ),
        (
            not award.is_revoked,
            f"{issuer} has not revoked it."
            if not award.is_revoked
            else f"{issuer} revoked it on {award.revoked_at:%d %B %Y}"
            + (f": {award.revocation_reason}" if award.revocation_reason else "."),
        ),
    ]
    if not signature_ok:
        return Verification(
            "tampered", "Not genuine: this credential has been altered.", tuple(checks)
        )
    if award.is_revoked:
        return Verification(
            "revoked", "Revoked: this credential is no longer valid.", tuple(checks)
        )
    return Verification(
        "valid",
        f"Genuine: {issuer} issued this credential to "
        f"{award.learner.get_full_name() or award.learner.get_username()}.",
        tuple(checks),
    )
