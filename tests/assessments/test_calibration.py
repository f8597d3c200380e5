"""Calibration sets: anchors by a lead, graded by new graders before live work."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import queue, selectors, services
from tests import builders
from tests.assessments.conftest import learners, level_ids


@pytest.fixture
def anchored(cast, task, faculty):
    """Two graded submissions made anchors by faculty[0], the lead."""
    anchors = []
    for learner in learners(cast, 2):
        submission = builders.submit_and_pass(task, learner, faculty[0])
        services.set_anchor(submission, lead=faculty[0], levels=level_ids(task, [2, 3]))
        anchors.append(submission)
    return anchors


def test_a_new_grader_gets_live_work_only_after_calibrating(
    client, cast, task, faculty, anchored
):
    live = builders.submit(task, cast["learner"])
    newcomer = faculty[1]
    assert live not in queue.grading_queue(newcomer)
    assert live in queue.grading_queue(faculty[0])  # the lead needs no calibration
    with pytest.raises(ValidationError, match="calibration set"):
        services.grade_submission(live, grader=newcomer, levels=level_ids(task, [2, 2]))
    client.force_login(newcomer)
    response = client.get(reverse("assessments:grade", args=[live.pk]))
    assert response.url == reverse("assessments:calibration", args=[task.pk])

    services.calibrate(anchored[0], grader=newcomer, levels=level_ids(task, [2, 3]))
    assert live not in queue.grading_queue(newcomer)  # one anchor still to do
    services.calibrate(anchored[1], grader=newcomer, levels=level_ids(task, [0, 2]))
    assert live in queue.grading_queue(newcomer)


def test_the_grader_sees_how_far_their_levels_are_from_the_anchors(
    client, cast, task, faculty, anchored
):
    services.calibrate(anchored[0], grader=faculty[1], levels=level_ids(task, [2, 3]))
    services.calibrate(anchored[1], grader=faculty[1], levels=level_ids(task, [0, 2]))
    report = selectors.calibration_report(task, faculty[1])
    assert report.done == 2
    distances = sorted(d for item in report.items for *_, d, _ in item.rows)
    assert distances == [-2, -1, 0, 0]
    assert report.result.pairs == 4
    assert report.result.exact_percent == 50.0
    assert report.result.adjacent_percent == 75.0
    client.force_login(faculty[1])
    page = client.get(reverse("assessments:calibration", args=[task.pk])).text
    assert "2 levels below" in page
    assert "1 level below" in page
    assert "You may grade live work on this task." in page


def test_calibration_rules(cast, task, faculty, anchored):
    with pytest.raises(ValidationError, match="does not calibrate"):
        services.calibrate(
            anchored[0], grader=faculty[0], levels=level_ids(task, [2, 3])
        )
    waiting = builders.submit(task, cast["other_learner"])
    with pytest.raises(ValidationError, match="Only graded work"):
        services.set_anchor(waiting, lead=faculty[0], levels=level_ids(task, [2, 2]))
    with pytest.raises(ValidationError, match="not a calibration anchor"):
        services.calibrate(waiting, grader=faculty[1], levels=level_ids(task, [2, 2]))
    services.calibrate(anchored[0], grader=faculty[1], levels=level_ids(task, [2, 3]))
    with pytest.raises(ValidationError, match="already final"):
        services.calibrate(
            anchored[0], grader=faculty[1], levels=level_ids(task, [0, 0])
        )
