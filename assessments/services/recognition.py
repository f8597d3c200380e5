"""Recognition of prior learning and of accepted outside credentials."""

from datetime import UTC, datetime, time

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.audit import log_action
from accounts.models import Membership
from accounts.permissions import has_role
from assessments import badgefiles, badgeformats
from assessments.models import ModuleCompletion, RecognitionDecision
from assessments.prerequisites import locked
from assessments.services import notices
from assessments.services.grading import record_completion
from assessments.uploads import check_upload
from curriculum.models import ModuleVersion

Role = Membership.Role
Source = ModuleCompletion.Source
Decision = RecognitionDecision.Decision
ProofStatus = RecognitionDecision.ProofStatus


def _read_credential(
    upload: UploadedFile, learner
) -> tuple[dict, badgefiles.ProofCheck, badgeformats.OpenedFile]:
    limit = 1_048_576  # a badge is a few kilobytes; anything larger is not one
    if upload.size > limit:
        raise ValidationError({"file": f"{upload.name} is too large for a badge."})
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        opened = badgeformats.open_file(data)
        summary = badgefiles.summarize(opened.document)
    except badgefiles.BadgeFileError as error:
        raise ValidationError({"file": str(error)}) from error
    badge = summary.as_dict()
    badge["baked"] = bool(opened.baked)
    if summary.format != "ob3":
        badge["recipient_matches"] = badgefiles.ob2_recipient_matches(
            data, getattr(learner, "email", "")
        )
    return badge, badgefiles.check_opened(opened), opened


def _expiry(badge: dict) -> datetime | None:
    """When the credential says it expires, if it says so readably."""
    value = badge.get("valid_until") or ""
    if value.isdigit():  # Open Badges 1.0 allows Unix seconds
        return datetime.fromtimestamp(int(value), tz=UTC)
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value[:10]) if len(value) >= 10 else None
        moment = datetime.combine(day, time.min) if day else None
    if moment is not None and timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


@transaction.atomic
def record_recognition(
    learner: AbstractBaseUser,
    version: ModuleVersion,
    *,
    by: AbstractBaseUser,
    source: str,
    decision: str,
    reason: str,
    upload: UploadedFile | None = None,
    accept_expired: bool = False,
) -> RecognitionDecision:
    """An admin's decision, kept with its reason and evidence. Accepting records
    the module completion; an outside credential must be an Open Badges file
    whose structure checks out, whose proof does not fail, and which has not
    expired, unless the admin accepts it as expired (`accept_expired`, recorded
    with the decision's reason)."""
    version = ModuleVersion.objects.select_related("module__organization").get(
        pk=version.pk
    )
    organization = version.organization
    errors: dict[str, str] = {}
    if not has_role(by, organization, Role.ADMIN):
        raise ValidationError(
            "Only admins of this organization can recognise learning."
        )
    if version.status != version.Status.PUBLISHED:
        errors["version"] = "Recognise learning against a published version."
    if not has_role(learner, organization, Role.LEARNER):
        errors["learner"] = "The person is not a learner of this organization."
    if source not in (Source.RECOGNITION, Source.EXTERNAL):
        errors["source"] = "Choose prior learning or an outside credential."
    if decision not in Decision.values:
        errors["decision"] = "Accept or decline."
    if not reason.strip():
        errors["reason"] = "Give the reason for the decision."
    if source == Source.EXTERNAL and upload is None:
        errors["file"] = "Upload the outside credential (an Open Badges file)."
    if (
        decision == Decision.ACCEPTED
        and ModuleCompletion.objects.live()
        .filter(learner=learner, version=version)
        .exists()
    ):
        errors["learner"] = "The learner has already completed this module version."
    if not errors and decision == Decision.ACCEPTED:
        blocked = locked(learner, version)
        if blocked is not None:
            errors["learner"] = blocked.for_staff()
    if errors:
        raise ValidationError(errors)
    badge: dict = {}
    proof = badgefiles.ProofCheck(ProofStatus.NONE, "")
    content_type = ""
    if upload is not None and source == Source.EXTERNAL:
        badge, proof, opened = _read_credential(upload, learner)
        content_type = {"png": "image/png", "svg": "image/svg+xml"}.get(
            opened.baked, "application/jwt" if opened.jwt else "application/json"
        )
        if decision == Decision.ACCEPTED and proof.status == ProofStatus.FAILED:
            raise ValidationError(
                {
                    "file": "The credential's signature did not verify; it cannot be "
                    f"accepted. {proof.reason}"
                }
            )
        expires = _expiry(badge)
        if expires is not None and expires <= timezone.now():
            badge["expired"] = True
            if decision == Decision.ACCEPTED and not accept_expired:
                raise ValidationError(
                    {
                        "file": "The credential expired on "
                        f"{formats.date_format(expires, 'DATE_FORMAT')}; it "
                        "counts only if you accept it as expired, with the reason "
                        "in the decision."
                    }
                )
            badge["accepted_expired"] = decision == Decision.ACCEPTED
    elif upload is not None:
        content_type = check_upload(upload).content_type
    completion = None
    if decision == Decision.ACCEPTED:
        completion = record_completion(learner, version, source=source, by=by)
    record = RecognitionDecision.objects.create(
        learner=learner,
        version=version,
        source=source,
        decision=decision,
        reason=reason.strip(),
        file=upload,
        original_name=(upload.name[:255] if upload else ""),
        content_type=content_type,
        badge=badge,
        proof_status=proof.status,
        proof_reason=proof.reason,
        decided_by=by,
        decided_at=timezone.now(),
        completion=completion,
    )
    log_action(
        by,
        f"recognition.{decision}",
        record,
        organization=organization,
        learner=learner.pk,
        source=source,
        proof=proof.status,
        accepted_expired=bool(badge.get("accepted_expired")),
    )
    notices.recognition_decided(record)
    return record
