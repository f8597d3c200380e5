import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services as assessments
from credentials.models import Award
from tests import builders

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
    b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def graded(cast, pathway, django_capture_on_commit_callbacks):
    """The learner's graded work with an evidence file, and the award it earned
    (issued, with its PDF, through the real path)."""
    learner = cast["learner"]
    task = pathway.tasks[0]
    with django_capture_on_commit_callbacks(execute=True):
        submission = assessments.submit_evidence(
            task,
            learner=learner,
            text="My spreadsheet and its chart.",
            links=["https://example.org/my-work"],
            files=[SimpleUploadedFile("chart.png", PNG)],
        )
        assessments.grade_submission(
            submission,
            grader=cast["faculty"],
            levels=builders.levels_for(task, 2),
            comment="Good work, clear chart.",
        )
    submission.refresh_from_db()
    return submission, Award.objects.get(learner=learner)
