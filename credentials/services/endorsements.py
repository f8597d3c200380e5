"""Advisory boards' approvals as signed EndorsementCredentials."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import log_action
from credentials import dataintegrity, openbadges, selectors
from credentials.models import Endorsement
from credentials.services import keys
from reviews.models import Review
from reviews.selectors import load_version


@transaction.atomic
def endorse_approved_review(review: Review, *, by, comment: str) -> Endorsement:
    """Sign the organization's endorsement of the version a board approved."""
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": "Say what the board endorses."})
    review = Review.objects.select_related("board__organization").get(pk=review.pk)
    if review.status != Review.Status.APPROVED:
        raise ValidationError("Only a review the board approved can be endorsed.")
    if Endorsement.objects.filter(review=review).exists():
        raise ValidationError("This approval has already been endorsed.")
    organization = review.board.organization
    version = load_version(review.version_type, review.version_id)
    subject_id = f"{settings.SITE_URL}{version.get_absolute_url()}"
    key = keys.get_signing_key(organization)
    did = keys.issuer_did(key)
    now = timezone.now()
    endorsement_uuid = uuid.uuid4()
    credential = dataintegrity.sign_credential(
        openbadges.compose_endorsement(
            openbadges.EndorsementInfo(
                id=f"urn:uuid:{endorsement_uuid}",
                issuer=selectors.issuer_info(organization, did),
                name=f"{review.board.name} endorses {review.version_label}",
                subject_id=subject_id,
                comment=comment,
                valid_from=now,
            )
        ),
        seed=key.open_seed(),
        verification_method=keys.verification_method(key, did=did),
        created=now,
    )
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.create(
                uuid=endorsement_uuid,
                organization=organization,
                review=review,
                subject_id=subject_id,
                comment=comment,
                credential=credential,
                issued_at=now,
                issued_by=by,
            )
    except IntegrityError as error:
        raise ValidationError("This approval has already been endorsed.") from error
    log_action(by, "endorsement.issued", endorsement, organization=organization)
    return endorsement
