"""Queued work and the overdue list through the API (read-only): what the
pages show, with a person's or a service account's token; another
organization is refused."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from accounts.models import RosterImport
from assessments.models import GradeImport
from curriculum import services as curriculum
from integrations.tokens import services as tokens
from reviews import api as reviews_api
from reviews import services as reviews
from reviews.models import Review
from tests import builders
from tests.integrations.conftest import bearer, personal_token, service_token


def _org(cast, rest: str, organization=None) -> str:
    return f"/api/organizations/{(organization or cast.organization).slug}/{rest}"


@pytest.fixture
def outsider(cast):
    curriculum.add_member(cast.other_organization, cast["stranger"], role="admin")
    return bearer(personal_token(cast["stranger"], name="theirs"))


def test_queued_work_names_what_waits_and_what_failed(
    cast, pathway, django_assert_max_num_queries
):
    # Graded with its messages lost: a completion waits for its award.
    builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    GradeImport.objects.create(
        task=pathway.tasks[1], filename="late.csv", created_by=cast["faculty"],
        status="failed",
    )  # fmt: skip
    RosterImport.objects.create(
        organization=cast.organization, filename="people.csv", status="running",
        created_by=cast["admin"], note="The worker importing it stopped.",
    )  # fmt: skip
    api = bearer(personal_token(cast["admin"], "read"))
    with django_assert_max_num_queries(40):
        answer = api.get(_org(cast, "work/"))
    assert answer.status_code == 200, answer.json()
    found = answer.json()
    pending = {item["label"]: item["count"] for item in found["pending"]}
    assert pending["Module completions without an award"] == 1
    assert pending["Roster imports waiting or running"] == 1
    assert {q["name"] for q in found["queues"]} >= {"default", "bulk"}
    assert found["broker_down"] is False
    troubles = {(t["kind"], t["filename"]) for t in found["troubles"]}
    assert troubles == {("Grade import", "late.csv"), ("Roster import", "people.csv")}
    assert isinstance(found["task_failures_last_week"], int)


def test_queued_work_says_when_the_broker_does_not_answer(cast, broker_down):
    api = bearer(personal_token(cast["admin"], "read"))
    found = api.get(_org(cast, "work/")).json()
    assert found["broker_down"] is True
    assert None in {q["waiting"] for q in found["queues"]}


def test_queued_work_is_for_the_organization_s_admins_only(cast, outsider):
    account = tokens.create_service_account(
        cast.organization, by=cast["admin"], name="Monitor", roles=["admin"]
    )
    assert bearer(service_token(account, cast["admin"], "read")).get(
        _org(cast, "work/")
    ).status_code == 200  # fmt: skip
    RosterImport.objects.create(
        organization=cast.organization, filename="ours.csv", status="failed",
        created_by=cast["admin"],
    )  # fmt: skip
    assert outsider.get(_org(cast, "work/")).status_code == 403
    theirs = outsider.get(_org(cast, "work/", cast.other_organization)).json()
    assert "ours.csv" not in str(theirs)
    assert bearer(personal_token(cast["faculty"])).get(
        _org(cast, "work/")
    ).status_code == 403  # fmt: skip
    assert bearer(personal_token(cast["admin"], "admin")).get(
        _org(cast, "work/")
    ).status_code == 403  # fmt: skip


# ---------------------------------------------------------------- overdue


@pytest.fixture
def overdue(cast, monkeypatch):
    """A published version past its review date (the API's clock set a day
    past it: a published version cannot change) and a round past its due date."""
    version = builders.make_module(cast, "OLD").version
    version.refresh_from_db()
    later = version.review_due_on + timedelta(days=1)
    monkeypatch.setattr(
        reviews_api, "timezone", SimpleNamespace(localdate=lambda: later)
    )
    draft = builders.make_module(cast, "NEW", publish=False).version
    review = reviews.submit_for_review(
        draft, by=cast["designer"], board=builders.make_board(cast)
    )
    Review.objects.filter(pk=review.pk).update(due_on="2001-01-01")
    return version, review


def test_the_overdue_list_names_versions_and_rounds(cast, overdue):
    version, review = overdue
    account = tokens.create_service_account(
        cast.organization, by=cast["admin"], name="Quality office", roles=["admin"]
    )
    for api in (
        bearer(personal_token(cast["admin"], "read")),
        bearer(service_token(account, cast["admin"], "read")),
    ):
        answer = api.get(_org(cast, "overdue/"))
        assert answer.status_code == 200, answer.json()
        found = answer.json()
        assert [(v["kind"], v["code"], v["id"]) for v in found["versions"]] == [
            ("module", "OLD", version.pk)
        ]
        assert [r["id"] for r in found["reviews"]] == [review.pk]


def test_the_overdue_list_is_the_organization_s_own(cast, overdue, outsider):
    assert outsider.get(_org(cast, "overdue/")).status_code == 403
    theirs = outsider.get(_org(cast, "overdue/", cast.other_organization)).json()
    assert theirs == {"versions": [], "reviews": []}
    for role in ("designer", "reviewer", "faculty"):
        answer = bearer(personal_token(cast[role])).get(_org(cast, "overdue/"))
        assert answer.status_code == 403, role
