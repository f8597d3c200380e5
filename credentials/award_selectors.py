"""Reads of the admin's award list and its search, and of the award the public
verification page shows: their statements kept (config/statements.py)."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, F, Func, Q, QuerySet, Subquery

from accounts.models import Organization
from config import statements
from credentials.models import Award


def public_award(award_uuid) -> Award:
    """An award as its public pages show it; its signing key with the key's
    organization, which verification reads (signers.resolve(known=…)).
    Award.DoesNotExist if there is none."""
    if not isinstance(award_uuid, uuid.UUID):
        award_uuid = uuid.UUID(str(award_uuid))
    found = statements.instances(
        ("public-award",),
        lambda uuid: (
            Award.objects.select_related(
                "organization", "learner", "signing_key__organization"
            )
            .filter(uuid=uuid)
            .order_by()
        ),
        uuid=award_uuid,
    )
    if not found:
        raise Award.DoesNotExist("No award has this identifier.")
    return found[0]


AWARD_STATUSES = {
    "valid": Q(revoked_at__isnull=True, suspended_at__isnull=True),
    "suspended": Q(revoked_at__isnull=True, suspended_at__isnull=False),
    "revoked": Q(revoked_at__isnull=False),
}


class InArray(Func):
    """`column = ANY(ARRAY(subquery))` on PostgreSQL: the subquery runs once, as
    an InitPlan, and each id it yields is looked up in the column's index (a
    plain `IN (subquery)` inside an OR becomes a hashed filter over every row,
    and ids materialised in Python make a statement of tens of kilobytes).
    Elsewhere (SQLite, the embedded demo) `column IN (subquery)`."""

    output_field = BooleanField()

    def __init__(self, column: str, subquery: QuerySet) -> None:
        super().__init__(F(column), Subquery(subquery))

    def as_sql(self, compiler, connection, **extra):
        column, subquery = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        if connection.vendor == "postgresql":
            sql = f"{column_sql} = ANY(ARRAY{subquery_sql})"
        else:
            sql = f"{column_sql} IN {subquery_sql}"
        return sql, (*column_params, *subquery_params)


def _person(word: str, prefix: str = "") -> Q:
    """A person the word names: in their username, names or e-mail (found by
    the trigram indexes of accounts migration 0008). `prefix`: the path to
    the person from the query's model ("learner__" from an award's)."""
    return (
        Q(**{f"{prefix}username__icontains": word})
        | Q(**{f"{prefix}first_name__icontains": word})
        | Q(**{f"{prefix}last_name__icontains": word})
        | Q(**{f"{prefix}email__icontains": word})
    )


def _names(word: str) -> Q:
    """An award the word names: its achievement (credentials migration 0014's
    trigram index), or its learner. The people are handed to the award query
    as an array, so that the OR is two index lookups."""
    people = get_user_model().objects.filter(_person(word)).values("pk")
    return Q(achievement_name__icontains=word) | Q(InArray("learner_id", people))


def organization_awards(
    organization: Organization, *, query: str = "", status: str = "", kind: str = ""
) -> QuerySet[Award]:
    """The organization's awards, newest first. Every word of the query must
    match the achievement or the learner's name, username or e-mail, so "Lena
    Marsh" finds Lena Marsh; status is valid, suspended or revoked; kind is
    module or pathway. Unknown filter values are ignored."""
    awards = Award.objects.filter(organization=organization).select_related("learner")
    words = query.split()
    if len(words) == 1:
        awards = awards.filter(_names(words[0]))
    elif words:
        # Every word in the achievement or the learner's name, read as: the
        # awards of the people every word names (a few: "Lena" names hundreds,
        # "Lena Marsh" one), or of an achievement some word names, checked
        # word by word on the award's own row and its learner's. The same
        # awards. Each arm is a list of ids looked up in an index, so the OR
        # is exactly what the indexes found and is not checked again row by
        # row: at a million learners, reading the awards of everyone each
        # word names ("Ito": 400,000) took 400 ms, and checking the people
        # every word names against each found row (an array, searched
        # linearly) 90 ms.
        everyone = get_user_model().objects.filter(*map(_person, words))
        some_achievement = Q()
        for word in words:
            some_achievement |= Q(achievement_name__icontains=word)
        named = Award.objects.filter(
            some_achievement,
            *(
                Q(achievement_name__icontains=word) | _person(word, "learner__")
                for word in words
            ),
            organization=organization,
        ).order_by()
        awards = awards.filter(
            Q(InArray("learner_id", everyone.values("pk")))
            | Q(InArray("pk", named.values("pk")))
        )
    if status in AWARD_STATUSES:
        awards = awards.filter(AWARD_STATUSES[status])
    if kind in Award.Kind.values:
        awards = awards.filter(kind=kind)
    return awards.order_by("-issued_at", "-pk")


@dataclass(frozen=True)
class AwardRow:
    """A row of the admin's award list: only what it shows of an award."""

    uuid: object
    achievement_name: str
    kind: str
    issued_at: datetime
    is_revoked: bool
    is_suspended: bool
    learner_name: str  # the full name, or the username without one

    @property
    def kind_label(self) -> str:
        return Award.Kind(self.kind).label


