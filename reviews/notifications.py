"""Telling the board and the designer about reviews: through notify() (in the
app, and e-mail branded, per person, at once or in a digest, as each chose),
but an invitation goes to an address that has no account yet.

Each function loads what it needs by id, so it runs alike in a worker or in process.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Membership
from accounts.notifications.services import notify
from reviews.models import BoardMember, Review, Vote
from reviews.selectors import version_of


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _mail_outsider(subject: str, template: str, context: dict, to: str) -> None:
    """Plain mail to an address of no account (an invited outsider)."""
    body = render_to_string(f"reviews/mail/{template}.txt", context)
    send_mail(subject, body, None, [to])


def _tell(
    review: Review, users, kind: str, title: str, template: str, context: dict
) -> None:
    """Each person is told through notify(): in the app, and by e-mail in their
    organization's branding, at once or in their daily digest, as they chose
    (people may turn review mail off on their account page)."""
    body = render_to_string(f"reviews/mail/{template}.txt", context).strip()
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        notify(
            user,
            kind,
            title,
            body,
            review.get_absolute_url(),
            organization=review.board.organization,
        )


def send_invitation(member_id: int, token: str) -> None:
    member = BoardMember.objects.select_related("board__organization").get(pk=member_id)
    # The one way in for an invited outsider: sent whatever their choices.
    _mail_outsider(
        f"Invitation to {member.board} of {member.board.organization}",
        "invitation",
        {
            "member": member,
            "url": _url(reverse("reviews:invitation", args=[token])),
        },
        member.email,
    )


def _tell_admins_to_publish(review: Review) -> None:
    """An approved version waits for an admin of its organization to publish it."""
    organization = review.board.organization
    version = version_of(review)
    admins = (
        get_user_model()
        .objects.filter(
            memberships__organization=organization,
            memberships__role=Membership.Role.ADMIN,
        )
        .distinct()
    )
    for admin in admins:
        notify(
            admin,
            "work.assigned",
            f"{review.version_label} is approved and waits to be published",
            f"{review.board} approved {review.version_label}. Publishing freezes "
            "it: learners then enrol in it and credentials name it.",
            version.get_absolute_url(),
            organization=organization,
        )


def _voters(review: Review):
    return [
        member.user
        for member in review.board.members.filter(
            accepted_at__isnull=False, user__isnull=False
        ).select_related("user")
    ]


def send(kind: str, object_id: int) -> None:
    if kind == "vote_cast":
        vote = Vote.objects.select_related(
            "review__submitted_by", "review__board__organization", "member"
        ).get(pk=object_id)
        review = vote.review
        _tell(
            review,
            [review.submitted_by],
            "review.vote_cast",
            f"{vote.member.name} voted on {review.version_label}",
            "vote_cast",
            {"review": review, "vote": vote},
        )
        return
    review = Review.objects.select_related("board__organization", "submitted_by").get(
        pk=object_id
    )
    context = {"review": review}
    if kind == "review_requested":
        _tell(
            review,
            _voters(review),
            "review.requested",
            f"Please review {review.version_label} by {review.due_on:%-d %B %Y}",
            "review_requested",
            context,
        )
    elif kind == "decided":
        _tell(
            review,
            [review.submitted_by, *_voters(review)],
            "review.decided",
            f"{review.version_label}: {review.get_status_display().lower()}",
            "decided",
            context,
        )
        if review.status == Review.Status.APPROVED:
            _tell_admins_to_publish(review)
    elif kind == "due":
        waiting = (
            review.board.members.filter(accepted_at__isnull=False, user__isnull=False)
            .exclude(votes__review=review)
            .select_related("user")
        )
        _tell(
            review,
            [member.user for member in waiting],
            "review.vote_due",
            f"Reminder: {review.version_label} is due by {review.due_on:%-d %B %Y}",
            "due",
            context,
        )
    else:
        raise ValueError(f"Unknown notification {kind!r}.")
