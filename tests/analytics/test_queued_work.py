"""The queued-work page: what waits for the workers, since when, what failed."""

import pytest
from django.urls import reverse

from accounts.models import RosterImport
from assessments.models import GradeImport
from curriculum.models import FrameworkImport
from tests import builders


@pytest.fixture
def url(cast):
    return reverse("analytics:queued-work", args=[cast.organization.slug])


def test_an_admin_sees_work_waiting_since_when_and_restarted_jobs(
    client, cast, pathway, url, django_assert_max_num_queries
):
    # Graded with its messages lost: a completion waits for its award.
    builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    client.force_login(cast["admin"])
    with django_assert_max_num_queries(30):
        page = client.get(url).text
    assert "Module completions without an award</th><td>1</td>" in page
    assert "No job has failed" in page


def test_a_failed_grade_import_is_listed(client, cast, url):
    task = builders.make_module(cast, "T-1")
    GradeImport.objects.create(
        task=task, filename="late.csv", created_by=cast["faculty"], status="failed"
    )
    client.force_login(cast["admin"])
    assert "late.csv" in client.get(url).text


def test_the_page_says_when_the_broker_does_not_answer(client, cast, url, broker_down):
    client.force_login(cast["admin"])
    page = client.get(url).text
    assert "The message broker does not answer" in page


def test_only_admins_see_it(client, cast, url):
    client.force_login(cast["faculty"])
    assert client.get(url).status_code in (403, 404)


def test_roster_and_framework_imports_failed_or_restarted_are_listed(client, cast, url):
    RosterImport.objects.create(
        organization=cast.organization, filename="people.csv", status="running",
        created_by=cast["admin"], note="The worker importing it stopped.",
    )  # fmt: skip
    FrameworkImport.objects.create(
        organization=cast.organization, format="csv", filename="skills.csv",
        status="failed", created_by=cast["designer"],
    )  # fmt: skip
    FrameworkImport.objects.create(
        organization=cast.other_organization, format="csv", filename="theirs.csv",
        status="failed", created_by=cast["designer"],
    )  # fmt: skip
    client.force_login(cast["admin"])
    page = client.get(url).text
    assert "Roster imports waiting or running</th><td>1</td>" in page
    assert "people.csv</a>: The worker importing it stopped." in page
    assert "skills.csv</a> failed" in page
    assert "theirs.csv" not in page


def test_a_task_that_fails_for_good_is_recorded_and_shown_to_site_admins(
    client, cast, url
):
    from accounts.models import TaskFailure
    from credentials import tasks
    from credentials.models import Award

    # A real task meeting an error no retry cures: the award it names is gone.
    with pytest.raises(Award.DoesNotExist):
        tasks.notify_learner_of_status.delay(987654, "revoked")
    (failure,) = TaskFailure.objects.all()
    assert failure.task_name == "credentials.tasks.notify_learner_of_status"
    assert failure.arguments == [987654, "revoked"]
    assert failure.error == "DoesNotExist"

    # An organization's admin learns that something failed, not what: the
    # arguments may be another organization's work.
    client.force_login(cast["admin"])
    page = client.get(url).text
    assert "1 background task failed for good" in page
    assert "notify_learner_of_status" not in page
    assert "Your site administrator sees which" in page

    cast["admin"].is_staff = True
    cast["admin"].save(update_fields=["is_staff"])
    page = client.get(url).text
    assert "credentials.tasks.notify_learner_of_status" in page
    assert "[987654, &#x27;revoked&#x27;]" in page or "987654" in page


def test_a_task_retried_after_a_deadlock_is_not_a_failure(cast):
    from psycopg import errors

    from accounts.models import TaskFailure
    from config.celery import app

    calls = []

    @app.task(name="tests.flaky_once", bind=True)
    def flaky_once(self):
        calls.append(1)
        if len(calls) == 1:
            raise errors.DeadlockDetected("deadlock detected")
        return "done"

    assert flaky_once.delay().get() == "done"
    assert len(calls) == 2
    assert not TaskFailure.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_task_whose_connection_postgresql_dropped_runs_again_on_a_new_one():
    from django.db import connection

    from accounts.models import TaskFailure
    from config.celery import app

    backends = []

    @app.task(name="tests.connection_dropped_once", bind=True)
    def connection_dropped_once(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backends.append(cursor.fetchone()[0])
            if len(backends) == 1:
                # As a PostgreSQL restart does to every connection.
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return "done"

    assert connection_dropped_once.delay().get() == "done"
    assert len(backends) == 2
    assert backends[0] != backends[1]
    assert not TaskFailure.objects.exists()
