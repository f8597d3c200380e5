"""Pages each role opens render, with the links to the next step."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services
from curriculum import services as curriculum
from tests import builders
from tests.assessments.conftest import level_ids
from tests.assessments.test_bad_input import PNG


def test_staff_see_the_marking_links_on_a_task(client, cast, task):
    client.force_login(cast["faculty"])
    page = client.get(task.get_absolute_url()).text
    assert reverse("assessments:task-marking", args=[task.pk]) in page
    assert reverse("assessments:calibration", args=[task.pk]) in page
    assert reverse("assessments:rubric-builder", args=[task.pk]) not in page
    client.force_login(cast["learner"])
    page = client.get(task.get_absolute_url()).text
    assert reverse("assessments:task-marking", args=[task.pk]) not in page
    assert "Submit for grading" in page


def test_a_lead_sets_an_anchor_through_the_page(client, cast, task):
    submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    client.force_login(cast["faculty"])
    calibration = client.get(reverse("assessments:calibration", args=[task.pk])).text
    url = reverse("assessments:calibration-mark", args=[submission.pk, "anchor"])
    assert url in calibration
    assert "Set the anchor levels" in client.get(url).text
    data = {f"level_{c}": lv for c, lv in level_ids(task, [2, 2]).items()}
    response = client.post(url, data)
    assert response.status_code == 302
    assert submission.marks.get(role="anchor").total == 4


def test_staff_see_the_marks_behind_a_decided_grade(client, cast, task, faculty):
    services.set_marking_policy(
        task, by=cast["admin"], second_mark_percent=100, borderline_points=None,
        moderation_tolerance=3,
    )  # fmt: skip
    submission = builders.submit(task, cast["learner"])
    services.grade_submission(
        submission, grader=faculty[0], levels=level_ids(task, [3, 3])
    )
    submission.refresh_from_db()
    services.second_mark_submission(
        submission, grader=submission.second_marker, levels=level_ids(task, [3, 2])
    )
    client.force_login(cast["admin"])
    page = client.get(submission.get_absolute_url()).text
    assert "Marks behind the grade" in page
    assert "Second mark (blind)" in page
    client.force_login(cast["learner"])
    page = client.get(submission.get_absolute_url()).text
    assert "Passed with 6 points" in page
    assert "Marks behind the grade" not in page


def test_the_cohort_and_recognition_pages_show_empty_states(client, cast):
    client.force_login(cast["admin"])
    assert "No cohorts yet." in client.get(reverse("assessments:cohorts")).text
    assert "No decisions yet." in client.get(reverse("assessments:recognition")).text
    client.force_login(cast["faculty"])
    page = client.get(reverse("assessments:queue")).text
    assert "Nothing waits for you" in page


@pytest.mark.parametrize("extra_criteria", [0, 4])
def test_the_grading_page_takes_the_same_queries_for_2_or_6_criteria(
    client, cast, extra_criteria, django_assert_max_num_queries
):
    task = builders.make_module(cast, f"GQ-{extra_criteria}", publish=False)
    for n in range(extra_criteria):
        services.add_criterion(task.rubric, by=cast["designer"], name=f"Extra {n}")
    curriculum.publish_version(task.version, by=cast["admin"], changelog="v1")
    submission = services.submit_evidence(
        task, learner=cast["learner"], text="Work",
        files=[SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.png", PNG)],
    )  # fmt: skip
    client.force_login(cast["faculty"])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("assessments:grade", args=[submission.pk]))
    assert response.text.count('class="level-choice"') == 4 * (2 + extra_criteria)
