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
