from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from curriculum import services as curriculum
from curriculum.models import ModuleVersion
from pathways import services as pathways
from reviews import services
from reviews.models import BoardMember, Comment, Review, Vote
from tests import builders, factories

S = ModuleVersion.Status


def status_of(version):
    return ModuleVersion.objects.get(pk=version.pk).status


def vote(review, person, decision="approve", reason="Sound and current."):
    services.declare_interest(review, user=person, has_conflict=False)
    return services.cast_vote(review, user=person, decision=decision, reason=reason)


def test_an_invitation_seats_a_practitioner_once_and_expires(cast, board, committed):
    with committed():
        _, token = services.invite_member(
            board, by=cast["admin"], name="Pat Field", email="Pat@Example.org"
        )
    assert mail.outbox[-1].to == ["pat@example.org"]
    assert f"/reviews/invitations/{token}/" in mail.outbox[-1].body
    member = BoardMember.objects.get(email="pat@example.org")
    assert member.token_hash != token
    assert not member.is_active
    member.expires_at = timezone.now() - timedelta(minutes=1)
    member.save(update_fields=["expires_at"])
    with pytest.raises(ValidationError, match="expired"):
        services.accept_invitation(token, user=factories.UserFactory())
    with pytest.raises(ValidationError, match="not valid"):
        services.accept_invitation("forged", user=factories.UserFactory())
    assert not BoardMember.objects.get(pk=member.pk).is_active


def test_inviting_the_same_address_twice_is_refused(cast, board):
    with pytest.raises(ValidationError, match="already invited"):
        services.invite_member(
            board, by=cast["admin"], name="Again", email=cast["reviewer"].email
        )


def test_submitting_puts_the_version_in_review_and_mails_the_board(
    cast, board, draft, committed
):
    with committed():
        review = services.submit_for_review(
            draft, by=cast["designer"], board=board, note="Look at outcome 2"
        )
    assert status_of(draft) == S.IN_REVIEW
    assert (review.round, review.status) == (1, Review.Status.OPEN)
    assert review.due_on == timezone.localdate() + timedelta(days=board.review_days)
    assert [o["statement"] for o in review.content["outcomes"]] == [
        "Outcome 1 of M-1",
        "Outcome 2 of M-1",
    ]
    requests = [m for m in mail.outbox if "Please review M-1 v1" in m.subject]
    # One message a person, in the organization's branding (through notify()).
    assert all(len(m.to) == 1 and m.alternatives for m in requests)
    assert {m.to[0] for m in requests} == {
        cast["reviewer"].email,
        cast["practitioner_1"].email,
        cast["practitioner_2"].email,
    }


def test_a_board_with_too_few_seated_members_cannot_take_a_review(cast, draft):
    board = services.create_board(
        cast.organization, by=cast["admin"], name="Small", approvals_needed=2
    )
    with pytest.raises(ValidationError, match="needs 2 approvals"):
        services.submit_for_review(draft, by=cast["designer"], board=board)
    assert status_of(draft) == S.DRAFT


def test_a_due_date_in_the_past_is_refused(cast, board, draft):
    with pytest.raises(ValidationError, match="must be in the future"):
        services.submit_for_review(
            draft, by=cast["designer"], board=board, due_on=timezone.localdate()
        )
    assert status_of(draft) == S.DRAFT


def test_two_approvals_of_three_approve_the_version(cast, review, draft, committed):
    vote(review, cast["practitioner_1"])
    assert status_of(draft) == S.IN_REVIEW
    with committed():
        vote(review, cast["practitioner_2"])
    review.refresh_from_db()
    assert review.status == Review.Status.APPROVED
    assert "2 of 2 approvals needed" in review.decision
    assert status_of(draft) == S.APPROVED
    assert "approved" in mail.outbox[-1].subject
    published = curriculum.publish_version(draft, by=cast["admin"], changelog="First")
    assert published.status == S.PUBLISHED


def test_a_request_for_changes_sends_the_draft_back_and_keeps_the_comments(
    cast, review, draft
):
    outcome = review.content["outcomes"][1]
    comment = services.add_comment(
        review,
        user=cast["practitioner_1"],
        anchor_kind="outcome",
        anchor_key=outcome["key"],
        body="Say which formulas.",
    )
    assert comment.anchor_label == "Outcome 2: Outcome 2 of M-1"
    vote(review, cast["practitioner_1"], "request_changes", "See my comment.")
    review.refresh_from_db()
    assert review.status == Review.Status.CHANGES_REQUESTED
    assert status_of(draft) == S.DRAFT
    curriculum.add_outcome(draft, by=cast["designer"], statement="Chart the totals")
    services.respond_to_comment(
        comment,
        by=cast["designer"],
        response="Now names SUM and VLOOKUP.",
        resolve=True,
    )
    second = services.submit_for_review(draft, by=cast["designer"], board=review.board)
    assert second.round == 2
    comment.refresh_from_db()
    assert comment.status == Comment.Status.RESOLVED


def test_a_rejection_ends_the_round(cast, review, draft):
    vote(review, cast["practitioner_1"], "reject", "Out of scope for the college.")
    review.refresh_from_db()
    assert review.status == Review.Status.REJECTED
    assert status_of(draft) == S.DRAFT


