"""Every change to boards and reviews goes through here."""

from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Organization
from accounts.tokens import new_token, token_hash
from curriculum import lifecycle
from curriculum.content import version_content
from curriculum.models import VersionedContent
from reviews import quorum, selectors, tasks
from reviews.models import (
    AdvisoryBoard,
    BoardMember,
    Comment,
    Declaration,
    Review,
    Vote,
)

Status = VersionedContent.Status
INVITATION_DAYS = 14


@transaction.atomic
def create_board(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    name: str,
    description: str = "",
    approvals_needed: int = 2,
    rejections_allowed: int = 0,
    review_days: int = 14,
) -> AdvisoryBoard:
    name = name.strip()
    if AdvisoryBoard.objects.filter(organization=organization, name=name).exists():
        raise ValidationError({"name": f"{organization} already has a board {name}."})
    board = AdvisoryBoard(
        organization=organization,
        name=name,
        description=description,
        approvals_needed=approvals_needed,
        rejections_allowed=rejections_allowed,
        review_days=review_days,
    )
    if approvals_needed < 1:
        raise ValidationError({"approvals_needed": "A board needs at least 1."})
    board.full_clean()
    board.save()
    log_action(by, "board.created", board, organization=organization)
    return board


BOARD_FIELDS = (
    "name",
    "description",
    "approvals_needed",
    "rejections_allowed",
    "review_days",
)
QUORUM_FIELDS = ("approvals_needed", "rejections_allowed")


@transaction.atomic
def update_board(
    board: AdvisoryBoard, *, by: AbstractBaseUser, **changes
) -> AdvisoryBoard:
    """Rename a board or change its quorum and usual review time. The quorum
    stays as it is while a round is open: its votes were cast under it."""
    unknown = set(changes) - set(BOARD_FIELDS)
    if unknown:
        raise ValueError(f"not board fields: {sorted(unknown)}")
    board = AdvisoryBoard.objects.select_for_update().get(pk=board.pk)
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    changed = {
        field: value
        for field, value in changes.items()
        if getattr(board, field) != value
    }
    if not changed:
        return board
    if "name" in changed and (
        AdvisoryBoard.objects.filter(
            organization=board.organization, name=changed["name"]
        )
        .exclude(pk=board.pk)
        .exists()
    ):
        raise ValidationError(
            {"name": f"{board.organization} already has a board {changed['name']}."}
        )
    if (
        set(changed) & set(QUORUM_FIELDS)
        and board.reviews.filter(status=Review.Status.OPEN).exists()
    ):
        raise ValidationError(
            dict.fromkeys(
                set(changed) & set(QUORUM_FIELDS),
                "A round of review is open: its quorum stays until it is "
                "decided or withdrawn.",
            )
        )
    before = {field: getattr(board, field) for field in changed}
    for field, value in changed.items():
        setattr(board, field, value)
    board.full_clean()
    board.save(update_fields=list(changed))
    log_action(
        by,
        "board.changed",
        board,
        organization=board.organization,
        before=before,
        after=changed,
    )
    return board


