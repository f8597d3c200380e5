"""Reads for review pages, in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from accounts.models import Organization
from curriculum import lifecycle
from curriculum.diff import codes_in, diff_content, flatten, grouped
from curriculum.models import ModuleVersion, VersionedContent, VersionTransition
from curriculum.selectors import titles_by_code
from reviews import quorum
from reviews.models import AdvisoryBoard, BoardMember, Comment, Review, Vote

# Versions are named by type label: resolved when used, so that this app does not
# import the pathways app above it.
VERSION_TYPES = {
    "module": "curriculum.ModuleVersion",
    "pathway": "pathways.PathwayVersion",
}
KINDS = {label: kind for kind, label in VERSION_TYPES.items()}
PARENTS = {"module": "module", "pathway": "pathway"}


def version_model(version_type: str):
    if version_type not in KINDS:
        raise Http404(f"No such kind of version: {version_type}")
    return apps.get_model(version_type)


def load_version(version_type: str, pk: int) -> VersionedContent:
    model = version_model(version_type)
    parent = PARENTS[KINDS[version_type]]
    try:
        return model.objects.select_related(f"{parent}__organization").get(pk=pk)
    except model.DoesNotExist as error:
        raise Http404("No such version.") from error


def version_of(review: Review) -> VersionedContent:
    return load_version(review.version_type, review.version_id)


def reviews_of(version: VersionedContent) -> QuerySet[Review]:
    return Review.objects.filter(
        version_type=lifecycle.version_type(version), version_id=version.pk
    )


def seat_of(user: AbstractBaseUser, board: AdvisoryBoard) -> BoardMember | None:
    if not user.is_authenticated:
        return None
    return BoardMember.objects.filter(
        board=board, user=user, accepted_at__isnull=False
    ).first()


def review_tally(review: Review) -> quorum.Tally:
    """The tally of a round from the prefetched or stored votes and seats."""
    seated = review.board.members.filter(accepted_at__isnull=False).count()
    conflicted = review.declarations.filter(has_conflict=True).count()
    return quorum.tally(
        review.votes.values_list("decision", flat=True),
        seated=seated,
        conflicted=conflicted,
    )


def policy_of(board: AdvisoryBoard) -> quorum.Policy:
    return quorum.Policy(board.approvals_needed, board.rejections_allowed)


def sits_on_a_board(user: AbstractBaseUser) -> bool:
    """Whether the user took a seat on any board (only then can votes be due)."""
    return BoardMember.objects.filter(user=user, accepted_at__isnull=False).exists()


def waiting_for(user: AbstractBaseUser) -> QuerySet[Review]:
    """Open rounds of the user's boards on which they have not yet voted."""
    if not user.is_authenticated:
        return Review.objects.none()
    return (
        Review.objects.filter(
            status=Review.Status.OPEN,
            board__members__user=user,
            board__members__accepted_at__isnull=False,
        )
        .exclude(votes__member__user=user)
        .exclude(declarations__member__user=user, declarations__has_conflict=True)
        .select_related("board__organization")
        .order_by("due_on", "pk")
        .distinct()
    )


def reviews_for_staff(organizations: QuerySet[Organization]) -> QuerySet[Review]:
    return (
        Review.objects.filter(board__organization__in=organizations)
        .select_related("board__organization", "submitted_by")
        .order_by("-submitted_at", "-pk")
    )


def drafts_to_submit(
    organizations: QuerySet[Organization],
) -> list[tuple[str, VersionedContent]]:
    """(kind, draft) of the organizations' modules and pathways, newest first."""
    drafts = []
    for kind, label in VERSION_TYPES.items():
        model = apps.get_model(label)
        drafts += [
            (kind, draft)
            for draft in model.objects.filter(
                status=VersionedContent.Status.DRAFT,
                **{f"{PARENTS[kind]}__organization__in": organizations},
            ).select_related(f"{PARENTS[kind]}__organization")
        ]
    return sorted(drafts, key=lambda pair: pair[1].created_at, reverse=True)


