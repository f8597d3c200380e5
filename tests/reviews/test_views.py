from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from curriculum import services as curriculum
from curriculum.models import ModuleVersion
from reviews import selectors, services
from reviews.models import BoardMember, Comment, Review, Vote
from tests import builders


def declare_and_vote(review, person, decision="approve"):
    services.declare_interest(review, user=person, has_conflict=False)
    services.cast_vote(review, user=person, decision=decision, reason="Considered.")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("designer", 200),
        ("admin", 200),
        ("reviewer", 200),
        ("practitioner_1", 200),
        ("learner", 404),
        ("stranger", 404),
    ],
)
def test_who_sees_a_review(client, cast, review, role, status):
    client.force_login(cast[role])
    assert client.get(review.get_absolute_url()).status_code == status


def test_an_outside_practitioner_sees_only_their_boards_reviews(client, cast, review):
    client.force_login(cast["practitioner_1"])
    draft_page = reverse("curriculum:version-detail", args=[review.version_id])
    assert client.get(draft_page).status_code == 404
    page = client.get(reverse("reviews:dashboard"))
    assert review.version_label in page.text
    other = builders.make_cast()
    other_draft = builders.make_module(other, "X-1", publish=False).version
    other_review = services.submit_for_review(
        other_draft, by=other["designer"], board=builders.make_board(other)
    )
    assert client.get(other_review.get_absolute_url()).status_code == 404


def test_a_member_declares_comments_and_votes_from_the_page(client, cast, review):
    client.force_login(cast["practitioner_1"])
    page = client.get(review.get_absolute_url())
    assert "Declare any conflict of interest" in page.text
    assert "Comment on this outcome" in page.text
    outcome = review.content["outcomes"][0]
    response = client.post(
        reverse("reviews:comment-add", args=[review.pk]),
        {"anchor_kind": "outcome", "anchor_key": outcome["key"], "body": "Too vague."},
        follow=True,
    )
    assert "Comment added on Outcome 1" in response.text
    assert "Too vague." in response.text
    client.post(reverse("reviews:declare", args=[review.pk]), {"has_conflict": "no"})
    response = client.post(
        reverse("reviews:vote", args=[review.pk]),
        {"decision": "request_changes", "reason": "Sharpen outcome 1."},
        follow=True,
    )
    assert "The review is closed" in response.text
    assert Review.objects.get(pk=review.pk).status == "changes_requested"
    assert ModuleVersion.objects.get(pk=review.version_id).status == "draft"


def test_a_vote_without_a_reason_is_shown_beside_the_field(client, cast, review):
    services.declare_interest(review, user=cast["practitioner_1"], has_conflict=False)
    client.force_login(cast["practitioner_1"])
    response = client.post(
        reverse("reviews:vote", args=[review.pk]), {"decision": "approve", "reason": ""}
    )
    assert response.status_code == 400
    assert "This field is required." in response.text
    assert not Vote.objects.exists()


def test_a_conflict_needs_a_note(client, cast, review):
    client.force_login(cast["practitioner_1"])
    response = client.post(
        reverse("reviews:declare", args=[review.pk]), {"has_conflict": "yes"}
    )
    assert response.status_code == 400
    assert "Say what the conflict of interest is." in response.text


def test_the_designer_answers_a_comment_beside_its_outcome(client, cast, review):
    outcome = review.content["outcomes"][1]
    comment = services.add_comment(
        review,
        user=cast["practitioner_1"],
        anchor_kind="outcome",
        anchor_key=outcome["key"],
        body="Name the formulas.",
    )
    client.force_login(cast["designer"])
    response = client.post(
        reverse("reviews:comment-respond", args=[comment.pk]),
        {"response": "Done: SUM and XLOOKUP.", "resolve": "on"},
        follow=True,
    )
    assert "Done: SUM and XLOOKUP." in response.text
    assert Comment.objects.get(pk=comment.pk).status == "resolved"
    client.force_login(cast["practitioner_1"])
    response = client.post(
        reverse("reviews:comment-respond", args=[comment.pk]), {"response": "Me too"}
    )
    assert response.status_code == 403


