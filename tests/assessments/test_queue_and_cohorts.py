"""The grading queue: assignment by cohort, filters, counts and query count."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments import queue, services
from assessments.models import Cohort, Grade, Submission
from tests import builders
from tests.assessments.conftest import learners, level_ids
from tests.assessments.test_bad_input import PNG
from tests.assessments.test_submissions import PDF


@pytest.fixture
def cohorts(cast, faculty):
    """Cohort A graded by faculty[0], cohort B by faculty[1]; learner in A,
    other_learner in B."""
    a = services.create_cohort(cast.organization, by=cast["admin"], name="A")
    b = services.create_cohort(cast.organization, by=cast["admin"], name="B")
    services.add_to_cohort(a, by=cast["admin"], user=cast["learner"], as_role="learner")
    services.add_to_cohort(
        b, by=cast["admin"], user=cast["other_learner"], as_role="learner"
    )
    services.add_to_cohort(a, by=cast["admin"], user=faculty[0], as_role="faculty")
    services.add_to_cohort(b, by=cast["admin"], user=faculty[1], as_role="faculty")
    return a, b


def test_graders_see_only_the_work_assigned_to_them(
    client, cast, task, faculty, cohorts
):
    mine = builders.submit(task, cast["learner"])
    theirs = builders.submit(task, cast["other_learner"])
    assert list(queue.grading_queue(faculty[0])) == [mine]
    assert list(queue.grading_queue(faculty[1])) == [theirs]
    assert list(queue.grading_queue(faculty[2])) == []  # assigned nowhere

    client.force_login(faculty[0])
    assert client.get(reverse("assessments:grade", args=[mine.pk])).status_code == 200
    # Another cohort's work: not even its existence is shown.
    for name in ("assessments:grade", "assessments:submission-detail"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    with pytest.raises(ValidationError, match="assigned to other graders"):
        services.grade_submission(
            theirs, grader=faculty[0], levels=level_ids(task, [2, 2])
        )
    assert not Grade.objects.exists()


def test_work_of_learners_in_no_cohort_stays_with_all_faculty(
    cast, task, faculty, cohorts
):
    (outsider,) = learners(cast, 1)
    submission = builders.submit(task, outsider)
    for person in faculty:
        assert submission in queue.grading_queue(person)


def test_only_admins_manage_cohorts(client, cast, faculty, cohorts):
    a, _ = cohorts
    with pytest.raises(ValidationError, match="Only admins"):
        services.create_cohort(cast.organization, by=faculty[0], name="C")
    with pytest.raises(ValidationError, match="not a learner"):
        services.add_to_cohort(
            a, by=cast["admin"], user=cast["stranger"], as_role="learner"
        )
    client.force_login(faculty[0])
    assert (
        client.get(reverse("assessments:cohort-detail", args=[a.pk])).status_code == 403
    )
    client.force_login(cast["stranger"])
    assert (
        client.get(reverse("assessments:cohort-detail", args=[a.pk])).status_code == 404
    )
    client.force_login(cast["admin"])
    response = client.post(
        reverse("assessments:cohort-detail", args=[a.pk]),
        {"username": cast["other_learner"].username, "role": "learner"},
    )
    assert response.status_code == 302
    assert a.learners.filter(pk=cast["other_learner"].pk).exists()
    response = client.post(
        reverse("assessments:cohorts"),
        {"organization": cast.organization.pk, "name": "A"},
    )
    assert "A cohort of that name exists." in response.text
    assert Cohort.objects.filter(organization=cast.organization).count() == 2


def test_the_queue_filters_by_task_cohort_status_and_age(
    client, cast, faculty, cohorts
):
    first = builders.make_module(cast, "Q-1")
    second = builders.make_module(cast, "Q-2")
    old = builders.submit(first, cast["learner"])
    new = builders.submit(second, cast["learner"])
    Submission.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - timedelta(days=10)
    )
    grading_queue = queue.grading_queue
    assert list(grading_queue(faculty[0])) == [old, new]  # oldest first
    assert list(grading_queue(faculty[0], task=second.pk)) == [new]
    assert list(grading_queue(faculty[0], age="7")) == [old]
    assert list(grading_queue(faculty[0], cohort=cohorts[0].pk)) == [old, new]
    assert list(grading_queue(faculty[0], cohort=cohorts[1].pk)) == []
    assert list(grading_queue(faculty[0], status="second")) == []
    assert queue.queue_counts(faculty[0]) == {
        "waiting": 2, "second": 0, "moderation": 0, "older_than_a_week": 1,
    }  # fmt: skip
    client.force_login(faculty[0])
    page = client.get(reverse("assessments:queue"), {"task": second.pk})
    assert page.text.count("Grade</a>") == 1
    assert "<strong>2</strong> waiting for a first mark" in page.text


@pytest.mark.parametrize("waiting", [2, 12])
def test_the_queue_takes_the_same_queries_for_2_or_12_rows(
    client, cast, task, faculty, waiting, django_assert_max_num_queries
):
    services.set_marking_policy(
        task, by=cast["admin"], second_mark_percent=100, borderline_points=None,
        moderation_tolerance=0,
    )  # fmt: skip
    people = learners(cast, waiting)
    for n, learner in enumerate(people):
        submission = builders.submit(task, learner)
        if n % 3 == 0:  # a mix of stages: some wait for a second mark
            services.grade_submission(
                submission, grader=faculty[0], levels=level_ids(task, [2, 2])
            )
    client.force_login(faculty[1])
    url = reverse("assessments:queue")
    # Session, user, organizations, tasks and cohorts for the filters,
    # calibration, counts, rows, navigation; a task or age filter counts its
    # rows apart.
    with django_assert_max_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200
    for filters, most in (
        ({"status": "second", "page": "2"}, 9),
        ({"task": task.pk}, 10),
        ({"age": "7", "status": "drafts"}, 10),
    ):
        with django_assert_max_num_queries(most):
            assert client.get(url, filters).status_code == 200
    to_second_mark = Submission.objects.filter(second_marker=faculty[1]).count()
    assert to_second_mark >= 1
    assert response.text.count("Second-mark</a>") == to_second_mark
    assert response.text.count("Grade</a>") == waiting - (waiting + 2) // 3


def test_graders_see_previews_of_images_and_pdfs(client, cast, task):
    submission = services.submit_evidence(
        task, learner=cast["learner"],
        files=[SimpleUploadedFile("chart.png", PNG), SimpleUploadedFile("r.pdf", PDF),
               SimpleUploadedFile("notes.txt", b"plain words\n")],
    )  # fmt: skip
    png, pdf, txt = submission.files.order_by("pk")
    client.force_login(cast["faculty"])
    page = client.get(reverse("assessments:grade", args=[submission.pk])).text
    assert (
        f'<img src="{reverse("assessments:evidence-preview", args=[png.pk])}"' in page
    )
    assert f'data="{reverse("assessments:evidence-preview", args=[pdf.pk])}"' in page
    response = client.get(reverse("assessments:evidence-preview", args=[png.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG
    # Text is not previewed inline; it downloads as an attachment.
    assert (
        client.get(reverse("assessments:evidence-preview", args=[txt.pk])).status_code
        == 404
    )
    download = client.get(reverse("assessments:evidence", args=[txt.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    # Other learners and outside faculty get nothing.
    for person in (cast["other_learner"], cast["outside_faculty"]):
        client.force_login(person)
        url = reverse("assessments:evidence-preview", args=[png.pk])
        assert client.get(url).status_code == 404


def test_the_queue_counts_what_each_filter_shows_and_pages_past_25(
    client, cast, task, faculty
):
    """The unfiltered count comes from the counts at a glance; a stage filter
    too; a task or age filter counts its own rows. Each says what it shows."""
    services.set_marking_policy(
        task, by=cast["admin"], second_mark_percent=100, borderline_points=None,
        moderation_tolerance=0,
    )  # fmt: skip
    people = learners(cast, 28)
    for n, learner in enumerate(people):
        submission = builders.submit(task, learner)
        if n < 3:  # three go on to a second mark, chosen among the graders
            services.grade_submission(
                submission, grader=faculty[0], levels=level_ids(task, [2, 2])
            )
    client.force_login(faculty[1])
    url = reverse("assessments:queue")
    expected = queue.grading_queue(faculty[1]).count()
    waiting = queue.grading_queue(faculty[1], status="waiting").count()
    assert waiting == 25
    page = client.get(url).text
    assert f"{expected} submissions shown" in page
    assert "Page 1 of 2" in page
    second = client.get(url, {"page": 2}).text
    assert "Page 2 of 2" in second
    assert second.count("</tr>") - 1 == expected - 25
    assert "25 submissions shown" in client.get(url, {"status": "waiting"}).text
    assert f"{expected} submissions shown" in client.get(url, {"task": task.pk}).text
    old = client.get(url, {"age": "14"}).text
    assert "Nothing waits for you with these filters" in old


def test_each_row_of_the_queue_says_who_what_and_where_and_the_menus_keep_choices(
    client, cast, task, faculty
):
    """The rows are read as values, not model instances, and the filter menus
    are written from the form: the same words, links and selections."""
    named, unnamed = learners(cast, 2)
    unnamed.first_name = unnamed.last_name = ""
    unnamed.save(update_fields=["first_name", "last_name"])
    first = builders.submit(task, named)
    second = builders.submit(task, unnamed)
    client.force_login(faculty[0])
    url = reverse("assessments:queue")
    page = client.get(url).text
    for submission in (first, second):
        link = reverse("assessments:grade", args=[submission.pk])
        assert f'<a class="button" href="{link}">Grade</a>' in page
    assert f"<td>{named.get_full_name()}</td>" in page
    assert f"<td>{unnamed.username}</td>" in page  # no name: the username
    assert f"<td>{task.title}</td>" in page
    assert f"<td>{task.version.module.code}</td>" in page
    assert page.count("<td>Waiting for grading</td>") == 2  # the stage
    chosen = client.get(url, {"status": "waiting", "task": task.pk}).text
    assert '<option value="waiting" selected>Waiting for a first mark</option>' in (
        chosen
    )
    assert f'<option value="{task.pk}" selected>' in chosen
    assert '<option value="" selected>All my cohorts</option>' in chosen
    assert '<option value="" selected>Everything</option>' in page


def test_the_queue_page_reads_current_work_through_its_kept_statements(
    client, cast, task, faculty, cohorts
):
    """queue_page keeps the compiled statements, never their rows: new work, a
    grader's own mark, a cohort change and the age of work show at once."""
    client.force_login(faculty[0])
    url = reverse("assessments:queue")
    assert "Nothing waits for you" in client.get(url).text
    mine = builders.submit(task, cast["learner"])
    page = client.get(url).text
    assert "<strong>1</strong> waiting for a first mark" in page
    assert page.count("Grade</a>") == 1
    assert "<strong>0</strong> older than a week" in page
    Submission.objects.filter(pk=mine.pk).update(
        submitted_at=timezone.now() - timedelta(days=8)
    )
    page = client.get(url).text
    assert "<strong>1</strong> older than a week" in page
    assert client.get(url, {"age": "7"}).text.count("Grade</a>") == 1
    assert client.get(url, {"age": "14"}).text.count("Grade</a>") == 0
    # Moved to cohort B, the learner's work leaves faculty[0]'s queue.
    services.remove_from_cohort(
        cohorts[0], by=cast["admin"], user=cast["learner"], as_role="learner"
    )
    services.add_to_cohort(
        cohorts[1], by=cast["admin"], user=cast["learner"], as_role="learner"
    )
    assert "Nothing waits for you" in client.get(url).text
    client.force_login(faculty[1])
    assert client.get(url).text.count("Grade</a>") == 1
    # A draft mark of the grader's own shows on the same statement's rows.
    services.grade_submission(
        mine, grader=faculty[1], levels=level_ids(task, [2, 2]), finalise=False
    )
    assert "your draft" in client.get(url).text