def overdue_versions(
    organizations: QuerySet[Organization], *, today: date
) -> list[VersionedContent]:
    """Published versions whose next review date has passed."""
    overdue = []
    for kind, label in VERSION_TYPES.items():
        model = apps.get_model(label)
        overdue += list(
            model.objects.filter(
                status=VersionedContent.Status.PUBLISHED,
                review_due_on__lt=today,
                **{f"{PARENTS[kind]}__organization__in": organizations},
            ).select_related(f"{PARENTS[kind]}__organization")
        )
    return sorted(overdue, key=lambda v: v.review_due_on)


def overdue_reviews(organizations: QuerySet[Organization], *, today: date):
    return reviews_for_staff(organizations).filter(
        status=Review.Status.OPEN, due_on__lt=today
    )


@dataclass
class AnchoredComments:
    """The comments of all rounds of a version, by anchor, for the review page."""

    by_anchor: dict[tuple[str, str], list[Comment]] = field(default_factory=dict)

    def on(self, kind: str, key: object) -> list[Comment]:
        return self.by_anchor.get((kind, str(key)), [])


def comments_of(version: VersionedContent) -> AnchoredComments:
    comments = (
        Comment.objects.filter(
            review__version_type=lifecycle.version_type(version),
            review__version_id=version.pk,
        )
        .select_related("author", "responded_by", "review")
        .order_by("created_at", "pk")
    )
    anchored = AnchoredComments()
    for comment in comments:
        key = (comment.anchor_kind, comment.anchor_key)
        anchored.by_anchor.setdefault(key, []).append(comment)
    return anchored


def review_page(review_pk: int) -> Review:
    return (
        Review.objects.select_related("board__organization", "submitted_by")
        .prefetch_related(
            Prefetch("votes", queryset=Vote.objects.select_related("member")),
            "declarations__member",
        )
        .get(pk=review_pk)
    )


def previous_round(review: Review) -> Review | None:
    return (
        Review.objects.filter(
            version_type=review.version_type,
            version_id=review.version_id,
            round__lt=review.round,
        )
        .order_by("-round")
        .first()
    )


def changes_since(review: Review, content: dict) -> list[tuple[str, list[dict]]]:
    """What changed from the previous round's content to this content."""
    previous = previous_round(review)
    if previous is None:
        return []
    names = titles_for(
        review.board.organization, codes_in(previous.content) | codes_in(content)
    )
    return grouped(diff_content(previous.content, content, names))


def titles_for(organization: Organization, codes) -> dict[str, str]:
    """The titles of the modules and pathways a version's content names."""
    return {
        **titles_by_code(
            version_model(VERSION_TYPES["pathway"]), "pathway", organization, codes
        ),
        **titles_by_code(ModuleVersion, "module", organization, codes),
    }


@dataclass(frozen=True)
class HistoryEntry:
    version: VersionedContent
    changes: list[tuple[str, list[dict]]]
    approval: Review | None
    tally: quorum.Tally | None
    named_approvers: list[str]
    approved_directly: str  # the reason, when approved without a board


