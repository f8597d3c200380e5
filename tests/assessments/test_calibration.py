"""Calibration sets: anchors by a lead, graded by new graders before live work."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import queue, selectors, services
from tests import builders
from tests.assessments.conftest import learners, level_ids
from tests.integrations.conftest import bearer, personal_token


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


def test_a_grader_of_another_cohort_grades_the_anchors_then_gets_live_work(
    client, cast, task, faculty
):
    """Every grader of a task grades its anchors before live work, whatever
    their cohorts: faculty[1], of cohort B, must open the anchor a lead made
    of cohort A's work (it was a 404, so they could never grade live work),
    and still sees no other work of cohort A."""
    admin = cast["admin"]
    a = services.create_cohort(cast.organization, by=admin, name="A")
    b = services.create_cohort(cast.organization, by=admin, name="B")
    services.add_to_cohort(a, by=admin, user=cast["learner"], as_role="learner")
    services.add_to_cohort(b, by=admin, user=cast["other_learner"], as_role="learner")
    services.add_to_cohort(a, by=admin, user=faculty[0], as_role="faculty")
    services.add_to_cohort(b, by=admin, user=faculty[1], as_role="faculty")
    anchor = services.submit_evidence(
        task,
        learner=cast["learner"],
        files=[SimpleUploadedFile("notes.txt", b"plain words\n")],
    )
    services.grade_submission(anchor, grader=faculty[0], levels=level_ids(task, [2, 3]))
    services.set_anchor(anchor, lead=faculty[0], levels=level_ids(task, [2, 3]))
    more_of_a = learners(cast, 1)[0]
    services.add_to_cohort(a, by=admin, user=more_of_a, as_role="learner")
    not_an_anchor = builders.submit_and_pass(task, more_of_a, faculty[0])
    live = builders.submit(task, cast["other_learner"])
    assert live not in queue.grading_queue(faculty[1])

    client.force_login(faculty[1])
    page = client.get(reverse("assessments:calibration", args=[task.pk])).text
    url = reverse("assessments:calibration-mark", args=[anchor.pk, "attempt"])
    assert url in page
    assert client.get(url).status_code == 200
    # With its evidence, as the page shows it.
    evidence = reverse("assessments:evidence", args=[anchor.files.get().pk])
    assert evidence in client.get(url).text
    assert b"".join(client.get(evidence).streaming_content) == b"plain words\n"
    # Cohort A's other work is not offered to cohort B as an anchor, nor open.
    other = reverse("assessments:calibration-mark", args=[not_an_anchor.pk, "anchor"])
    assert other not in page
    assert client.get(other).status_code == 404
    assert client.get(other.replace("anchor/", "attempt/")).status_code == 404
    client.force_login(cast["designer"])  # not faculty: not even the anchor
    assert client.get(url).status_code == 404
    assert client.get(evidence).status_code == 404
    client.force_login(faculty[1])
    data = {f"level_{c}": lv for c, lv in level_ids(task, [2, 2]).items()}
    response = client.post(url, data)
    assert response.status_code == 302
    assert anchor.marks.get(role="calibration", grader=faculty[1]).total == 4
    assert live in queue.grading_queue(faculty[1])

    # Through the API alike: a third grader, in no cohort.
    api = bearer(personal_token(faculty[2], "read", "grade"))
    answer = api.post(
        f"/api/submissions/{anchor.pk}/calibration/attempt/",
        {"levels": {str(c): lv for c, lv in level_ids(task, [2, 3]).items()}},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    refused = api.post(
        f"/api/submissions/{anchor.pk}/calibration/anchor/",
        {"levels": {str(c): lv for c, lv in level_ids(task, [2, 3]).items()}},
        format="json",
    )
    assert refused.status_code == 404
