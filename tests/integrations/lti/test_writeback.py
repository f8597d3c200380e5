"""Writing back: an instructor switches on a pathway's progress column, Cairn
finds or creates its line item in the loopback platform's gradebook and posts
each learner's progress when it changes; switched off, nothing more is posted."""

import pytest
from celery.exceptions import Retry
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import AuditEntry, Membership
from assessments.models import ModuleCompletion
from assessments.services import record_completion, void_completion
from credentials.models import Award
from curriculum import services as curriculum
from integrations.lti import dynamic_registration, tasks, writeback
from integrations.lti.services_client import PlatformUnavailable
from integrations.models import LtiContext, LtiGradebookColumn, LtiIdentity
from pathways.selectors.cohorts import pathway_percents
from pathways.selectors.progress import learner_progress
from pathways.services import enrol
from tests import builders
from tests.integrations.lti.conftest import launch
from tests.integrations.lti.platform import INSTRUCTOR


@pytest.fixture
def course(cast, client, platform, django_capture_on_commit_callbacks):
    """A course with an instructor (signed in) and one learner, and a pathway."""
    built = builders.make_pathway(cast)
    platform.add_member(
        "teacher-1", name="Ann Lee", email="ann@example.edu", roles=(INSTRUCTOR,)
    )
    platform.add_member("student-1", name="Sam Ray", email="sam@example.edu")
    with django_capture_on_commit_callbacks(execute=True):
        launch(client, platform, "teacher-1", roles=(INSTRUCTOR,), name="Ann Lee")
    context = LtiContext.objects.get()
    learner = LtiIdentity.objects.get(subject="student-1").user
    return context, built, learner


def _on_url(context, built):
    return (
        f"/integrations/lti/courses/{context.pk}/columns/{built.version.pathway_id}/on/"
    )


def _off_url(context, built):
    return (
        f"/integrations/lti/courses/{context.pk}/columns/"
        f"{built.version.pathway_id}/off/"
    )


def _switch_on(client, course, capture):
    context, built, _ = course
    with capture(execute=True):
        answer = client.post(_on_url(context, built))
    assert answer.status_code == 302, answer.content[:300]
    return LtiGradebookColumn.objects.get(context=context)


def _complete(learner, built, n, capture):
    with capture(execute=True):
        return record_completion(
            learner, built.tasks[n].version, source=ModuleCompletion.Source.GRADED
        )


def _posted(platform, column):
    return [s["scoreGiven"] for s in platform.scores[column.line_item]]


def test_switching_a_column_on_creates_its_line_item_on_the_platform(
    client, course, platform, django_capture_on_commit_callbacks
):
    context, built, _ = course
    page = client.get(f"/integrations/lti/courses/{context.pk}/")
    assert "Data pathway" in page.content.decode()
    column = _switch_on(client, course, django_capture_on_commit_callbacks)
    item = platform.line_items[column.line_item]
    assert item["label"] == "Data pathway progress"
    assert item["scoreMaximum"] == 100
    assert item["tag"] == "cairn-pathway-progress:PATH"
    assert item["resourceId"] == "cairn-pathway:PATH"
    # Every learner's progress goes in at once, nought for a start.
    [score] = platform.scores[column.line_item]
    assert score["userId"] == "student-1"
    assert score["scoreGiven"] == 0
    assert score["scoreMaximum"] == 100
    entry = AuditEntry.objects.get(action="lti.gradebook_column_switched_on")
    assert entry.data["pathway"] == "PATH"
    page = client.get(f"/integrations/lti/courses/{context.pk}/")
    assert "On: “Data pathway progress”" in page.content.decode()


def test_a_completion_posts_the_new_progress_and_unchanged_progress_nothing(
    client, course, platform, django_capture_on_commit_callbacks
):
    context, built, learner = course
    column = _switch_on(client, course, django_capture_on_commit_callbacks)
    _complete(learner, built, 0, django_capture_on_commit_callbacks)
    assert _posted(platform, column) == [0, 33]
    # The same progress again: the task posts nothing.
    assert tasks.post_course_progress(context.pk) == 0
    assert _posted(platform, column) == [0, 33]
    # The figure is the one the learner's own progress page shows.
    enrol(learner, built.version)
    [progress] = learner_progress(learner, on=timezone.now())
    assert progress.percent == 33
    assert tasks.post_course_progress(context.pk) == 0


def test_a_voided_completion_posts_the_lower_progress(
    client, course, platform, django_capture_on_commit_callbacks
):
    _, built, learner = course
    column = _switch_on(client, course, django_capture_on_commit_callbacks)
    first = _complete(learner, built, 0, django_capture_on_commit_callbacks)
    _complete(learner, built, 1, django_capture_on_commit_callbacks)
    assert _posted(platform, column) == [0, 33, 67]
    with django_capture_on_commit_callbacks(execute=True):
        void_completion(first, by=None, reason="Overturned on appeal.")
    assert _posted(platform, column) == [0, 33, 67, 33]
    assert platform.results[column.line_item]["student-1"] == 33


