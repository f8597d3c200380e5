"""Erasing a person who asked for it, once an admin confirmed
(docs/decisions/0014-account-lifecycle.md).

The credentials app does it because it is the one app that may reach every
other's data: accounts announces `erasure_confirmed` and this runs (as a task).
Rows that analytics count stay, without what identifies the person: the user
row keeps its key under a pseudonym, submissions and grades keep their
numbers, and the audit trail keeps each fact with the person's name and
address taken out of its details."""

import copy
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.lifecycle import services as lifecycle
from accounts.models import ErasureRequest
from assessments.models import EvidenceFile, RecognitionDecision, Submission
from credentials import dataintegrity, openbadges
from credentials.models import Award
from credentials.services.revocation import revoke_award

REASON = "erasure requested"


def redacted_credential(award: Award) -> dict:
    """The award's stored credential without the person: no name, an e-mail
    hash of nothing they own, no evidence, signed again by the same key so
    that Cairn's own page reads it as "revoked" rather than as tampered with.
    Copies held elsewhere keep the original signature and its status entry,
    which now says revoked."""
    credential = copy.deepcopy(award.credential)
    proof = dataintegrity.first_proof(credential) or {}
    credential.pop("proof", None)
    credential.pop("evidence", None)
    subject = credential.get("credentialSubject", {})
    salt = secrets.token_hex(8)
    subject["identifier"] = [
        {
            "type": "IdentityObject",
            "identityHash": openbadges.identity_hash(secrets.token_hex(16), salt),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": salt,
        }
    ]
    legacy = proof.get("type") == dataintegrity.ED25519_2020
    return dataintegrity.sign_credential(
        credential,
        seed=award.signing_key.open_seed(),
        verification_method=proof["verificationMethod"],
        created=timezone.now(),
        suite=dataintegrity.ED25519_2020 if legacy else dataintegrity.CRYPTOSUITE,
    )


def _delete_after_commit(fields: list) -> None:
    """Files go once the rows that name them are gone for good."""
    for storage, name in fields:
        transaction.on_commit(lambda s=storage, n=name: s.delete(n))


@transaction.atomic
def erase_person(erasure: ErasureRequest) -> ErasureRequest:
    """Revoke the person's credentials, delete their evidence and certificate
    files, blank their own words, and pseudonymise the account. Running it
    again after a failure finishes the job; after success it does nothing."""
    erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if erasure.status == ErasureRequest.Status.DONE:
        return erasure
    if erasure.status != ErasureRequest.Status.CONFIRMED:
        raise ValueError(f"Erasure request {erasure.pk} is not confirmed.")
    user = erasure.user
    files = []
    for award in Award.objects.filter(learner=user).order_by("pk"):
        if not award.is_revoked:
            award = revoke_award(
                award, by=erasure.decided_by, reason=REASON, notify=False
            )
        if award.pdf:
            files.append((award.pdf.storage, award.pdf.name))
        Award.objects.filter(pk=award.pk).update(
            pdf="", pdf_design="", credential=redacted_credential(award)
        )
    evidence = EvidenceFile.objects.filter(submission__learner=user)
    files += [(e.file.storage, e.file.name) for e in evidence if e.file]
    evidence.delete()
    Submission.objects.filter(learner=user).update(text="", link="", links=[])
    for decision in RecognitionDecision.objects.filter(learner=user).exclude(file=""):
        files.append((decision.file.storage, decision.file.name))
    RecognitionDecision.objects.filter(learner=user).update(
        file="", original_name="", content_type=""
    )
    _delete_after_commit(files)
    lifecycle.pseudonymise_account(erasure)
    return lifecycle.finish_erasure(erasure)
