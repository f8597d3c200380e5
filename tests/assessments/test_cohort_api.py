"""Cohorts through the API: create, read, and add or take out many people at
once, with a person's or a service account's token."""

import pytest

from accounts.models import AuditEntry
from assessments import services
from assessments.models import Cohort
from integrations.tokens import services as tokens
from tests import factories
from tests.integrations.conftest import bearer, personal_token, service_token


def _cohorts(cast) -> str:
    return f"/api/organizations/{cast.organization.slug}/cohorts/"


@pytest.fixture
def cohort(cast):
    return services.create_cohort(cast.organization, by=cast["admin"], name="Evening")


def test_an_admin_token_creates_and_reads_cohorts(cast):
    api = bearer(personal_token(cast["admin"], "read", "admin", name="sis"))
    created = api.post(_cohorts(cast), {"name": "Autumn 2026"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["learners"] == []
    cohort = Cohort.objects.get(pk=created.json()["id"])
    assert cohort.organization == cast.organization
    entry = AuditEntry.objects.get(action="cohort.created")
    assert entry.data["via"].startswith("token sis (cairn_pat_")
    listed = api.get(_cohorts(cast)).json()
    assert [c["name"] for c in listed["results"]] == ["Autumn 2026"]
    assert api.get(f"{_cohorts(cast)}{cohort.pk}/").json()["name"] == "Autumn 2026"


def test_faculty_read_the_list_but_only_admins_change_cohorts(cast, cohort):
    api = bearer(personal_token(cast["faculty"]))
    assert api.get(_cohorts(cast)).status_code == 200
    assert api.post(_cohorts(cast), {"name": "X"}, format="json").status_code == 403
    assert api.get(f"{_cohorts(cast)}{cohort.pk}/").status_code == 403


def test_a_service_account_adds_and_removes_many_at_once(cast, cohort):
    account = tokens.create_service_account(
        cast.organization, by=cast["admin"], name="Registry", roles=["admin"]
    )
    api = bearer(service_token(account, cast["admin"], "admin", name="nightly"))
    added = api.post(
        f"{_cohorts(cast)}{cohort.pk}/members/add/",
        {
            "role": "learner",
            "people": [cast["learner"].username, cast["other_learner"].email.upper()],
        },
        format="json",
    )
    assert added.status_code == 200, added.json()
    assert sorted(added.json()["changed"]) == sorted(
        [cast["learner"].username, cast["other_learner"].username]
    )
    assert set(cohort.learners.all()) == {cast["learner"], cast["other_learner"]}
    graders = api.post(
        f"{_cohorts(cast)}{cohort.pk}/members/add/",
        {"role": "faculty", "user_ids": [cast["faculty"].pk]},
        format="json",
    )
    assert graders.json()["cohort"]["graders"] == [cast["faculty"].username]
    entries = AuditEntry.objects.filter(action="cohort.member_added")
    assert entries.count() == 3
    assert all(e.data["via"].startswith("token nightly (cairn_sat_") for e in entries)

    again = api.post(
        f"{_cohorts(cast)}{cohort.pk}/members/add/",
        {"role": "learner", "people": [cast["learner"].username]},
        format="json",
    )
    assert again.json()["changed"] == []  # already in: left as it is

    removed = api.post(
        f"{_cohorts(cast)}{cohort.pk}/members/remove/",
        {"role": "learner", "people": [cast["learner"].username, cast["admin"].email]},
        format="json",
    )
    assert removed.status_code == 200, removed.json()
    assert removed.json()["changed"] == [cast["learner"].username]
    assert list(cohort.learners.all()) == [cast["other_learner"]]
    assert AuditEntry.objects.filter(action="cohort.member_removed").count() == 1


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("add", {"role": "learner", "people": ["nobody-here"]}, "Line 1: no one"),
        ("add", {"role": "learner", "people": ["{faculty}"]}, "not a learner"),
        ("add", {"role": "faculty", "people": ["{learner}"]}, "not faculty"),
        ("add", {"role": "learner", "people": []}, "at least one"),
        ("add", {"role": "admin", "people": ["{learner}"]}, "role"),
        ("add", {"role": "learner", "user_ids": [0]}, "user_ids"),
        ("remove", {"role": "learner", "people": ["{learner}", "x"]}, "Line 2"),
        ("remove", {"role": "learner", "user_ids": [2**31 - 1]}, "No one has the id"),
    ],
)
def test_a_bad_list_is_refused_with_400_and_nobody_moves(
    cast, cohort, path, body, words
):
    services.add_to_cohort(
        cohort, by=cast["admin"], user=cast["learner"], as_role="learner"
    )
    names = {"{faculty}": cast["faculty"].username, "{learner}": cast["learner"].email}
    body = {**body, "people": [names.get(p, p) for p in body.get("people", [])]}
    api = bearer(personal_token(cast["admin"]))
    before = (list(cohort.learners.all()), AuditEntry.objects.count())
    answer = api.post(
        f"{_cohorts(cast)}{cohort.pk}/members/{path}/", body, format="json"
    )
    assert answer.status_code == 400
    assert words in str(answer.json())
    assert (list(cohort.learners.all()), AuditEntry.objects.count()) == before


def test_a_cohort_name_is_checked(cast, cohort):
    api = bearer(personal_token(cast["admin"]))
    before = AuditEntry.objects.count()
    for body in ({}, {"name": " "}, {"name": "Evening"}, {"name": "x" * 121}):
        answer = api.post(_cohorts(cast), body, format="json")
        assert answer.status_code == 400, body
        assert "name" in answer.json()
    assert Cohort.objects.count() == 1
    assert AuditEntry.objects.count() == before


def test_another_organization_s_cohort_is_not_found_here(cast):
    theirs = Cohort.objects.create(organization=cast.other_organization, name="T")
    outsider = factories.UserFactory()
    api = bearer(personal_token(cast["admin"]))
    url = f"{_cohorts(cast)}{theirs.pk}/members/add/"
    answer = api.post(
        url, {"role": "learner", "user_ids": [outsider.pk]}, format="json"
    )
    assert answer.status_code == 404
    assert not theirs.learners.exists()