def test_switched_off_after_confirming_nothing_more_is_posted(
    client, course, platform, django_capture_on_commit_callbacks
):
    context, built, learner = course
    column = _switch_on(client, course, django_capture_on_commit_callbacks)
    page = client.get(_off_url(context, built))
    assert page.status_code == 200
    assert "Switch off “Data pathway progress”?" in page.content.decode()
    column.refresh_from_db()
    assert column.is_on  # asking is not switching
    answer = client.post(_off_url(context, built))
    assert answer.status_code == 302
    column.refresh_from_db()
    assert not column.is_on
    assert AuditEntry.objects.filter(
        action="lti.gradebook_column_switched_off"
    ).exists()
    _complete(learner, built, 0, django_capture_on_commit_callbacks)
    assert tasks.post_course_progress(context.pk) == 0
    assert _posted(platform, column) == [0]
    # On again: the same line item is found by its tag, not a second one made.
    again = _switch_on(client, course, django_capture_on_commit_callbacks)
    assert again.line_item == column.line_item
    assert len(platform.line_items) == 1
    assert _posted(platform, column) == [0, 33]


def test_the_periodic_sync_posts_what_no_completion_announced(
    client, course, platform, django_capture_on_commit_callbacks
):
    column = _switch_on(client, course, django_capture_on_commit_callbacks)
    platform.add_member("student-2", name="Kim Oh", email="kim@example.edu")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sync_all_courses()
    posted = [(s["userId"], s["scoreGiven"]) for s in platform.scores[column.line_item]]
    assert posted == [("student-1", 0), ("student-2", 0)]


def test_an_instructor_of_another_organization_is_refused(
    cast, client, course, platform, django_capture_on_commit_callbacks
):
    context, built, _ = course
    outsider = cast["outside_faculty"]
    curriculum.add_member(cast.other_organization, outsider, role=Membership.Role.ADMIN)
    client.force_login(outsider)
    assert client.post(_on_url(context, built)).status_code == 404
    with pytest.raises(PermissionDenied):
        writeback.switch_on_column(context, built.version.pathway, by=outsider)
    assert not LtiGradebookColumn.objects.exists()
    assert platform.line_items == {}


def test_a_platform_that_does_not_allow_columns_is_told_so(
    client, course, platform, django_capture_on_commit_callbacks
):
    context, built, _ = course
    platform.allow_creating_line_items = False
    with django_capture_on_commit_callbacks(execute=True):
        launch(client, platform, "teacher-1", roles=(INSTRUCTOR,), name="Ann Lee")
    answer = client.post(_on_url(context, built))
    assert answer.status_code == 400
    assert "does not let Cairn add columns" in answer.content.decode()
    assert platform.line_items == {}


def test_a_platform_that_is_down_fails_the_task_not_the_completion(
    client, course, platform, django_capture_on_commit_callbacks
):
    context, built, learner = course
    column = _switch_on(client, course, django_capture_on_commit_callbacks)
    platform.stop()
    # The course's task fails and is retried later (run in process here, the
    # retry is raised); the completion committed before it ran.
    with pytest.raises(Retry) as failed:
        _complete(learner, built, 0, django_capture_on_commit_callbacks)
    assert isinstance(failed.value.exc, PlatformUnavailable)
    completion = ModuleCompletion.objects.live().get(learner=learner)
    assert Award.objects.filter(learner=learner).exists()
    assert completion.voided_at is None
    # Nothing is remembered as posted, so the next run posts it.
    assert column.posted_scores.get().percent == 0
    assert pathway_percents(built.version.pathway, [learner.pk], on=timezone.now()) == {
        learner.pk: 33
    }


def test_a_column_deleted_in_the_gradebook_is_switched_off_not_retried(
    client, course, platform, django_capture_on_commit_callbacks
):
    """A 404 for the line item is not a platform that is down: retrying can
    never succeed. The column is switched off, the course page says why, and
    switching it on again adds a new column with the learner's progress."""
    context, built, learner = course
    column = _switch_on(client, course, django_capture_on_commit_callbacks)
    del platform.line_items[column.line_item]  # the instructor deleted it
    _complete(learner, built, 0, django_capture_on_commit_callbacks)  # no Retry
    column.refresh_from_db()
    assert not column.is_on
    assert column.gone_at is not None
    entry = AuditEntry.objects.get(action="lti.gradebook_column_gone")
    assert entry.actor is None
    assert entry.data["line_item"] == column.line_item
    # The next periodic run posts nothing to it, and fails nothing.
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sync_all_courses()
    assert tasks.post_course_progress(context.pk) == 0
    page = client.get(f"/integrations/lti/courses/{context.pk}/").content.decode()
    assert "the column was deleted from the course's gradebook" in page
    again = _switch_on(client, course, django_capture_on_commit_callbacks)
    assert again.line_item != column.line_item
    assert again.gone_at is None
    assert _posted(platform, again) == [33]
    page = client.get(f"/integrations/lti/courses/{context.pk}/").content.decode()
    assert "On: “Data pathway progress”" in page


def test_dynamic_registration_asks_for_the_scopes_writing_back_needs(cast):
    config = dynamic_registration.tool_configuration(
        cast.organization, lambda path: "http://testserver" + path
    )
    scopes = config["scope"].split()
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem" in scopes
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in scopes
