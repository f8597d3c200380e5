"""What waits to be done for an organization, and what failed: the health of
the queue as an admin sees it (docs/decisions/0012-exactly-once-issuing.md)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Min, Q
from django.utils import timezone

from accounts.models import Organization, RosterImport
from accounts.people.permissions import is_site_admin
from accounts.task_failures import failures_since, recent_failures
from assessments.models import GradeImport
from config.celery import queue_backlogs
from credentials import selectors as credential_selectors
from credentials.models import Award
from curriculum.models import FrameworkImport
from pathways import sweeps
from pathways.models import Reevaluation

QUEUES = ("default", "signing", "pdf", "mail", "bulk")


@dataclass(frozen=True)
class Pending:
    label: str
    count: int
    oldest: datetime | None


@dataclass(frozen=True)
class QueueHealth:
    queues: list[tuple[str, int | None]]  # None: the broker did not answer
    pending: list[Pending]
    failed_imports: list[GradeImport]
    failed_reevaluations: list[Reevaluation]
    restarted_imports: list[GradeImport]
    # Roster and framework imports that failed or were started again, by kind.
    other_imports: list[tuple[str, RosterImport | FrameworkImport]]

    @property
    def broker_down(self) -> bool:
        return any(size is None for _, size in self.queues)


def _pending(label: str, queryset, field: str) -> Pending:
    found = queryset.aggregate(oldest=Min(field))
    return Pending(label, queryset.count(), found["oldest"])


def queue_health(organization: Organization) -> QueueHealth:
    now = timezone.now()
    modules = credential_selectors.module_completions_without_award().filter(
        version__module__organization=organization
    )
    paths = credential_selectors.pathway_completions_without_award().filter(
        version__pathway__organization=organization
    )
    imports = GradeImport.objects.filter(
        task__version__module__organization=organization
    ).select_related("task")
    rosters = RosterImport.objects.filter(organization=organization)
    frameworks = FrameworkImport.objects.filter(organization=organization)
    troubled = Q(status="failed") | ~Q(note="")
    runs = Reevaluation.objects.filter(
        version__pathway__organization=organization
    ).select_related("version")
    return QueueHealth(
        queues=list(queue_backlogs(QUEUES).items()),
        pending=[
            _pending(
                "Learners whose pathways wait to be evaluated",
                sweeps.enrolments_to_evaluate(now=now).filter(
                    version__pathway__organization=organization
                ),
                "enrolled_at",
            ),
            _pending("Module completions without an award", modules, "completed_at"),
            _pending("Pathway completions without an award", paths, "completed_at"),
            _pending(
                "Awards whose learner was not told yet",
                Award.objects.filter(
                    organization=organization,
                    notified_at__isnull=True,
                    revoked_at__isnull=True,
                ),
                "issued_at",
            ),
            _pending(
                "Grade imports waiting or running",
                imports.filter(status__in=["pending", "running"]),
                "created_at",
            ),
            _pending(
                "Roster imports waiting or running",
                rosters.filter(status__in=["pending", "running"]),
                "created_at",
            ),
            _pending(
                "Framework imports waiting or running",
                frameworks.filter(status__in=["pending", "running"]),
                "created_at",
            ),
            _pending(
                "Re-evaluations waiting or running",
                runs.filter(status__in=["queued", "running"]),
                "created_at",
            ),
        ],
        failed_imports=list(imports.filter(status="failed")[:10]),
        failed_reevaluations=list(runs.filter(status="failed")[:10]),
        restarted_imports=list(imports.exclude(note="")[:10]),
        other_imports=[("Roster import", job) for job in rosters.filter(troubled)[:10]]
        + [("Framework import", job) for job in frameworks.filter(troubled)[:10]],
    )


@dataclass(frozen=True)
class TaskFailures:
    """Background tasks that failed for good across the site: how many in the
    last week for every admin; the records themselves for site administrators,
    since a task's arguments may name other organizations' work."""

    last_week: int
    recent: list | None


def task_failures(user) -> TaskFailures:
    week_ago = timezone.now() - timedelta(days=7)
    return TaskFailures(
        last_week=failures_since(week_ago),
        recent=recent_failures() if is_site_admin(user) else None,
    )


def failed_jobs(organizations) -> int:
    """Background jobs of the organizations that failed for good: grade,
    roster and framework imports and re-evaluations (four counts)."""
    return (
        GradeImport.objects.filter(
            task__version__module__organization__in=organizations, status="failed"
        ).count()
        + RosterImport.objects.filter(
            organization__in=organizations, status="failed"
        ).count()
        + FrameworkImport.objects.filter(
            organization__in=organizations, status="failed"
        ).count()
        + Reevaluation.objects.filter(
            version__pathway__organization__in=organizations, status="failed"
        ).count()
    )
