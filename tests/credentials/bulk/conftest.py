import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import MemberNumber
from credentials.services import bulk_awards

HEADER = "email,student_number,achievement,issue_date,narrative,evidence_url,expiry\n"


def upload(text: str | bytes, name: str = "awards.csv") -> SimpleUploadedFile:
    raw = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, raw, content_type="text/csv")


def check(cast, text: str | bytes):
    return bulk_awards.check_bulk_award(
        cast.organization, by=cast["admin"], upload=upload(text)
    )


def award(cast, text: str, capture):
    """Dry run, then the job to the end (tasks run in process)."""
    plan, job = check(cast, text)
    assert not plan.problems, plan.problems
    with capture(execute=True):
        bulk_awards.start_bulk_award(job, by=cast["admin"])
    job.refresh_from_db()
    return job


@pytest.fixture
def numbered(cast):
    MemberNumber.objects.create(
        organization=cast.organization, user=cast["other_learner"], number="S0042"
    )
    return cast
