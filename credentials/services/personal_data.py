"""Everything Cairn holds about a person, as one ZIP archive (the right of
access and to data portability). It lives in the credentials app because it
reads every app's data; accounts, at the bottom, may read none of them.

The archive is written while it is sent: each part goes out as soon as it is
compressed, so a learner with gigabytes of evidence costs the server one
file's buffer, not the archive (zipfile writes data descriptors when the
output cannot seek)."""

import json
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from accounts.models import AccountPreferences, Membership
from assessments.models import ModuleCompletion, RecognitionDecision, Submission
from credentials.models import Award
from credentials.services.rendering import certificate_for_download
from pathways.models import Enrolment, PathwayCompletion

CHUNK = 64 * 1024

README = """Your data from Cairn, exported {when}.

profile.json          your account: names, e-mail addresses and whether each is
                      verified, memberships and roles, preferences, connected
                      identity providers
enrolments.json       the pathways you are enrolled in and those you completed
completions.json      the modules you completed, and how
submissions/N/        each piece of work you submitted (submission.json: your
                      text and links, the grade and the feedback on it once it
                      is decided) and its evidence files under evidence/
recognition.json      decisions on your prior learning, with their files under
                      recognition/
credentials/          each credential issued to you: UUID.json is the signed
                      Open Badges 3.0 credential (check it at any verifier),
                      UUID.pdf its certificate
"""


class _Pipe:
    """A write-only file whose contents are taken out as they arrive."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _json(data: Any) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")


def profile(user: AbstractBaseUser) -> dict:
    preferences = AccountPreferences.objects.filter(user=user).first()
    return {
        "username": user.username,
        "given_name": user.first_name,
        "family_name": user.last_name,
        "email": user.email,
        "joined_at": _when(user.date_joined),
        "last_login_at": _when(user.last_login),
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user)
        ],
        "memberships": [
            {"organization": m.organization.name, "role": m.role}
            for m in Membership.objects.filter(user=user).select_related("organization")
        ],
        "preferences": {
            "language": preferences.language,
            "email_on_credentials": preferences.email_on_credentials,
            "email_on_reviews": preferences.email_on_reviews,
        }
        if preferences
        else None,
        "identity_providers": [
            {"provider": s.provider, "uid": s.uid, "connected_at": _when(s.date_joined)}
            for s in SocialAccount.objects.filter(user=user)
        ],
    }


def enrolments(user: AbstractBaseUser) -> dict:
    return {
        "enrolments": [
            {"pathway": str(e.version), "enrolled_at": _when(e.enrolled_at)}
            for e in Enrolment.objects.filter(learner=user).select_related(
                "version__pathway"
            )
        ],
        "pathway_completions": [
            {
                "pathway": str(c.version),
                "completed_at": _when(c.completed_at),
                "expires_at": _when(c.expires_at),
                "voided_at": _when(c.voided_at),
            }
            for c in PathwayCompletion.objects.filter(learner=user).select_related(
                "version__pathway"
            )
        ],
    }


def completions(user: AbstractBaseUser) -> list[dict]:
    return [
        {
            "module": str(c.version),
            "source": c.get_source_display(),
            "completed_at": _when(c.completed_at),
            "voided_at": _when(c.voided_at),
        }
        for c in ModuleCompletion.objects.filter(learner=user).select_related(
            "version__module"
        )
    ]


def _grade(submission: Submission) -> dict | None:
    grade = getattr(submission, "grade", None)
    if grade is None or submission.status in Submission.PENDING:
        return None  # the learner sees no marks while a decision is pending
    return {
        "total": grade.total,
        "passed": grade.passed,
        "feedback": grade.comment,
        "graded_at": _when(grade.graded_at),
        "changed_at": _when(grade.changed_at),
        "change_reason": grade.change_reason,
        "criteria": [
            {
                "criterion": c.criterion.name,
                "level": c.level.name,
                "points": c.level.points,
                "feedback": c.comment,
            }
            for c in grade.criteria.all()
        ],
    }


def submission_record(submission: Submission) -> dict:
    return {
        "task": submission.task.title,
        "module": str(submission.task.version),
        "attempt": submission.attempt,
        "status": submission.get_status_display(),
        "text": submission.text,
        "links": submission.links or ([submission.link] if submission.link else []),
        "submitted_at": _when(submission.submitted_at),
        "evidence": [f.original_name for f in submission.files.all()],
        "grade": _grade(submission),
    }


def _copy(archive: zipfile.ZipFile, pipe: _Pipe, name: str, field) -> Iterator[bytes]:
    with field.open("rb") as source, archive.open(name, "w") as target:
        while chunk := source.read(CHUNK):
            target.write(chunk)
            yield pipe.take()


def _safe(name: str) -> str:
    return name.replace("/", "_").replace("\\", "_").lstrip(".") or "file"


def personal_data_archive(user: AbstractBaseUser) -> Iterator[bytes]:
    """The ZIP archive of everything Cairn holds about `user`, in pieces."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def put(name: str, data: bytes) -> bytes:
            archive.writestr(name, data)
            return pipe.take()

        yield put("README.txt", README.format(when=timezone.now()).encode("utf-8"))
        yield put("profile.json", _json(profile(user)))
        yield put("enrolments.json", _json(enrolments(user)))
        yield put("completions.json", _json(completions(user)))
        submissions = (
            Submission.objects.filter(learner=user)
            .exclude(status=Submission.Status.DRAFT)
            .select_related("task__version__module", "grade")
            .prefetch_related(
                "files", "grade__criteria__criterion", "grade__criteria__level"
            )
            .order_by("pk")
        )
        for submission in submissions:
            folder = f"submissions/{submission.pk}"
            yield put(f"{folder}/submission.json", _json(submission_record(submission)))
            for evidence in submission.files.all():
                name = (
                    f"{folder}/evidence/{evidence.pk}-{_safe(evidence.original_name)}"
                )
                yield from _copy(archive, pipe, name, evidence.file)
        decisions = RecognitionDecision.objects.filter(learner=user).select_related(
            "version__module"
        )
        yield put(
            "recognition.json",
            _json(
                [
                    {
                        "module": str(d.version),
                        "decision": d.get_decision_display(),
                        "reason": d.reason,
                        "file": d.original_name or None,
                    }
                    for d in decisions
                ]
            ),
        )
        for decision in decisions:
            if decision.file:
                name = f"recognition/{decision.pk}-{_safe(decision.original_name)}"
                yield from _copy(archive, pipe, name, decision.file)
        for award in Award.objects.filter(learner=user).order_by("issued_at", "pk"):
            yield put(f"credentials/{award.uuid}.json", _json(award.credential))
            award = certificate_for_download(award)  # rendered if never asked for
            if award.pdf:
                yield from _copy(
                    archive, pipe, f"credentials/{award.uuid}.pdf", award.pdf
                )
    yield pipe.take()
