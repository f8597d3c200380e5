"""The analytics page's figures as JSON, for an admin's own reports and BI tools."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership
from accounts.permissions import get_organization_for
from analytics import selectors, work


def _figure(figure: selectors.Figure) -> dict:
    return {
        "key": figure.key,
        "label": figure.label,
        "current": figure.current,
        "previous": figure.previous,
        "change": figure.change,
        "unit": "days" if figure.is_days else "count",
    }


def dashboard_data(found: selectors.Dashboard) -> dict:
    """JSON of everything the analytics page shows, in the same units."""
    headline = found.headline
    return {
        "organization": found.organization.slug,
        "period": {
            "days": headline.days,
            "start": headline.current.start,
            "end": headline.current.end,
            "previous_start": headline.previous.start,
        },
        "figures": [_figure(figure) for figure in headline.figures],
        "waiting": {
            "submissions": headline.waiting,
            "oldest_days": headline.oldest_waiting_days,
        },
        "months": [
            {
                "month": month.month.strftime("%Y-%m"),
                "module_completions": month.module_completions,
                "pathway_completions": month.pathway_completions,
                "awards_issued": month.awards_issued,
            }
            for month in found.months
        ],
        "pathways": [
            {
                "code": row.version.pathway.code,
                "version": row.version.number,
                "title": row.version.title,
                "enrolled": row.enrolled,
                "started": row.started,
                "completed": row.completed,
                "completion_rate": row.completion_rate,
                "median_days_to_complete": row.median_days_to_complete,
            }
            for row in found.pathways
        ],
        "tasks": [
            {
                "id": row.task.pk,
                "module": row.task.version.module.code,
                "version": row.task.version.number,
                "title": row.task.title,
                "submissions": row.submissions,
                "graded": row.graded,
                "learners_graded": row.learners_graded,
                "first_attempt_pass_rate": row.first_attempt_pass_rate,
                "pass_rate": row.pass_rate,
                "median_attempts_to_pass": row.median_attempts_to_pass,
                "median_days_to_grade": row.median_days_to_grade,
                "second_marked_share": row.second_marked_share,
            }
            for row in found.tasks
        ],
    }


class OrganizationAnalytics(APIView):
    """An organization's figures for its admins: the period's headline figures
    beside the period before, the last twelve months, each pathway's funnel and
    each task's statistics (rates are shares from 0 to 1)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "days",
                OpenApiTypes.INT,
                enum=list(selectors.PERIODS),
                description="The period: the last 30, 90 or 365 days (default 90).",
            )
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, slug: str):
        organization = get_organization_for(request.user, slug, Membership.Role.ADMIN)
        raw = request.query_params.get("days", str(selectors.DEFAULT_PERIOD))
        if raw not in {str(days) for days in selectors.PERIODS}:
            raise ValidationError(
                {"days": [f"Choose {', '.join(map(str, selectors.PERIODS))}."]}
            )
        found = selectors.dashboard(organization, days=int(raw), now=timezone.now())
        return Response(dashboard_data(found))


# ------------------------------------------------- queued work (apigaps1)


def _job(kind: str, job) -> dict:
    return {
        "kind": kind,
        "id": job.pk,
        "filename": getattr(job, "filename", ""),
        "status": job.status,
        "finished_at": getattr(job, "finished_at", None),
        "note": getattr(job, "note", ""),
    }


def queue_health_data(health: work.QueueHealth, failures: work.TaskFailures) -> dict:
    """JSON of everything the queued-work page shows."""
    return {
        "broker_down": health.broker_down,
        "queues": [{"name": name, "waiting": size} for name, size in health.queues],
        "pending": [
            {"label": item.label, "count": item.count, "oldest": item.oldest}
            for item in health.pending
        ],
        "troubles": [_job("Grade import", job) for job in health.failed_imports]
        + [
            {
                "kind": "Re-evaluation",
                "id": run.pk,
                "filename": "",
                "status": run.status,
                "finished_at": run.finished_at,
                "note": run.reason,
            }
            for run in health.failed_reevaluations
        ]
        + [_job("Grade import", job) for job in health.restarted_imports]
        + [_job(kind, job) for kind, job in health.other_imports],
        "task_failures_last_week": failures.last_week,
    }


class QueuedWork(APIView):
    """The health of the organization's queued work, as its admins see it on
    the queued-work page: each queue's backlog (null when the broker does not
    answer), what waits and since when, the jobs that failed or were started
    again, and how many background tasks failed for good this week."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, slug: str):
        organization = get_organization_for(request.user, slug, Membership.Role.ADMIN)
        return Response(
            queue_health_data(
                work.queue_health(organization), work.task_failures(request.user)
            )
        )
