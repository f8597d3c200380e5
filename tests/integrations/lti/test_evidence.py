"""A completion recorded from a learning platform's grade carries the LMS as
its evidence, and the credential issued for it names the platform, the course,
the line item and the score."""

import json

from jsonschema import Draft201909Validator

from assessments.models import ModuleCompletion
from credentials import evidence as registered_evidence
from credentials import services as credential_services
from credentials.models import Award
from tests import builders
from tests.credentials.conftest import SCHEMA_PATH
from tests.integrations.lti.conftest import sync, teach


def _completed(cast, client, platform, capture, *, score=85):
    task = builders.make_module(cast, "A-101")
    quiz = platform.add_line_item("quiz-1", "Spreadsheet quiz")
    platform.add_member("student-1", name="Sam Ray", email="sam@example.edu")
    context = teach(client, platform, capture)
    with capture(execute=True):
        client.post(
            f"/integrations/lti/courses/{context.pk}/",
            {"module": task.version.module_id, "line_items": [quiz], "min_percent": 80},
        )
    platform.post_score(quiz, "student-1", score)
    with capture(execute=True):
        sync(context)
    return context, ModuleCompletion.objects.get()


def test_a_completion_from_a_grade_has_the_lms_as_its_source(
    cast, client, platform, django_capture_on_commit_callbacks
):
    _, completion = _completed(
        cast, client, platform, django_capture_on_commit_callbacks
    )
    assert completion.source == ModuleCompletion.Source.LMS
    assert completion.lti_evidence.scores


def test_the_credential_names_platform_course_line_item_and_score(
    cast, client, platform, django_capture_on_commit_callbacks
):
    context, completion = _completed(
        cast, client, platform, django_capture_on_commit_callbacks, score=87.5
    )
    award = Award.objects.get(module_completion=completion)
    [entry] = award.credential["evidence"]
    assert entry["genre"] == "Grade in a learning platform"
    assert entry["name"] == (
        f"Grade in a learning platform: {context.title} on Loopback LMS"
    )
    narrative = entry["narrative"]
    assert "Loopback LMS" in narrative
    assert platform.issuer in narrative
    assert f"“{context.title}”" in narrative
    assert "“Spreadsheet quiz”: 87.5 %" in narrative
    assert completion.lti_evidence.recorded_at.date().isoformat() in narrative
    assert credential_services.verify_award(award).status == "valid"
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft201909Validator(schema).validate(award.credential)


def test_a_source_without_a_describer_has_no_evidence(
    cast, client, platform, django_capture_on_commit_callbacks
):
    _, completion = _completed(
        cast, client, platform, django_capture_on_commit_callbacks
    )
    completion.source = ModuleCompletion.Source.EXTERNAL
    assert registered_evidence.describe(completion) == ()
    completion.source = ModuleCompletion.Source.LMS
    [entry] = registered_evidence.describe(completion)
    assert entry.genre == "Grade in a learning platform"
