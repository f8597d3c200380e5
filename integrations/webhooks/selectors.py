"""Reads for webhooks: the data each event carries, and the pages' lists."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from assessments.models import Grade
from credentials.models import Award
from integrations.models import WebhookDelivery, WebhookSubscription
from pathways.models import PathwayCompletion


@dataclass(frozen=True)
class Fact:
    """What happened, ready to be recorded: whose, which type, what it says."""

    organization: Organization
    type: str
    data: dict


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def _learner(user) -> dict:
    return {"id": user.pk, "username": user.get_username(), "email": user.email}


def award_fact(award_id: int, type: str) -> Fact:
    award = Award.objects.select_related("organization", "learner").get(pk=award_id)
    if award.is_revoked:
        state = "revoked"
    elif award.is_suspended:
        state = "suspended"
    else:
        state = "active"
    return Fact(
        organization=award.organization,
        type=type,
        data={
            "award": {
                "id": str(award.uuid),
                "kind": award.kind,
                "achievement": award.achievement_name,
                "status": state,
                "issued_at": _when(award.issued_at),
                "revoked_at": _when(award.revoked_at),
                "revocation_reason": award.revocation_reason,
                "suspended_at": _when(award.suspended_at),
                "suspension_reason": award.suspension_reason,
                "url": _url("credentials:verify", award.uuid),
                "credential_url": _url("credentials:json", award.uuid),
            },
            "learner": _learner(award.learner),
        },
    )


def pathway_completion_fact(completion_id: int, type: str) -> Fact:
    completion = PathwayCompletion.objects.select_related(
        "learner", "version__pathway__organization"
    ).get(pk=completion_id)
    version = completion.version
    return Fact(
        organization=version.pathway.organization,
        type=type,
        data={
            "completion": {
                "id": completion.pk,
                "completed_at": _when(completion.completed_at),
                "expires_at": _when(completion.expires_at),
            },
            "pathway": {
                "code": version.pathway.code,
                "version": version.number,
                "title": version.title,
                "url": _url("pathways:version-detail", version.pk),
            },
            "learner": _learner(completion.learner),
        },
    )


def grade_fact(grade_id: int, type: str) -> Fact:
    grade = Grade.objects.select_related(
        "submission__learner", "submission__task__version__module__organization"
    ).get(pk=grade_id)
    submission = grade.submission
    version = submission.task.version
    return Fact(
        organization=version.module.organization,
        type=type,
        data={
            "grade": {
                "id": grade.pk,
                "total": grade.total,
                "passed": grade.passed,
                "graded_at": _when(grade.graded_at),
            },
            "submission": {"id": submission.pk, "attempt": submission.attempt},
            "task": {"id": submission.task_id, "title": submission.task.title},
            "module": {
                "code": version.module.code,
                "version": version.number,
                "title": version.title,
                "url": _url("curriculum:version-detail", version.pk),
            },
            "learner": _learner(submission.learner),
        },
    )


def version_fact(model, version_id: int, type: str) -> Fact:
    version = model.objects.get(pk=version_id)
    kind = model._meta.model_name.removesuffix("version")  # "module", "pathway"
    return Fact(
        organization=version.organization,
        type=type,
        data={
            "version": {
                "kind": kind,
                "code": version.code,
                "number": version.number,
                "title": version.title,
                "published_at": _when(version.published_at),
                "changelog": version.changelog,
                "url": _url(f"{model._meta.app_label}:version-detail", version.pk),
            }
        },
    )


def subscriptions_of(organization: Organization) -> QuerySet[WebhookSubscription]:
    """The organization's subscriptions with their delivery counts, for the list."""
    return WebhookSubscription.objects.filter(organization=organization).annotate(
        failing=Count(
            "deliveries",
            filter=Q(
                deliveries__status__in=[
                    WebhookDelivery.Status.RETRYING,
                    WebhookDelivery.Status.FAILED,
                ]
            ),
        ),
        waiting=Count(
            "deliveries",
            filter=Q(
                deliveries__status__in=[
                    WebhookDelivery.Status.PENDING,
                    WebhookDelivery.Status.RETRYING,
                ]
            ),
        ),
    )


def delivery_log(
    subscription: WebhookSubscription, *, status: str = ""
) -> QuerySet[WebhookDelivery]:
    """A subscription's deliveries, newest first, optionally of one status."""
    deliveries = subscription.deliveries.select_related("event")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-pk")


@dataclass(frozen=True)
class WebhookHealth:
    active: int
    paused: list[WebhookSubscription]
    failing: int  # active ones whose attempts fail at present
    given_up: int  # deliveries that failed for good in the last week


def webhook_health(organizations: QuerySet[Organization]) -> WebhookHealth:
    """For the admins' home page, in three queries whatever the traffic."""
    subscriptions = WebhookSubscription.objects.filter(
        organization__in=organizations
    ).select_related("organization")
    counts = subscriptions.aggregate(
        active=Count("pk", filter=Q(status=WebhookSubscription.Status.ACTIVE)),
        failing=Count(
            "pk",
            filter=Q(
                status=WebhookSubscription.Status.ACTIVE, failing_since__isnull=False
            ),
        ),
    )
    week_ago = timezone.now() - timedelta(days=7)
    return WebhookHealth(
        active=counts["active"],
        paused=list(
            subscriptions.filter(status=WebhookSubscription.Status.PAUSED)[:10]
        ),
        failing=counts["failing"],
        given_up=WebhookDelivery.objects.filter(
            subscription__organization__in=organizations,
            status=WebhookDelivery.Status.FAILED,
            created_at__gte=week_ago,
        ).count(),
    )
