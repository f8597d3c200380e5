"""Erasing a person who asked for it, once an admin confirmed
(docs/decisions/0014-account-lifecycle.md).

The credentials app does it because it is the one app that may reach every
other's data: accounts announces `erasure_confirmed` and this runs (as a task).
Rows that analytics count stay, without what identifies the person: the user
row keeps its key under a pseudonym, submissions and grades keep their
numbers, and the audit trail keeps each fact with the person's name and
address taken out of its details."""

from django.db import transaction

from accounts.lifecycle import services as lifecycle
from accounts.models import ErasureRequest
from assessments.models import EvidenceFile, RecognitionDecision, Submission
from credentials.models import Award
from credentials.services.status import revoke_award

REASON = "erasure requested"


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
            Award.objects.filter(pk=award.pk).update(pdf="", pdf_design="")
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
