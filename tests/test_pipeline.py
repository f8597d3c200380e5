"""The thin path through every app, with tasks run in process."""

import pytest
from django.utils import timezone
from pypdf import PdfReader

from assessments import services as assessment_services
from assessments.models import ModuleCompletion
from credentials import services as credential_services
from credentials.models import Award
from pathways import services as pathway_services
from pathways.models import PathwayCompletion
from pathways.selectors.progress import learner_progress
from tests import builders


@pytest.fixture
def enrolled(cast, pathway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pathway_services.enrol(cast["learner"], pathway.version)
    return pathway


def test_passing_every_module_issues_module_and_pathway_awards_with_pdfs(
    cast, enrolled, django_capture_on_commit_callbacks
):
    learner = cast["learner"]
    for task in enrolled.tasks:
        with django_capture_on_commit_callbacks(execute=True):
            builders.submit_and_pass(task, learner, cast["faculty"])

    assert ModuleCompletion.objects.live().filter(learner=learner).count() == 3
    completion = PathwayCompletion.objects.get(learner=learner)
    assert set(completion.trace["met"]) == {"A-101", "B-102", "C-103"}
    awards = Award.objects.filter(learner=learner)
    assert sorted(a.kind for a in awards) == ["module"] * 3 + ["pathway"]
    assert all(a.notified_at and not a.pdf for a in awards)  # PDFs: when asked
    pathway_award = credential_services.certificate_for_download(
        awards.get(kind="pathway")
    )
    reader = PdfReader(pathway_award.pdf.path)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Data pathway" in text
    assert credential_services.verify_award(pathway_award).status == "valid"


def test_a_failing_grade_records_no_completion(
    cast, enrolled, django_capture_on_commit_callbacks
):
    task = enrolled.tasks[0]
    submission = builders.submit(task, cast["learner"])
    with django_capture_on_commit_callbacks(execute=True):
        grade = assessment_services.grade_submission(
            submission, grader=cast["faculty"], levels=builders.levels_for(task, 0)
        )
    assert grade.passed is False
    assert not ModuleCompletion.objects.exists()
    assert not Award.objects.exists()


def test_two_of_three_modules_is_progress_not_completion(
    cast, enrolled, django_capture_on_commit_callbacks
):
    for task in enrolled.tasks[:2]:
        with django_capture_on_commit_callbacks(execute=True):
            builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    [progress] = learner_progress(cast["learner"], on=timezone.now())
    assert (progress.evaluation.done, progress.evaluation.required) == (2, 3)
    assert [s.done for s in progress.steps] == [True, True, False]
    assert progress.next_step.code == "C-103"
    assert not PathwayCompletion.objects.exists()
    assert Award.objects.filter(kind="module").count() == 2