def history(kind: str, organization_slug: str, code: str) -> tuple[object, list]:
    """A module's or pathway's published versions with their diffs and approvals,
    in a fixed number of queries however many versions and votes there are."""
    if kind not in VERSION_TYPES:
        raise Http404("No such kind of curriculum.")
    label = VERSION_TYPES[kind]
    model = apps.get_model(label)
    parent_field = PARENTS[kind]
    versions = list(
        model.objects.filter(
            **{
                f"{parent_field}__organization__slug": organization_slug,
                f"{parent_field}__code": code,
            },
            status__in=VersionedContent.FROZEN,
        )
        .select_related(f"{parent_field}__organization", "published_by")
        .order_by("-number")
    )
    if not versions:
        raise Http404("Nothing of this has been published.")
    ids = [v.pk for v in versions]
    approvals = {
        r.version_id: r
        for r in Review.objects.filter(
            version_type=label, version_id__in=ids, status=Review.Status.APPROVED
        )
        .select_related("board")
        .prefetch_related(
            Prefetch("votes", queryset=Vote.objects.select_related("member")),
            "declarations",
            Prefetch(
                "board__members",
                queryset=BoardMember.objects.filter(accepted_at__isnull=False),
                to_attr="seated",
            ),
        )
    }
    direct = {
        t.version_id: t.reason
        for t in VersionTransition.objects.filter(
            version_type=label,
            version_id__in=ids,
            from_status=VersionedContent.Status.DRAFT,
            to_status=VersionedContent.Status.APPROVED,
        )
    }
    entries = []
    for version in versions:
        review = approvals.get(version.pk)
        tally = None
        named = []
        if review is not None:
            votes = list(review.votes.all())
            tally = quorum.tally(
                [v.decision for v in votes],
                seated=len(review.board.seated),
                conflicted=sum(d.has_conflict for d in review.declarations.all()),
            )
            named = [
                v.member.name
                for v in votes
                if v.decision == Vote.Decision.APPROVE and v.member.is_named_publicly
            ]
        entries.append(
            HistoryEntry(
                version=version,
                changes=grouped((version.diff or {}).get("changes", [])),
                approval=review,
                tally=tally,
                named_approvers=named,
                approved_directly=direct.get(version.pk, ""),
            )
        )
    return getattr(versions[0], parent_field), entries


def rule_nodes(
    rule: dict | None, names: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """Each node of a rule tree as (anchor key, label), in reading order, with
    modules and pathways named by `names` (code → title)."""
    if not rule:
        return []
    return [
        (key, item.label)
        for key, item in flatten({"rule": rule}, names)["rules"].items()
    ]


# What waits for each role, for the home page (a fixed number of queries).

HOME_SHOWN = 5


@dataclass(frozen=True)
class Waiting:
    count: int
    items: list


def _waiting(queryset, shown: int = HOME_SHOWN) -> Waiting:
    items = list(queryset[:shown])
    count = len(items) if len(items) < shown else queryset.count()
    return Waiting(count, items)


def votes_due(user: AbstractBaseUser) -> Waiting:
    """Open rounds waiting for the reviewer's vote, soonest due first."""
    return _waiting(waiting_for(user))


def answers_to_read(user: AbstractBaseUser) -> int:
    """The reviewer's comments the designer has answered, on rounds still open."""
    return Comment.objects.filter(
        author=user, status=Comment.Status.ANSWERED, review__status=Review.Status.OPEN
    ).count()


def returned_to(user: AbstractBaseUser) -> Waiting:
    """Rounds the designer submitted that the board sent back, newest first;
    one per version (its latest round)."""
    later = Review.objects.filter(
        version_type=OuterRef("version_type"),
        version_id=OuterRef("version_id"),
        round__gt=OuterRef("round"),
    )
    return _waiting(
        Review.objects.filter(submitted_by=user, status=Review.Status.CHANGES_REQUESTED)
        .exclude(Exists(later))
        .select_related("board__organization")
        .order_by("-decided_at", "-pk")
    )


def comments_to_answer(user: AbstractBaseUser) -> int:
    """Open comments on the open rounds the designer submitted."""
    return Comment.objects.filter(
        review__submitted_by=user,
        review__status=Review.Status.OPEN,
        status=Comment.Status.OPEN,
    ).count()


def versions_due_for_review(
    organizations: QuerySet[Organization], *, today: date
) -> Waiting:
    """Published versions past their review date (modules and pathways), in
    two queries per kind."""
    found, count = [], 0
    for kind, label in VERSION_TYPES.items():
        model = apps.get_model(label)
        overdue = model.objects.filter(
            status=VersionedContent.Status.PUBLISHED,
            review_due_on__lt=today,
            **{f"{PARENTS[kind]}__organization__in": organizations},
        ).select_related(f"{PARENTS[kind]}__organization")
        part = _waiting(overdue.order_by("review_due_on", "pk"))
        found += part.items
        count += part.count
    found.sort(key=lambda version: version.review_due_on)
    return Waiting(count, found[:HOME_SHOWN])


def reviews_overdue(organizations: QuerySet[Organization], *, today: date) -> Waiting:
    return _waiting(overdue_reviews(organizations, today=today).order_by("due_on"))