def test_a_declared_conflict_removes_the_vote_from_the_quorum(cast, review, draft):
    services.declare_interest(
        review, user=cast["practitioner_2"], has_conflict=True, note="I wrote it."
    )
    with pytest.raises(ValidationError, match="your vote does not count"):
        services.cast_vote(
            review, user=cast["practitioner_2"], decision="approve", reason="Good"
        )
    vote(review, cast["practitioner_1"])
    assert status_of(draft) == S.IN_REVIEW  # 1 of 2 eligible
    vote(review, cast["reviewer"])
    review.refresh_from_db()
    assert review.status == Review.Status.APPROVED
    assert "1 recused" in review.decision


def test_a_member_declares_before_voting_and_votes_once(cast, review):
    with pytest.raises(ValidationError, match="Declare any conflict"):
        services.cast_vote(
            review, user=cast["practitioner_1"], decision="approve", reason="x"
        )
    services.declare_interest(review, user=cast["practitioner_1"], has_conflict=False)
    with pytest.raises(ValidationError, match="Give a reason"):
        services.cast_vote(
            review, user=cast["practitioner_1"], decision="approve", reason=" "
        )
    with pytest.raises(ValidationError, match="already declared"):
        services.declare_interest(
            review, user=cast["practitioner_1"], has_conflict=False
        )
    services.cast_vote(
        review, user=cast["practitioner_1"], decision="approve", reason="ok"
    )
    with pytest.raises(ValidationError, match="already voted"):
        services.cast_vote(
            review, user=cast["practitioner_1"], decision="reject", reason="no"
        )
    assert Vote.objects.filter(review=review).count() == 1


@pytest.mark.parametrize("person", ["designer", "stranger", "admin"])
def test_only_seated_members_take_part(cast, review, person):
    with pytest.raises(ValidationError, match="Only members of the board"):
        services.add_comment(
            review, user=cast[person], anchor_kind="general", body="Hello"
        )
    assert not Comment.objects.exists()


def test_a_comment_must_anchor_to_something_in_the_version(cast, review):
    with pytest.raises(ValidationError, match="Choose an outcome, criterion or rule"):
        services.add_comment(
            review,
            user=cast["practitioner_1"],
            anchor_kind="outcome",
            anchor_key="999999",
            body="Which outcome?",
        )
    criterion = review.content["tasks"][0]["criteria"][0]
    comment = services.add_comment(
        review,
        user=cast["practitioner_1"],
        anchor_kind="criterion",
        anchor_key=criterion["key"],
        body="Levels overlap.",
    )
    assert comment.anchor_label == "Task 1 criterion: Accuracy"


def test_a_pathway_comment_anchors_to_a_rule_node(cast, pathway):
    board = builders.make_board(cast)
    draft = pathways.create_pathway_version(
        cast.organization,
        by=cast["designer"],
        code="PATH",
        title="Data pathway",
        rule=pathways.all_of(["A-101", "B-102"]),
    )
    review = services.submit_for_review(draft, by=cast["designer"], board=board)
    comment = services.add_comment(
        review,
        user=cast["practitioner_1"],
        anchor_kind="rule",
        anchor_key="root/module B-102",
        body="Why not C-103?",
    )
    assert comment.anchor_label == "Rule: all › module B-102"


def test_a_closed_round_takes_no_more_votes(cast, review):
    services.withdraw_review(review, by=cast["designer"], reason="Not ready")
    with pytest.raises(ValidationError, match="closed"):
        vote(review, cast["practitioner_1"])


def test_reminders_go_once_a_day_to_members_who_have_not_voted(cast, review, committed):
    vote(review, cast["practitioner_1"])
    mail.outbox.clear()
    due_day = review.due_on
    assert services.remind_due_reviews(today=due_day - timedelta(days=5)) == 0
    with committed():  # the e-mail leaves once the reminder is committed
        assert services.remind_due_reviews(today=due_day - timedelta(days=1)) == 1
    assert services.remind_due_reviews(today=due_day - timedelta(days=1)) == 0
    assert all("Reminder" in m.subject for m in mail.outbox)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cast["reviewer"].email, cast["practitioner_2"].email]
    )


def test_the_designer_hears_of_each_vote(cast, review, committed):
    with committed():
        vote(review, cast["practitioner_1"], reason="Clear outcomes.")
    assert mail.outbox[-1].to == [cast["designer"].email]
    assert "Clear outcomes." in mail.outbox[-1].body


def test_board_mail_follows_each_persons_choices_and_the_organizations_branding(
    cast, board, draft, committed
):
    """Board mail goes through notify(): a member who takes a daily digest gets
    the request there, one who turned review mail off gets none, and each
    message carries the organization's sender name and footer."""
    from accounts.lifecycle import services as lifecycle
    from accounts.models import Notification

    organization = cast.organization
    organization.email_sender_name = "Northfield Curriculum Office"
    organization.email_footer = "Northfield College, 1 Quad Road"
    organization.save()
    lifecycle.update_preferences(cast["practitioner_1"], email_digest=True)
    lifecycle.update_preferences(cast["practitioner_2"], email_on_reviews=False)
    mail.outbox.clear()
    with committed():
        review = services.submit_for_review(draft, by=cast["designer"], board=board)
    (message,) = [m for m in mail.outbox if "Please review" in m.subject]
    assert message.to == [cast["reviewer"].email]
    assert "Northfield Curriculum Office" in message.from_email
    html, _ = message.alternatives[0]
    assert "Northfield College, 1 Quad Road" in html
    assert review.get_absolute_url() in message.body
    told = Notification.objects.filter(kind="review.requested")
    assert {n.user for n in told} == {
        cast["reviewer"],
        cast["practitioner_1"],
        cast["practitioner_2"],
    }
