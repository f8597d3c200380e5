"""E-mail about reviews, through Django's e-mail backend (the console in the demo).

Each function loads what it needs by id, so it runs alike in a worker or in process.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.lifecycle.selectors import addresses_wanting
from accounts.models import Membership
from accounts.notifications.services import notify
from reviews.models import BoardMember, Review, Vote
from reviews.selectors import version_of


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _mail(
    subject: str, template: str, context: dict, to: list[str], *, always=False
) -> None:
    to = sorted({address for address in to if address})
    if not always:  # people may turn review mail off on their account page
        to = addresses_wanting(to, "reviews")
    if not to:
        return
    body = render_to_string(f"reviews/mail/{template}.txt", context)
    send_mail(subject, body, None, to)


def send_invitation(member_id: int, token: str) -> None:
    member = BoardMember.objects.select_related("board__organization").get(pk=member_id)
    _mail(
        f"Invitation to {member.board} of {member.board.organization}",
        "invitation",
        {
            "member": member,
            "url": _url(reverse("reviews:invitation", args=[token])),
        },
        [member.email],
        always=True,  # the one way in for an invited outsider
    )


def _tell_in_app(review: Review, members, kind: str, title: str, body: str) -> None:
    """The board members with an account see it in their notifications too; the
    e-mail above is theirs already (one message to the board), so none here."""
    for member in members.filter(user__isnull=False).select_related("user"):
        notify(
            member.user,
            kind,
            title,
            body,
            review.get_absolute_url(),
            email=False,
            organization=review.board.organization,
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


def _voters(review: Review) -> list[str]:
    return list(
        review.board.members.filter(accepted_at__isnull=False).values_list(
            "user__email", flat=True
        )
    )


def send(kind: str, object_id: int) -> None:
    if kind == "vote_cast":
        vote = Vote.objects.select_related("review__submitted_by", "member").get(
            pk=object_id
        )
        review = vote.review
        context = {"review": review, "vote": vote}
        _mail(
            f"{vote.member.name} voted on {review.version_label}",
            "vote_cast",
            {**context, "url": _url(review.get_absolute_url())},
            [review.submitted_by.email],
        )
        return
    review = Review.objects.select_related("board__organization", "submitted_by").get(
        pk=object_id
    )
    context = {"review": review, "url": _url(review.get_absolute_url())}
    if kind == "review_requested":
        title = f"Please review {review.version_label} by {review.due_on:%-d %B %Y}"
        _mail(title, "review_requested", context, _voters(review))
        _tell_in_app(
            review,
            review.board.members.filter(accepted_at__isnull=False),
            "review.requested",
            title,
            f"{review.board} is asked to review {review.version_label}: comment "
            "and vote by the date above.",
        )
    elif kind == "decided":
        title = f"{review.version_label}: {review.get_status_display().lower()}"
        _mail(title, "decided", context, [review.submitted_by.email, *_voters(review)])
        notify(
            review.submitted_by,
            "review.decided",
            title,
            f"{review.board} decided on {review.version_label}: "
            f"{review.get_status_display().lower()}.",
            review.get_absolute_url(),
            email=False,  # the e-mail above told them
            organization=review.board.organization,
        )
        if review.status == Review.Status.APPROVED:
            _tell_admins_to_publish(review)
    elif kind == "due":
        waiting = review.board.members.filter(accepted_at__isnull=False).exclude(
            votes__review=review
        )
        title = f"Reminder: {review.version_label} is due by {review.due_on:%-d %B %Y}"
        _mail(
            title, "due", context, list(waiting.values_list("user__email", flat=True))
        )
        _tell_in_app(
            review,
            waiting,
            "review.vote_due",
            title,
            "Your vote is still missing.",
        )
    else:
        raise ValueError(f"Unknown notification {kind!r}.")
