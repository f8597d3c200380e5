"""One section per role the person holds, each from the owning app's selectors.
The number of queries depends on the roles, never on the amount of work."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser

from accounts.models import Organization
from accounts.notifications.selectors import unread_count
from accounts.permissions import Role, organizations_where
from analytics.work import failed_jobs
from assessments.queue import FacultyWork, faculty_work
from credentials.selectors import IssuingOverview, issuing_overview
from curriculum.work import Waiting, module_drafts_of, modules_to_publish
from integrations.webhooks.selectors import WebhookHealth, webhook_health
from pathways.work import pathway_drafts, pathways_to_publish
from reviews import selectors as reviews


@dataclass(frozen=True)
class ReviewerSection:
    votes_due: Waiting
    answers_to_read: int


@dataclass(frozen=True)
class DesignerSection:
    drafts: Waiting
    returned: Waiting
    comments_to_answer: int
    pathway_drafts: Waiting
    due_for_review: Waiting


@dataclass(frozen=True)
class AdminSection:
    organizations: list[Organization]
    modules_to_publish: Waiting
    pathways_to_publish: Waiting
    reviews_overdue: Waiting
    due_for_review: Waiting
    failed_jobs: int
    issuing: IssuingOverview
    webhooks: WebhookHealth


@dataclass(frozen=True)
class HomePage:
    roles: frozenset[str]
    unread: int
    reviewer: ReviewerSection | None
    designer: DesignerSection | None
    faculty: FacultyWork | None
    admin: AdminSection | None

    @property
    def is_staff(self) -> bool:
        return any((self.reviewer, self.designer, self.faculty, self.admin))


def _roles(user: AbstractBaseUser) -> frozenset[str]:
    return frozenset(user.memberships.values_list("role", flat=True))


def home_page(
    user: AbstractBaseUser,
    *,
    today: date,
    roles: frozenset[str] | None = None,
    unread: int | None = None,
    seated: bool = True,
) -> HomePage:
    """`roles` and `unread` when the caller has them already (the navigation
    read the roles; the cache kept the count); votes are looked for only when
    the user may be `seated` on a board."""
    roles = _roles(user) if roles is None else roles
    votes_due = (
        reviews.votes_due(user) if seated or Role.REVIEWER in roles else Waiting(0, [])
    )
    reviewer = None
    if Role.REVIEWER in roles or votes_due.count:
        reviewer = ReviewerSection(votes_due, reviews.answers_to_read(user))
    designer = None
    if Role.DESIGNER in roles:
        designs = organizations_where(user, Role.DESIGNER)
        designer = DesignerSection(
            drafts=module_drafts_of(user, designs),
            returned=reviews.returned_to(user),
            comments_to_answer=reviews.comments_to_answer(user),
            pathway_drafts=pathway_drafts(designs),
            due_for_review=reviews.versions_due_for_review(designs, today=today),
        )
    admin = None
    if Role.ADMIN in roles:
        administers = organizations_where(user, Role.ADMIN)
        admin = AdminSection(
            organizations=list(administers),
            modules_to_publish=modules_to_publish(administers),
            pathways_to_publish=pathways_to_publish(administers),
            reviews_overdue=reviews.reviews_overdue(administers, today=today),
            due_for_review=reviews.versions_due_for_review(administers, today=today),
            failed_jobs=failed_jobs(administers),
            issuing=issuing_overview(administers),
            webhooks=webhook_health(administers),
        )
    return HomePage(
        roles=roles,
        unread=unread_count(user) if unread is None else unread,
        reviewer=reviewer,
        designer=designer,
        faculty=faculty_work(user) if Role.FACULTY in roles else None,
        admin=admin,
    )
