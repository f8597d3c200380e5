"""Who may do what with boards and reviews.

Staff (designers, admins and reviewers of the organization) see its reviews; an
outside practitioner sees only the rounds of the boards they sit on.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Membership, Organization
from accounts.permissions import User, has_role
from curriculum.models import VersionedContent
from reviews import selectors
from reviews.models import AdvisoryBoard, Comment, Review

Role = Membership.Role


def can_view_review(user: User, review: Review) -> bool:
    organization = review.board.organization
    return has_role(user, organization, Role.DESIGNER, Role.ADMIN, Role.REVIEWER) or (
        selectors.seat_of(user, review.board) is not None
    )


def can_take_part(user: User, review: Review) -> bool:
    """Declare, comment and vote: a seated member, while the round is open."""
    return review.is_open and selectors.seat_of(user, review.board) is not None


def can_respond(user: User, review: Review) -> bool:
    return has_role(user, review.board.organization, Role.DESIGNER, Role.ADMIN)


def can_withdraw(user: User, review: Review) -> bool:
    return review.is_open and can_respond(user, review)


def can_submit(user: User, version: VersionedContent) -> bool:
    return version.is_editable and has_role(
        user, version.organization, Role.DESIGNER, Role.ADMIN
    )


def can_start_draft(user: User, version: VersionedContent) -> bool:
    return version.is_frozen and has_role(
        user, version.organization, Role.DESIGNER, Role.ADMIN
    )


def can_manage_boards(user: User, organization: Organization) -> bool:
    return has_role(user, organization, Role.ADMIN)


def get_review_for_viewing(user: User, pk: int) -> Review:
    review = get_object_or_404(
        Review.objects.select_related("board__organization"), pk=pk
    )
    if not can_view_review(user, review):
        raise Http404  # strangers must not learn that a draft is in review
    return review


def get_comment_for_responding(user: User, pk: int) -> Comment:
    comment = get_object_or_404(
        Comment.objects.select_related("review__board__organization"), pk=pk
    )
    if not can_view_review(user, comment.review):
        raise Http404
    if not can_respond(user, comment.review):
        raise PermissionDenied
    return comment


def get_board_for_managing(user: User, pk: int) -> AdvisoryBoard:
    board = get_object_or_404(
        AdvisoryBoard.objects.select_related("organization"), pk=pk
    )
    if not has_role(user, board.organization, Role.DESIGNER, Role.ADMIN, Role.REVIEWER):
        raise Http404
    if not can_manage_boards(user, board.organization):
        raise PermissionDenied
    return board


def get_organization_for_boards(user: User, slug: str) -> Organization:
    """The organization whose boards `user` manages (its admins)."""
    organization = get_object_or_404(Organization, slug=slug)
    if not has_role(user, organization, Role.DESIGNER, Role.ADMIN, Role.REVIEWER):
        raise Http404
    if not can_manage_boards(user, organization):
        raise PermissionDenied
    return organization


def get_board_of_organization(user: User, slug: str, pk: int) -> AdvisoryBoard:
    """A board of the organization named by `slug`, for its admins."""
    board = get_board_for_managing(user, pk)
    if board.organization.slug != slug:
        raise Http404
    return board


def get_version_for_submitting(
    user: AbstractBaseUser, kind: str, pk: int
) -> VersionedContent:
    version = selectors.load_version(selectors.VERSION_TYPES.get(kind, ""), pk)
    if not has_role(
        user, version.organization, Role.DESIGNER, Role.ADMIN, Role.REVIEWER
    ):
        raise Http404
    if not can_submit(user, version):
        raise PermissionDenied
    return version


def get_version_for_next_draft(user: User, kind: str, pk: int) -> VersionedContent:
    """A frozen version whose next draft `user` may start (designers and admins
    of its organization); 404 for those outside it."""
    version = selectors.load_version(selectors.VERSION_TYPES.get(kind, ""), pk)
    if not has_role(
        user, version.organization, Role.DESIGNER, Role.ADMIN, Role.REVIEWER
    ):
        raise Http404
    if not can_start_draft(user, version):
        raise PermissionDenied
    return version