@transaction.atomic
def invite_member(
    board: AdvisoryBoard,
    *,
    by: AbstractBaseUser,
    name: str,
    email: str,
    is_practitioner: bool = True,
    is_named_publicly: bool = False,
) -> tuple[BoardMember, str]:
    """Seat someone on a board by e-mail; returns the seat and the link's token."""
    email = email.strip().lower()
    if BoardMember.objects.filter(board=board, email=email).exists():
        raise ValidationError({"email": f"{email} is already invited to {board}."})
    token = new_token()
    now = timezone.now()
    member = BoardMember(
        board=board,
        name=name.strip(),
        email=email,
        is_practitioner=is_practitioner,
        is_named_publicly=is_named_publicly,
        token_hash=token_hash(token),
        invited_by=by,
        invited_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    member.full_clean()
    member.save()
    log_action(by, "board.member_invited", member, organization=board.organization)
    tasks.send_invitation.delay_on_commit(member.pk, token)
    return member, token


def member_for_token(token: str) -> BoardMember:
    member = (
        BoardMember.objects.select_related("board__organization")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if member is None:
        raise ValidationError("This invitation link is not valid.", code="invalid")
    if member.accepted_at is None and member.expires_at < timezone.now():
        raise ValidationError(
            "This invitation has expired. Ask the board's administrator for a new one.",
            code="expired",
        )
    return member


@transaction.atomic
def accept_invitation(
    token: str, *, user: AbstractBaseUser, is_named_publicly: bool | None = None
) -> BoardMember:
    member = member_for_token(token)
    member = BoardMember.objects.select_for_update().get(pk=member.pk)
    if member.accepted_at is not None:
        if member.user_id != user.pk:
            raise ValidationError("This invitation has already been accepted.")
        return member
    if BoardMember.objects.filter(board=member.board, user=user).exists():
        raise ValidationError(f"You already sit on {member.board}.")
    member.user = user
    member.accepted_at = timezone.now()
    fields = ["user", "accepted_at"]
    if is_named_publicly is not None:
        member.is_named_publicly = is_named_publicly
        fields.append("is_named_publicly")
    member.save(update_fields=fields)
    log_action(
        user, "board.member_joined", member, organization=member.board.organization
    )
    return member


@transaction.atomic
def submit_for_review(
    version: VersionedContent,
    *,
    by: AbstractBaseUser,
    board: AdvisoryBoard,
    due_on: date | None = None,
    note: str = "",
) -> Review:
    """Send a draft to a board: the next round of its review."""
    if board.organization_id != version.organization.pk:
        raise ValidationError(
            {"board": "Choose a board of the version's organization."}
        )
    seated = board.members.filter(accepted_at__isnull=False).count()
    if seated < board.approvals_needed:
        raise ValidationError(
            {
                "board": f"{board} has {seated} seated members but needs "
                f"{board.approvals_needed} approvals: seat more members first."
            }
        )
    today = timezone.localdate()
    due_on = due_on or today + timedelta(days=board.review_days)
    if due_on <= today:
        raise ValidationError({"due_on": "The due date must be in the future."})
    version = lifecycle.transition(
        version, Status.IN_REVIEW, by=by, reason=f"Submitted to {board}."
    )
    previous = selectors.reviews_of(version).aggregate(n=Max("round"))["n"] or 0
    content = version_content(version)
    review = Review.objects.create(
        board=board,
        version_type=lifecycle.version_type(version),
        version_id=version.pk,
        version_label=str(version),
        round=previous + 1,
        submitted_by=by,
        submitted_at=timezone.now(),
        due_on=due_on,
        note=note.strip(),
        content=_jsonable(content),
    )
    log_action(by, "review.submitted", review, organization=board.organization)
    tasks.notify.delay_on_commit("review_requested", review.pk)
    return review


def _jsonable(content: dict) -> dict:
    """Content as stored JSON (credits as text, as the digest canonicalises)."""
    return {
        k: (str(v) if k == "credits" and v is not None else v)
        for k, v in content.items()
    }


def _seat(review: Review, user: AbstractBaseUser) -> BoardMember:
    member = selectors.seat_of(user, review.board)
    if member is None:
        raise ValidationError("Only members of the board take part in its reviews.")
    return member


def _open(review: Review) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not review.is_open:
        raise ValidationError(
            f"This review is {review.get_status_display().lower()}; it is closed."
        )
    return review


@transaction.atomic
def declare_interest(
    review: Review, *, user: AbstractBaseUser, has_conflict: bool, note: str = ""
) -> Declaration:
    review = _open(review)
    member = _seat(review, user)
    if has_conflict and not note.strip():
        raise ValidationError({"note": "Say what the conflict of interest is."})
    if Declaration.objects.filter(review=review, member=member).exists():
        raise ValidationError("You have already declared your interests here.")
    declaration = Declaration.objects.create(
        review=review, member=member, has_conflict=has_conflict, note=note.strip()
    )
    log_action(
        user,
        "review.interest_declared",
        review,
        organization=review.board.organization,
        has_conflict=has_conflict,
    )
    _decide(review, by=user)
    return declaration


def _anchor_label(review: Review, kind: str, key: str) -> str:
    content = review.content
    if kind == Comment.Anchor.GENERAL:
        return "The version as a whole"
    if kind == Comment.Anchor.OUTCOME:
        for outcome in content.get("outcomes", []):
            if str(outcome.get("key")) == key:
                return f"Outcome {outcome['position']}: {outcome['statement'][:200]}"
    if kind == Comment.Anchor.CRITERION:
        for task in content.get("tasks", []):
            for criterion in task.get("criteria", []):
                if str(criterion.get("key")) == key:
                    return f"Task {task['position']} criterion: {criterion['name']}"
    if kind == Comment.Anchor.RULE:
        for node_key, label in selectors.rule_nodes(content.get("rule")):
            if node_key == key:
                return label
    raise ValidationError(
        {"anchor": "Choose an outcome, criterion or rule to comment on."}
    )


@transaction.atomic
def add_comment(
    review: Review,
    *,
    user: AbstractBaseUser,
    anchor_kind: str,
    anchor_key: str = "",
    body: str,
) -> Comment:
    review = _open(review)
    _seat(review, user)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write your comment."})
    comment = Comment.objects.create(
        review=review,
        author=user,
        anchor_kind=anchor_kind,
        anchor_key=str(anchor_key),
        anchor_label=_anchor_label(review, anchor_kind, str(anchor_key)),
        body=body,
    )
    log_action(
        user, "review.commented", comment, organization=review.board.organization
    )
    return comment


@transaction.atomic
def respond_to_comment(
    comment: Comment, *, by: AbstractBaseUser, response: str = "", resolve: bool
) -> Comment:
    """The designer answers a comment, or marks it resolved (with an answer or not)."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    response = response.strip()
    if not response and not resolve:
        raise ValidationError({"response": "Write an answer, or resolve the comment."})
    if response:
        comment.response = response
    comment.status = Comment.Status.RESOLVED if resolve else Comment.Status.ANSWERED
    comment.responded_by = by
    comment.responded_at = timezone.now()
    comment.save(update_fields=["response", "status", "responded_by", "responded_at"])
    log_action(
        by,
        "review.comment_" + comment.status,
        comment,
        organization=comment.review.board.organization,
    )
    return comment


@transaction.atomic
def cast_vote(
    review: Review, *, user: AbstractBaseUser, decision: str, reason: str
) -> Vote:
    review = _open(review)
    member = _seat(review, user)
    declaration = Declaration.objects.filter(review=review, member=member).first()
    if declaration is None:
        raise ValidationError("Declare any conflict of interest before you vote.")
    if declaration.has_conflict:
        raise ValidationError(
            "You declared a conflict of interest: your vote does not count here."
        )
    if decision not in Vote.Decision.values:
        raise ValidationError({"decision": "Approve, request changes or reject."})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason for your vote."})
    try:
        with transaction.atomic():
            vote = Vote.objects.create(
                review=review, member=member, decision=decision, reason=reason
            )
    except IntegrityError as error:
        raise ValidationError("You have already voted in this round.") from error
    log_action(
        user,
        "review.voted",
        review,
        organization=review.board.organization,
        decision=decision,
    )
    tasks.notify.delay_on_commit("vote_cast", vote.pk)
    _decide(review, by=user)
    return vote


RESULTS = {
    quorum.APPROVED: (Review.Status.APPROVED, Status.APPROVED),
    quorum.CHANGES_REQUESTED: (Review.Status.CHANGES_REQUESTED, Status.DRAFT),
    quorum.REJECTED: (Review.Status.REJECTED, Status.DRAFT),
}


def _decide(review: Review, *, by: AbstractBaseUser) -> None:
    """Close the round once the votes decide it, and move the version."""
    votes = selectors.review_tally(review)
    policy = selectors.policy_of(review.board)
    result = quorum.decide(votes, policy)
    if result not in RESULTS:
        return
    review_status, version_status = RESULTS[result]
    summary = f"{review.board}: {votes.describe(policy)}."
    review.status = review_status
    review.decided_at = timezone.now()
    review.decision = summary
    review.save(update_fields=["status", "decided_at", "decision"])
    lifecycle.transition(
        selectors.version_of(review),
        version_status,
        by=by,
        reason=f"{review.get_status_display()} by {summary}",
    )
    log_action(
        by,
        "review.decided",
        review,
        organization=review.board.organization,
        result=review_status,
    )
    tasks.notify.delay_on_commit("decided", review.pk)


@transaction.atomic
def withdraw_review(review: Review, *, by: AbstractBaseUser, reason: str) -> Review:
    """Take a version out of review (a stalled board, a draft that needs work)."""
    review = _open(review)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the review is withdrawn."})
    review.status = Review.Status.WITHDRAWN
    review.decided_at = timezone.now()
    review.decision = f"Withdrawn: {reason}"
    review.save(update_fields=["status", "decided_at", "decision"])
    lifecycle.transition(
        selectors.version_of(review), Status.DRAFT, by=by, reason=review.decision
    )
    log_action(by, "review.withdrawn", review, organization=review.board.organization)
    tasks.notify.delay_on_commit("decided", review.pk)
    return review


def remind_due_reviews(*, today: date | None = None, within_days: int = 2) -> int:
    """E-mail members who have not voted on rounds due soon or overdue, once a
    day; returns how many rounds were reminded. Safe to run twice: the conditional
    update lets one run claim each round a day."""
    today = today or timezone.localdate()
    due = Review.objects.filter(
        status=Review.Status.OPEN, due_on__lte=today + timedelta(days=within_days)
    ).exclude(reminded_on=today)
    reminded = 0
    for pk in due.values_list("pk", flat=True):
        claimed = (
            Review.objects.filter(pk=pk)
            .exclude(reminded_on=today)
            .update(reminded_on=today)
        )
        if claimed:
            tasks.notify.delay("due", pk)
            reminded += 1
    return reminded
