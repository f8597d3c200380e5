"""Writing back to the course's gradebook (Assignment and Grade Services
§3.2 line items, §3.4 scores) through pylti1p3's AGS client: per pathway the
instructor switches on, a line item "<pathway title> progress" out of 100,
found by its tag or created, and each learner's progress percent in the
pathway posted as a score whenever it changed since the last post."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from requests import RequestException

from accounts.audit import log_action
from integrations.lti import tasks
from integrations.lti.ags import can_teach
from integrations.lti.selectors import pathway_titles
from integrations.lti.services_client import (
    SCOPE_LINEITEM,
    SCOPE_SCORE,
    PlatformConnector,
    PlatformUnavailable,
)
from integrations.models import (
    LtiContext,
    LtiGradebookColumn,
    LtiMember,
    LtiPostedScore,
)
from pathways.models import Pathway
from pathways.selectors.cohorts import pathway_percents

SCORE_MAXIMUM = 100
WRITE_SCOPES = (SCOPE_LINEITEM, SCOPE_SCORE)


def can_write_back(context: LtiContext) -> bool:
    """The platform's launch granted line item management and scores."""
    return bool(context.lineitems_url) and all(
        scope in context.ags_scopes for scope in WRITE_SCOPES
    )


def column_tag(pathway: Pathway) -> str:
    # Codes are stable within an organization; the tag finds the column again
    # after it was switched off and on, or its id forgotten.
    return f"cairn-pathway-progress:{pathway.code}"


def _service(context: LtiContext) -> AssignmentsGradesService:
    return AssignmentsGradesService(
        PlatformConnector(context.platform),
        {"scope": list(WRITE_SCOPES), "lineitems": context.lineitems_url},
    )


def _check(by: AbstractBaseUser, context: LtiContext, pathway: Pathway) -> None:
    if not can_teach(by, context):
        raise PermissionDenied("Only the course's instructors change its gradebook.")
    if pathway.organization_id != context.platform.organization_id:
        raise ValidationError({"pathway": "Choose a pathway of this organization."})


def switch_on_column(
    context: LtiContext, pathway: Pathway, *, by: AbstractBaseUser
) -> LtiGradebookColumn:
    """Find or create the pathway's line item in the course, then post every
    learner's progress (after commit). The platform is asked before the
    transaction opens, so no row waits on it."""
    _check(by, context, pathway)
    if not can_write_back(context):
        raise ValidationError(
            "The learning platform does not let Cairn add columns to this "
            "course's gradebook."
        )
    title = pathway_titles(context.platform.organization).get(pathway.pk, pathway.code)
    wanted = (
        LineItem()
        .set_label(f"{title} progress")
        .set_score_maximum(SCORE_MAXIMUM)
        .set_tag(column_tag(pathway))
        .set_resource_id(f"cairn-pathway:{pathway.code}")
    )
    try:
        item = _service(context).find_or_create_lineitem(wanted, find_by="tag")
    except (RequestException, LtiException) as error:
        raise PlatformUnavailable(str(error)) from error
    if not item.get_id():
        raise PlatformUnavailable("The platform's line item has no id.")
    with transaction.atomic():
        column, _ = LtiGradebookColumn.objects.select_for_update().get_or_create(
            context=context, pathway=pathway, defaults={"switched_at": timezone.now()}
        )
        was_on = column.is_on
        column.line_item = item.get_id()
        column.is_on = True
        column.gone_at = None
        if not was_on:
            column.switched_by, column.switched_at = by, timezone.now()
        column.save(
            update_fields=[
                "line_item",
                "is_on",
                "switched_by",
                "switched_at",
                "gone_at",
            ]
        )
        if not was_on:
            log_action(
                by,
                "lti.gradebook_column_switched_on",
                column,
                organization=context.platform.organization,
                pathway=pathway.code,
                line_item=column.line_item,
            )
        tasks.post_course_progress.delay_on_commit(context.pk)
    return column