def test_the_next_round_shows_what_changed(client, cast, review, draft):
    declare_and_vote(review, cast["practitioner_1"], "request_changes")
    curriculum.add_outcome(draft, by=cast["designer"], statement="Chart the totals")
    second = services.submit_for_review(draft, by=cast["designer"], board=review.board)
    client.force_login(cast["practitioner_2"])
    page = client.get(second.get_absolute_url())
    assert "What changed since round 1" in page.text
    assert "Outcome 3" in page.text
    assert "Chart the totals" in page.text


def test_a_designer_submits_a_draft_from_the_form(client, cast, board, draft):
    client.force_login(cast["designer"])
    url = reverse("reviews:submit", args=["module", draft.pk])
    assert "Submit M-1 v1" in client.get(url).text
    response = client.post(url, {"board": board.pk, "due_on": "2000-01-01"})
    assert "The due date must be in the future." in response.text
    response = client.post(url, {"board": board.pk, "note": "Please"}, follow=True)
    assert "is with Industry board for review" in response.text
    assert ModuleVersion.objects.get(pk=draft.pk).status == "in_review"


@pytest.mark.parametrize(("role", "status"), [("reviewer", 403), ("stranger", 404)])
def test_only_designers_submit(client, cast, board, draft, role, status):
    client.force_login(cast[role])
    response = client.post(
        reverse("reviews:submit", args=["module", draft.pk]), {"board": board.pk}
    )
    assert response.status_code == status


def test_an_admin_creates_a_board_and_invites_a_practitioner(client, cast, committed):
    client.force_login(cast["admin"])
    response = client.post(
        reverse("reviews:board-list"),
        {
            "organization": cast.organization.pk,
            "name": "Employers",
            "approvals_needed": 2,
            "rejections_allowed": 0,
            "review_days": 10,
        },
        follow=True,
    )
    assert "Board Employers created" in response.text
    board = cast.organization.advisory_boards.get()
    with committed():
        response = client.post(
            board.get_absolute_url(),
            {"name": "Pat Field", "email": "pat@example.org", "is_practitioner": "on"},
            follow=True,
        )
    assert "Invitation sent to pat@example.org" in response.text
    link = next(w for w in mail.outbox[-1].body.split() if "/invitations/" in w)
    client.logout()
    path = link.removeprefix("http://127.0.0.1:8000")
    response = client.post(
        path, {"username": "pat", "password": "short", "is_named_publicly": "on"}
    )
    assert "Ensure this value has at least 10 characters" in response.text
    response = client.post(
        path,
        {
            "username": "pat",
            "password": "a-long-pass-phrase",
            "is_named_publicly": "on",
        },
        follow=True,
    )
    assert "Welcome to Employers" in response.text
    member = BoardMember.objects.get(email="pat@example.org")
    assert member.is_active
    assert member.is_named_publicly
    assert member.user.username == "pat"
    assert not member.user.memberships.exists()  # no role in the organization


@pytest.mark.parametrize(("role", "status"), [("designer", 403), ("admin", 200)])
def test_only_admins_manage_boards(client, cast, board, role, status):
    client.force_login(cast[role])
    assert client.get(board.get_absolute_url()).status_code == status


def test_an_expired_or_forged_invitation_says_so(client, db):
    response = client.get(reverse("reviews:invitation", args=["forged"]))
    assert response.status_code == 404
    assert "not valid" in response.text


def test_admins_see_what_is_overdue(client, cast):
    version = builders.make_module(cast, "OLD").version
    version.refresh_from_db()
    board = builders.make_board(cast)
    draft = builders.make_module(cast, "NEW", publish=False).version
    review = services.submit_for_review(draft, by=cast["designer"], board=board)
    Review.objects.filter(pk=review.pk).update(due_on="2001-01-01")
    client.force_login(cast["admin"])
    page = client.get(reverse("reviews:overdue"))
    assert review.version_label in page.text
    assert "Every published version is within its review date." in page.text
    later = version.review_due_on + timedelta(days=1)
    organizations = cast.organization.__class__.objects.filter(pk=cast.organization.pk)
    assert selectors.overdue_versions(organizations, today=later) == [version]
    assert selectors.overdue_versions(organizations, today=version.review_due_on) == []
