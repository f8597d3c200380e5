"""Reading an organization's people: the member list with roles and numbers,
open invitations, deactivated members. Each page costs a fixed number of
queries, however many people it shows."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from accounts.models import (
    Deactivation,
    Invitation,
    MemberNumber,
    Membership,
    Organization,
)
from accounts.people.roster import Problem

Role = Membership.Role
ROLE_ORDER = {role: n for n, role in enumerate(Role.values)}


@dataclass(frozen=True)
class MemberRow:
    user: object
    roles: tuple[str, ...]  # role values in Role's order
    number: str

    @property
    def role_pairs(self) -> list[tuple[str, str]]:
        return [(role, Role(role).label) for role in self.roles]


def person_matches(word: str) -> Q:
    """Users whose username, given or family name or e-mail holds the word."""
    return (
        Q(username__icontains=word)
        | Q(first_name__icontains=word)
        | Q(last_name__icontains=word)
        | Q(email__icontains=word)
    )


def members(organization: Organization, *, q: str = "", role: str = "") -> QuerySet:
    """The organization's members (people holding a role), by name. Every word
    of `q` must match a name, username, e-mail or student or staff number."""
    users = get_user_model().objects.filter(
        pk__in=Membership.objects.filter(organization=organization)
        .filter(**({"role": role} if role else {}))
        .values("user_id")
    )
    for word in q.split():
        users = users.filter(
            person_matches(word)
            | Q(
                pk__in=MemberNumber.objects.filter(
                    organization=organization, number__icontains=word
                ).values("user_id")
            )
        )
    return users.order_by("last_name", "first_name", "username")


def member_rows(organization: Organization, users) -> list[MemberRow]:
    """The given members with their roles and numbers, in two queries."""
    users = list(users)
    ids = [user.pk for user in users]
    roles: dict[int, list[str]] = {}
    for user_id, role in Membership.objects.filter(
        organization=organization, user_id__in=ids
    ).values_list("user_id", "role"):
        roles.setdefault(user_id, []).append(role)
    numbers = dict(
        MemberNumber.objects.filter(
            organization=organization, user_id__in=ids
        ).values_list("user_id", "number")
    )
    return [
        MemberRow(
            user=user,
            roles=tuple(sorted(roles.get(user.pk, []), key=ROLE_ORDER.__getitem__)),
            number=numbers.get(user.pk, ""),
        )
        for user in users
    ]


def member_row(organization: Organization, user) -> MemberRow:
    return member_rows(organization, [user])[0]


def pending_invitations(organization: Organization) -> QuerySet[Invitation]:
    return (
        Invitation.objects.pending()
        .filter(organization=organization)
        .select_related("invited_by")
    )


def deactivated_members(organization: Organization) -> QuerySet[Deactivation]:
    return Deactivation.objects.filter(organization=organization).select_related(
        "user", "deactivated_by"
    )


def admin_count(organization: Organization) -> int:
    return Membership.objects.filter(organization=organization, role=Role.ADMIN).count()


# ------------------------------------------------------------------ rosters

MATCH_BATCH = 5000  # e-mails or numbers per IN (...) list


@dataclass
class RosterMatches:
    """Who each roster line is: an existing account (matched by number, then
    by e-mail) or None for someone new; the roles they hold here; problems."""

    users: dict[int, object]  # line -> user, for the lines matched
    roles: dict[int, set[str]]  # user id -> roles held here
    problems: list[Problem]


def roster_matches(organization: Organization, sheet) -> RosterMatches:
    User = get_user_model()
    rows = sheet.rows
    by_number: dict[str, int] = {}
    numbers = [row.number for row in rows if row.number]
    for start in range(0, len(numbers), MATCH_BATCH):
        by_number.update(
            MemberNumber.objects.filter(
                organization=organization,
                number__in=numbers[start : start + MATCH_BATCH],
            ).values_list("number", "user_id")
        )
    number_of = {
        user_id: number
        for number, user_id in MemberNumber.objects.filter(
            organization=organization
        ).values_list("number", "user_id")
    }
    emails = [row.email.lower() for row in rows]
    by_email: dict[str, object] = {}
    for start in range(0, len(emails), MATCH_BATCH):
        for user in User.objects.annotate(email_key=Lower("email")).filter(
            email_key__in=emails[start : start + MATCH_BATCH]
        ):
            by_email.setdefault(user.email_key, user)
    needed = set(by_number.values()) - {u.pk for u in by_email.values()}
    by_id = {user.pk: user for user in by_email.values()}
    by_id.update({user.pk: user for user in User.objects.filter(pk__in=needed)})
    deactivated = set(
        Deactivation.objects.filter(organization=organization).values_list(
            "user_id", flat=True
        )
    )
    users: dict[int, object] = {}
    problems = []
    email_heading, number_heading = sheet.heading("email"), sheet.heading("number")
    for row in rows:
        numbered = by_id.get(by_number.get(row.number)) if row.number else None
        mailed = by_email.get(row.email.lower())
        if numbered and mailed and numbered.pk != mailed.pk:
            problems.append(
                Problem(
                    row.line,
                    number_heading,
                    f"{row.number} belongs to {numbered.get_username()}, but "
                    f"{row.email} is {mailed.get_username()}'s e-mail.",
                )
            )
            continue
        if numbered and not mailed:
            problems.append(
                Problem(
                    row.line,
                    email_heading,
                    f"{row.number} belongs to {numbered.get_username()}, whose "
                    f"e-mail is {numbered.email or 'empty'}, not {row.email}.",
                )
            )
            continue
        user = numbered or mailed
        if user is None:
            continue
        held = number_of.get(user.pk)
        if row.number and held and held != row.number:
            problems.append(
                Problem(
                    row.line,
                    number_heading,
                    f"{user.get_username()} is number {held} here, not {row.number}.",
                )
            )
            continue
        if user.pk in deactivated:
            problems.append(
                Problem(
                    row.line,
                    email_heading,
                    f"{user.get_username()} is deactivated here: reactivate them "
                    "on the People page first.",
                )
            )
            continue
        users[row.line] = user
    roles: dict[int, set[str]] = {}
    ids = [user.pk for user in users.values()]
    for start in range(0, len(ids), MATCH_BATCH):
        for user_id, role in Membership.objects.filter(
            organization=organization, user_id__in=ids[start : start + MATCH_BATCH]
        ).values_list("user_id", "role"):
            roles.setdefault(user_id, set()).add(role)
    return RosterMatches(users=users, roles=roles, problems=problems)
