"""Each role lands on the work waiting for it, in a number of queries that does
not grow with the work."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from curriculum import services as curriculum
from pathways import services as pathways
from reviews import services as reviews
from tests import builders, factories


def _draft(cast, code):
    return curriculum.create_module_version(
        cast.organization, by=cast["designer"], code=code, title=f"Draft {code}"
    )


def _pathway_draft(cast, code):
    return pathways.create_pathway_version(
        cast.organization,
        by=cast["designer"],
        code=code,
        title=f"Pathway {code}",
        rule=pathways.all_of(["A-101"]),
    )


def _work(cast, pathway, size: int) -> None:
    """`size` of each kind of work: module and pathway drafts, submissions."""
    task = pathway.tasks[0]
    for n in range(size):
        _draft(cast, f"D-{size}-{n}")
        _pathway_draft(cast, f"P-{size}-{n}")
        learner = factories.UserFactory()
        curriculum.add_member(cast.organization, learner, role=Membership.Role.LEARNER)
        builders.submit(task, learner)


def test_faculty_see_their_queue_by_task(client, cast, pathway):
    task = pathway.tasks[0]
    builders.submit(task, cast["learner"])
    client.force_login(cast["faculty"])
    html = client.get(reverse("home")).text
    assert "Grading" in html
    assert f'href="{reverse("assessments:queue")}?task={task.pk}"' in html
    assert ">1</strong> waiting for a first mark" in html


def test_a_designer_sees_drafts_with_submit_links_and_pathway_drafts(
    client, cast, pathway
):
    draft = _draft(cast, "NEW-1")
    path = _pathway_draft(cast, "NP-1")
    client.force_login(cast["designer"])
    html = client.get(reverse("home")).text
    assert draft.get_absolute_url() in html
    assert reverse("reviews:submit", args=["module", draft.pk]) in html
    assert path.get_absolute_url() in html
    assert "Sent back by the board" in html


def test_a_reviewer_sees_the_votes_due_with_their_dates(client, cast, pathway):
    board = builders.make_board(cast)
    draft = _draft(cast, "REV-1")
    review = reviews.submit_for_review(draft, by=cast["designer"], board=board)
    client.force_login(cast["reviewer"])
    html = client.get(reverse("home")).text
    assert review.get_absolute_url() in html
    assert "1 review waits for your comments and vote" in html


def test_an_admin_sees_publishing_issuing_keys_and_webhooks(client, cast, pathway):
    client.force_login(cast["admin"])
    html = client.get(reverse("home")).text
    for words in (
        "Waiting to be published",
        "No review round is overdue.",
        "credentials issued in the last 7 days",
        "failed background jobs",
        "active webhooks",
    ):
        assert words in html
    assert reverse("analytics:queued-work", args=[cast.organization.slug]) in html


def test_a_person_with_several_roles_sees_each_section(client, cast, pathway):
    person = cast["designer"]
    curriculum.add_member(cast.organization, person, role=Membership.Role.FACULTY)
    curriculum.add_member(cast.organization, person, role=Membership.Role.LEARNER)
    client.force_login(person)
    html = client.get(reverse("home")).text
    for heading in ("Designing", "Grading", "Your learning"):
        assert f">{heading}</h2>" in html


def test_empty_states_are_plain_words(client, cast):
    client.force_login(cast["faculty"])
    assert "Nothing waits for you to grade." in client.get(reverse("home")).text


@pytest.mark.parametrize("role", ["designer", "faculty", "admin", "reviewer"])
def test_the_home_page_costs_the_same_queries_with_more_work(
    client, cast, pathway, role, django_assert_max_num_queries
):
    builders.make_board(cast)
    person = cast[role]
    client.force_login(person)
    # More than a section shows (5), so both runs count what they do not list.
    _work(cast, pathway, 6)
    client.get(reverse("home"))  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("home")).status_code == 200
    _work(cast, pathway, 15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("home")).status_code == 200
