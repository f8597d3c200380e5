"""Agreement per task, criterion and grader, from real second marks."""

from django.urls import reverse

from assessments import selectors, services
from tests import builders
from tests.assessments.conftest import learners, level_ids


def test_the_report_pairs_first_and_second_marks_per_criterion(
    client, cast, task, faculty
):
    services.set_marking_policy(
        task, by=cast["admin"], second_mark_percent=100, borderline_points=None,
        moderation_tolerance=6,
    )  # fmt: skip
    # (first marker's levels, second marker's levels) for three submissions.
    marks = [((3, 3), (3, 2)), ((2, 1), (2, 1)), ((1, 0), (3, 0))]
    for learner, (first, second) in zip(learners(cast, 3), marks, strict=True):
        submission = builders.submit(task, learner)
        services.grade_submission(
            submission, grader=faculty[0], levels=level_ids(task, first)
        )
        submission.refresh_from_db()
        services.second_mark_submission(
            submission, grader=submission.second_marker, levels=level_ids(task, second)
        )
    report = selectors.agreement_report(task)
    # Six pairs: (3,3) (3,2) (2,2) (1,1) (1,3) (0,0); exact 4, adjacent 5.
    assert report.overall.pairs == 6
    assert report.overall.exact_percent == round(4 / 6 * 100, 1)
    assert report.overall.adjacent_percent == round(5 / 6 * 100, 1)
    accuracy, communication = report.by_criterion
    assert (accuracy.label, accuracy.result.pairs) == ("Accuracy", 3)
    assert accuracy.result.exact_percent == round(2 / 3 * 100, 1)
    assert communication.result.adjacent_percent == 100.0
    by_grader = {row.label: row.result.pairs for row in report.by_grader}
    first_name = faculty[0].get_full_name()
    assert by_grader[first_name] == 6
    assert sum(by_grader.values()) == 12  # each pair counts for both graders
    # Kappa by hand over levels 0..3: pairs (a, b) = (3,3) (3,2) (2,2) (1,1) (1,3)
    # (0,0). Observed: sum (a-b)^2 = 0+1+0+0+4+0 = 5. Expected: n*sum over all
    # (a_i, b_j) of (a_i-b_j)^2 / n^2 with sums a = 10, b = 11, a^2 = 24,
    # b^2 = 27: (6*24 + 6*27 - 2*10*11) / 6 = (144+162-220)/6 = 86/6.
    # kappa = 1 - 5 / (86/6) = 1 - 30/86 = 28/43.
    assert report.overall.kappa_value == round(28 / 43, 3)

    client.force_login(cast["faculty"])
    page = client.get(reverse("assessments:task-marking", args=[task.pk])).text
    assert "Agreement by grader" in page
    assert f"{report.overall.kappa_value}" in page
    assert first_name in page


def test_the_marking_page_sets_the_policy_and_shows_an_empty_state(client, cast, task):
    client.force_login(cast["faculty"])
    url = reverse("assessments:task-marking", args=[task.pk])
    assert "No pairs yet." in client.get(url).text
    response = client.post(
        url, {"second_mark_percent": "10", "borderline_points": "1",
              "moderation_tolerance": "2"},
    )  # fmt: skip
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.second_mark_percent, task.borderline_points) == (10, 1)
    response = client.post(
        url, {"second_mark_percent": "150", "moderation_tolerance": "0"}
    )
    assert "Ensure this value is less than or equal to 100" in response.text
    client.force_login(cast["learner"])
    assert client.get(url).status_code == 403