# The columns an AwardRow is read from: not the signed credential (kilobytes
# of JSON per row), and no model instances (two per row) for a page of 25.
AWARD_ROW_VALUES = (
    "uuid",
    "achievement_name",
    "kind",
    "issued_at",
    "revoked_at",
    "suspended_at",
    "learner__username",
    "learner__first_name",
    "learner__last_name",
)


def award_rows(values) -> list[AwardRow]:
    """AwardRows of organization_awards(...).values(*AWARD_ROW_VALUES)."""
    rows = []
    for award in values:
        # As User.get_full_name, with the username when it is blank.
        name = f"{award['learner__first_name']} {award['learner__last_name']}"
        rows.append(
            AwardRow(
                uuid=award["uuid"],
                achievement_name=award["achievement_name"],
                kind=award["kind"],
                issued_at=award["issued_at"],
                is_revoked=award["revoked_at"] is not None,
                is_suspended=award["suspended_at"] is not None,
                learner_name=name.strip() or award["learner__username"],
            )
        )
    return rows


class OrganizationAwardList:
    """organization_awards(...) for a Paginator: counted no further than it
    is asked (count_up_to), a page's slice read as AwardRow. Both statements
    are kept (config/statements.py) under the organization, the filters
    and the number of words, with the words as stand-ins: a search for other
    words runs the same statement."""

    def __init__(
        self, organization: Organization, *, query: str, status: str, kind: str
    ) -> None:
        self.organization = organization
        self.words = {f"word{i}": word for i, word in enumerate(query.split())}
        self.status = status if status in AWARD_STATUSES else ""
        self.kind = kind if kind in Award.Kind.values else ""
        self.key = (organization.pk, len(self.words), self.status, self.kind)

    def _awards(self, **words: str) -> QuerySet[Award]:
        return organization_awards(
            self.organization,
            query=" ".join(words[f"word{i}"] for i in range(len(words))),
            status=self.status,
            kind=self.kind,
        )

    def count_up_to(self, limit: int) -> int:
        return statements.count(
            ("award-count", *self.key, limit),
            lambda **words: self._awards(**words).order_by().values("pk")[:limit],
            **self.words,
        )

    def __getitem__(self, rows: slice) -> list[AwardRow]:
        found = statements.value_rows(
            ("award-rows", *self.key, rows.start, rows.stop),
            lambda **words: self._page(self._awards(**words), rows),
            **self.words,
        )
        return award_rows(found)

    @staticmethod
    def _page(awards: QuerySet[Award], rows: slice) -> QuerySet:
        """The page's awards chosen by their ids first, then read with their
        learners' names: a search finding thousands of awards (a common full
        name at a million learners: 16,670) joined every one of them to its
        learner before sorting, 20 ms of the page's 45."""
        chosen = awards.select_related(None).values("pk")[rows]
        return (
            Award.objects.filter(InArray("pk", chosen))
            .order_by(*awards.query.order_by)
            .values(*AWARD_ROW_VALUES)
        )
