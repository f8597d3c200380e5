"""Advisory boards through the API: the board pages' actions with a person's
or a service account's token."""

import pytest

from accounts.models import AuditEntry
from integrations.tokens import services as tokens
from reviews import services as reviews
from reviews.models import AdvisoryBoard, BoardMember
from tests import builders
from tests.integrations.conftest import bearer, personal_token, service_token


def _boards(cast) -> str:
    return f"/api/organizations/{cast.organization.slug}/boards/"


def test_an_admin_token_creates_lists_changes_and_fills_a_board(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    api = bearer(personal_token(cast["admin"], "read", "admin", name="registry"))
    created = api.post(
        _boards(cast),
        {"name": "Employers", "approvals_needed": 1, "review_days": 21},
        format="json",
    )
    assert created.status_code == 201, created.json()
    board = AdvisoryBoard.objects.get(pk=created.json()["id"])
    assert (board.organization, board.approvals_needed) == (cast.organization, 1)
    assert created.json()["policy"] == "1 approval, no rejection"
    entry = AuditEntry.objects.get(action="board.created")
    assert entry.data["via"].startswith("token registry (cairn_pat_")

    listed = api.get(_boards(cast)).json()
    assert [b["name"] for b in listed["results"]] == ["Employers"]
    detail = f"{_boards(cast)}{board.pk}/"
    changed = api.patch(detail, {"rejections_allowed": 1}, format="json")
    assert changed.status_code == 200
    assert changed.json()["policy"] == "1 approval, at most 1 rejection"
    entry = AuditEntry.objects.get(action="board.changed")
    assert entry.data["before"] == {"rejections_allowed": 0}

    with django_capture_on_commit_callbacks(execute=True):
        invited = api.post(
            f"{detail}members/",
            {"name": "Pat Doe", "email": "Pat@Example.org", "is_practitioner": True},
            format="json",
        )
    assert invited.status_code == 201, invited.json()
    assert invited.json()["status"] == "invited"
    assert invited.json()["email"] == "pat@example.org"
    assert [m.to for m in mailoutbox] == [["pat@example.org"]]
    seats = api.get(f"{detail}members/").json()
    assert [s["email"] for s in seats] == ["pat@example.org"]


def test_a_service_account_token_manages_its_organization_s_boards(cast):
    account = tokens.create_service_account(
        cast.organization, by=cast["admin"], name="Quality office", roles=["admin"]
    )
    api = bearer(service_token(account, cast["admin"], "admin", name="qa"))
    created = api.post(_boards(cast), {"name": "Practice"}, format="json")
    assert created.status_code == 201
    entry = AuditEntry.objects.get(action="board.created")
    assert entry.actor == account.user
    assert entry.data["via"].startswith("token qa (cairn_sat_")


def test_a_board_of_another_organization_is_not_found_under_this_one(cast):
    theirs = reviews.create_board(
        cast.other_organization, by=cast["outside_faculty"], name="Theirs"
    )
    api = bearer(personal_token(cast["admin"]))
    assert api.get(f"{_boards(cast)}{theirs.pk}/").status_code == 404
    answer = api.patch(f"{_boards(cast)}{theirs.pk}/", {"name": "Ours"}, format="json")
    assert answer.status_code == 404
    assert AdvisoryBoard.objects.get(pk=theirs.pk).name == "Theirs"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "  "}, "name"),
        ({"name": "B", "approvals_needed": 0}, "approvals_needed"),
        ({"name": "B", "review_days": 500}, "review_days"),
        ({"name": "B", "rejections_allowed": -1}, "rejections_allowed"),
        ({"name": "Industry board"}, "name"),  # taken
    ],
)
def test_a_bad_board_is_refused_with_400_and_nothing_saved(cast, body, field):
    builders.make_board(cast)
    api = bearer(personal_token(cast["admin"]))
    before = (AdvisoryBoard.objects.count(), AuditEntry.objects.count())
    answer = api.post(_boards(cast), body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()
    assert (AdvisoryBoard.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Pat", "email": "not an address"}, "email"),
        ({"email": "pat@example.org"}, "name"),
        ({"name": "Again", "email": "REVIEWER@{domain}"}, "email"),  # seated already
    ],
)
def test_a_bad_invitation_is_refused_with_400_and_nothing_saved(
    cast, body, field, mailoutbox
):
    board = builders.make_board(cast)
    if "{domain}" in body.get("email", ""):
        body = {**body, "email": cast["reviewer"].email.upper()}
    api = bearer(personal_token(cast["admin"]))
    before = (BoardMember.objects.count(), AuditEntry.objects.count())
    answer = api.post(f"{_boards(cast)}{board.pk}/members/", body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()
    assert (BoardMember.objects.count(), AuditEntry.objects.count()) == before


def test_the_quorum_stays_while_a_round_is_open(cast):
    board = builders.make_board(cast)
    version = builders.make_module(cast, "Q-1", publish=False).version
    reviews.submit_for_review(version, by=cast["designer"], board=board)
    api = bearer(personal_token(cast["admin"]))
    detail = f"{_boards(cast)}{board.pk}/"
    refused = api.patch(detail, {"approvals_needed": 1}, format="json")
    assert refused.status_code == 400
    assert "round of review is open" in refused.json()["approvals_needed"][0]
    assert AdvisoryBoard.objects.get(pk=board.pk).approvals_needed == 2
    renamed = api.patch(detail, {"name": "Employers", "review_days": 30}, format="json")
    assert renamed.status_code == 200
    assert AdvisoryBoard.objects.get(pk=board.pk).name == "Employers"
