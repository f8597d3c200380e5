"""Calibration through the API: a lead's anchors, a new grader's attempts and
the report of how far their levels are, with faculty tokens."""

import pytest

from accounts.models import AuditEntry
from assessments.models import Mark
from tests import builders
from tests.assessments.conftest import learners, level_ids
from tests.integrations.conftest import bearer, personal_token


def _levels(task, positions) -> dict[str, int]:
    return {str(c): lv for c, lv in level_ids(task, positions).items()}


@pytest.fixture
def graded(cast, task, faculty):
    return [
        builders.submit_and_pass(task, learner, faculty[0])
        for learner in learners(cast, 2)
    ]


def test_a_lead_sets_anchors_and_a_grader_calibrates(task, faculty, graded):
    lead = bearer(personal_token(faculty[0], "read", "grade", name="lead-tool"))
    for submission in graded:
        answer = lead.post(
            f"/api/submissions/{submission.pk}/calibration/anchor/",
            {"levels": _levels(task, [2, 3])},
            format="json",
        )
        assert answer.status_code == 201, answer.json()
        assert answer.json()["role"] == Mark.Role.ANCHOR
    entry = AuditEntry.objects.filter(action="calibration.anchor_set").first()
    assert entry.data["via"].startswith("token lead-tool (")

    grader = bearer(personal_token(faculty[1], "read", "grade"))
    report = grader.get(f"/api/tasks/{task.pk}/calibration/").json()
    assert report["calibrated"] is False
    assert report["done"] == 0
    assert [a["graded"] for a in report["anchors"]] == [False, False]

    for submission, positions in zip(graded, ([2, 3], [0, 2]), strict=True):
        answer = grader.post(
            f"/api/submissions/{submission.pk}/calibration/attempt/",
            {"levels": _levels(task, positions), "comment": "Close call."},
            format="json",
        )
        assert answer.status_code == 201, answer.json()
    report = grader.get(f"/api/tasks/{task.pk}/calibration/").json()
    assert report["calibrated"] is True
    assert report["done"] == 2
    distances = sorted(r["distance"] for a in report["anchors"] for r in a["criteria"])
    assert distances == [-2, -1, 0, 0]


def test_bad_calibration_marks_are_400s_that_change_nothing(
    cast, task, faculty, graded
):
    lead = bearer(personal_token(faculty[0], "read", "grade"))
    waiting = builders.submit(task, cast["learner"])
    marks = Mark.objects.count()
    refused = [
        # Not graded yet, so no anchor.
        lead.post(
            f"/api/submissions/{waiting.pk}/calibration/anchor/",
            {"levels": _levels(task, [1, 1])},
            format="json",
        ),
        # Not an anchor, so nothing to calibrate on.
        lead.post(
            f"/api/submissions/{graded[0].pk}/calibration/attempt/",
            {"levels": _levels(task, [1, 1])},
            format="json",
        ),
        # A criterion left out, and ids that are not numbers.
        lead.post(
            f"/api/submissions/{graded[0].pk}/calibration/anchor/",
            {"levels": dict(list(_levels(task, [1, 1]).items())[:1])},
            format="json",
        ),
        lead.post(
            f"/api/submissions/{graded[0].pk}/calibration/anchor/",
            {"levels": {"first": 1}},
            format="json",
        ),
    ]
    assert [r.status_code for r in refused] == [400] * 4, [r.json() for r in refused]
    assert Mark.objects.count() == marks


def test_no_one_else_calibrates(cast, task, faculty, graded):
    lead = bearer(personal_token(faculty[0]))
    body = {"levels": _levels(task, [2, 3])}
    url = f"/api/submissions/{graded[0].pk}/calibration/anchor/"
    marks = Mark.objects.count()
    for user in (cast["designer"], cast["learner"], cast["outside_faculty"]):
        api = bearer(personal_token(user))
        assert api.post(url, body, format="json").status_code in (403, 404)
        report = api.get(f"/api/tasks/{task.pk}/calibration/")
        assert report.status_code in (403, 404)
    no_grade = bearer(personal_token(faculty[0], "read", "admin", "issue"))
    assert no_grade.post(url, body, format="json").status_code == 403
    assert Mark.objects.count() == marks
    assert lead.post(url, body, format="json").status_code == 201