@transaction.atomic
def switch_off_column(
    column: LtiGradebookColumn, *, by: AbstractBaseUser
) -> LtiGradebookColumn:
    """Stop posting to the column; the line item and its scores stay in the
    platform's gradebook for the instructor to keep or delete there."""
    column = LtiGradebookColumn.objects.select_for_update().get(pk=column.pk)
    context = column.context
    _check(by, context, column.pathway)
    if not column.is_on:
        return column
    column.is_on = False
    column.switched_by, column.switched_at = by, timezone.now()
    column.save(update_fields=["is_on", "switched_by", "switched_at"])
    log_action(
        by,
        "lti.gradebook_column_switched_off",
        column,
        organization=context.platform.organization,
        pathway=column.pathway.code,
        line_item=column.line_item,
    )
    return column


def _grade(subject: str, percent: int, at: str) -> Grade:
    # AGS §3.4.6: a platform keeps the score with the latest timestamp, so a
    # late post of an older figure does not overwrite a newer one.
    return (
        Grade()
        .set_user_id(subject)
        .set_score_given(percent)
        .set_score_maximum(SCORE_MAXIMUM)
        .set_activity_progress("Completed" if percent >= 100 else "InProgress")
        .set_grading_progress("FullyGraded")
        .set_timestamp(at)
    )


# What a platform answers for a line item that no longer exists.
GONE = {404, 410}


def _is_gone(error: Exception) -> bool:
    response = getattr(error, "response", None)
    return isinstance(error, LtiServiceException) and response.status_code in GONE


@transaction.atomic
def _column_gone(column: LtiGradebookColumn) -> None:
    """The platform no longer has the column's line item (deleted in the
    gradebook): switch the column off, so that no run posts to it again, and
    say so on the course page; an instructor may switch it on again."""
    column = LtiGradebookColumn.objects.select_for_update().get(pk=column.pk)
    if not column.is_on:
        return
    column.is_on, column.gone_at = False, timezone.now()
    column.switched_by, column.switched_at = None, column.gone_at
    column.save(update_fields=["is_on", "gone_at", "switched_by", "switched_at"])
    log_action(
        None,
        "lti.gradebook_column_gone",
        column,
        organization=column.context.platform.organization,
        pathway=column.pathway.code,
        line_item=column.line_item,
    )


def post_progress(context: LtiContext) -> int:
    """Post each active learner's progress to the course's switched-on columns
    where it changed since the last post; how many scores were posted. Each
    post is remembered as soon as the platform accepts it, so a run cut short
    by a platform that went down resumes where it stopped. Two runs at once
    may post a score twice: harmless, the platform keeps the latest. A column
    whose line item the platform no longer has is switched off (_column_gone)
    and the others are still posted."""
    columns = list(
        context.gradebook_columns.filter(is_on=True)
        .exclude(line_item="")
        .select_related("pathway__organization")
    )
    if not columns:
        return 0
    identities = {
        member.identity.user_id: member.identity
        for member in LtiMember.objects.filter(
            context=context, is_instructor=False, status=LtiMember.Status.ACTIVE
        ).select_related("identity")
    }
    service = _service(context)
    now = timezone.now()
    at = now.isoformat()
    posted = 0
    for column in columns:
        percents = pathway_percents(column.pathway, list(identities), on=now)
        last = {
            score.identity_id: (score.line_item, score.percent)
            for score in column.posted_scores.all()
        }
        for user_id, identity in identities.items():
            if (percent := percents.get(user_id)) is None:
                continue  # the pathway has no version to measure against
            if last.get(identity.pk) == (column.line_item, percent):
                continue
            try:
                service.put_grade(
                    _grade(identity.subject, percent, at),
                    LineItem({"id": column.line_item}),
                )
            except (RequestException, LtiException) as error:
                if _is_gone(error):
                    # Not a platform that is down: retrying cannot help.
                    _column_gone(column)
                    break
                raise PlatformUnavailable(str(error)) from error
            LtiPostedScore.objects.update_or_create(
                column=column,
                identity=identity,
                defaults={
                    "line_item": column.line_item,
                    "percent": percent,
                    "posted_at": now,
                },
            )
            posted += 1
    return posted