def test_the_queue_menus_and_navigation_follow_tasks_cohorts_and_roles_at_once(
    client, cast, task, faculty
):
    """The memberships, tasks and cohorts are read through kept statements on
    every request: a task published, a cohort to grade and a role withdrawn
    show on the next page, in the menus and in the navigation."""
    client.force_login(faculty[0])
    url = reverse("assessments:queue")
    page = client.get(url).text
    assert f'<option value="{task.pk}">' in page
    assert "Nothing waits for you" in page
    assert 'href="/assessments/queue/">Grading</a>' in page  # the navigation
    later = builders.make_module(cast, "T-200")
    cohort = services.create_cohort(cast.organization, by=cast["admin"], name="C<1>")
    services.add_to_cohort(cohort, by=cast["admin"], user=faculty[0], as_role="faculty")
    page = client.get(url).text
    assert f'<option value="{later.pk}">T-200: {later.title}</option>' in page
    assert f'<option value="{cohort.pk}">C&lt;1&gt;</option>' in page
    # No longer faculty: nothing of the organization's, and no Grading link.
    faculty[0].memberships.filter(role="faculty").delete()
    page = client.get(url).text
    assert "Nothing waits for grading" in page
    assert f'<option value="{later.pk}">' not in page
    assert f'<option value="{cohort.pk}">' not in page
    assert 'href="/assessments/queue/">Grading</a>' not in page
