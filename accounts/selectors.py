"""Reading the audit trail: an organization's entries filtered, in words, and
as CSV rows. Other apps' pages are linked by URL name only, so this bottom
layer imports none of them."""

import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, Organization

AUDIT_SYSTEM_NAME = "Cairn"  # who an entry without an actor shows: the worker

# The part of an action before its first dot, in words, for the area filter.
AUDIT_AREAS = {
    "award": "Credentials",
    "board": "Advisory boards",
    "bulk_award": "Bulk awards",
    "calibration": "Calibration",
    "cohort": "Cohorts",
    "competency": "Competencies",
    "completion": "Module completions",
    "endorsement": "Endorsements",
    "enrolment": "Enrolments",
    "equivalence": "Equivalences",
    "framework": "Competency frameworks",
    "grade": "Grade changes",
    "grades": "Grade imports",
    "issuer": "Issuer profile",
    "key": "Signing keys",
    "member": "Members",
    "module": "Module stacking",
    "oauth_client": "OAuth clients",
    "organization": "Organizations",
    "outcome": "Outcomes",
    "pathway": "Pathway completions",
    "prerequisite": "Prerequisite waivers",
    "recognition": "Recognition of prior learning",
    "reevaluation": "Re-evaluations",
    "review": "Reviews",
    "roster": "Roster imports",
    "rubric": "Rubrics",
    "sso": "Single sign-on",
    "rule": "Pathway rules",
    "service_account": "Service accounts",
    "submission": "Submissions and marking",
    "task": "Assessment tasks",
    "token": "API tokens",
    "vc_api": "Credentials signed for other systems",
    "version": "Versions",
}

# The actions the services log (grep "log_action("), in words; any other
# action is shown as it was logged.
AUDIT_ACTIONS = {
    "erasure.requested": "Asked for their personal data to be erased",
    "erasure.confirmed": "Confirmed an erasure request",
    "erasure.declined": "Declined an erasure request",
    "erasure.done": "Erased a person's personal data",
    "member.self_registered": "Registered as a learner",
    "signup.policy_changed": "Changed self-registration",
    "award.issued": "Issued a credential",
    "bulk_award.checked": "Checked a bulk award file",
    "bulk_award.started": "Started a bulk award",
    "bulk_award.done": "Made the awards of a bulk award file",
    "award.revoked": "Revoked a credential",
    "award.suspended": "Suspended a credential",
    "award.reinstated": "Reinstated a credential",
    "award.renewal_requested": "Renewed a credential (the old one kept as history)",
    "award.renewed": "Issued a renewed credential",
    "award.expiry_notice_sent": "Told a learner their credential expires soon",
    "award.wallet_request_created": "Asked to send a credential to a wallet",
    "award.sent_to_wallet": "Sent a credential to a wallet",
    "award.wallet_offer_created": "Offered a credential to a wallet app",
    "board.created": "Created an advisory board",
    "board.member_invited": "Invited a board member",
    "board.member_joined": "Joined the advisory board",
    "calibration.anchor_set": "Set a calibration anchor",
    "calibration.graded": "Graded a calibration sample",
    "cohort.created": "Created a cohort",
    "cohort.member_added": "Added someone to a cohort",
    "cohort.member_removed": "Removed someone from a cohort",
    "cohort.moved": "Moved a cohort to another pathway version",
    "cohort.enrolled": "Enrolled a cohort in a pathway",
    "competency.added": "Added a competency",
    "competency.updated": "Edited a competency",
    "competency.removed": "Removed a competency",
    "completion.recorded": "Recorded a module completion",
    "completion.voided": "Voided a module completion",
    "endorsement.issued": "Issued an endorsement",
    "enrolment.created": "Enrolled in a pathway",
    "equivalence.approved": "Approved an equivalence",
    "equivalence.withdrawn": "Withdrew an equivalence",
    "framework.created": "Created a competency framework",
    "framework.updated": "Edited a competency framework",
    "framework.published": "Published a competency framework",
    "framework.imported": "Imported a competency framework",
    "framework.updated_from_case": "Updated a competency framework from CASE",
    "framework.deleted": "Deleted a competency framework",
    "framework.import_started": "Uploaded a competency framework to import",
    "grade.changed": "Changed a grade",
    "grades.imported": "Imported grades",
    "grades.import_started": "Uploaded grades to import",
    "issuer.details_changed": "Changed the issuer details",
    "issuer.logo_changed": "Changed the issuer logo",
    "issuer.signing_changed": "Changed how credentials are signed",
    "certificate_template.created": "Created a certificate template",
    "certificate_template.draft_changed": "Changed a certificate template's draft",
    "certificate_template.signatory_set": "Set a signatory of a certificate template",
    "certificate_template.signatory_removed": (
        "Removed a signatory of a certificate template"
    ),
    "certificate_template.logo_changed": "Changed a certificate template's logo",
    "certificate_template.published": "Published a certificate template version",
    "certificate_template.made_default": "Made a certificate template the default",
    "certificate_template.chosen": "Chose a module or pathway's certificate template",
    "certificate_template.rerender_requested": (
        "Asked for certificates to be rendered again with a template's latest version"
    ),
    "key.created": "Made a signing key",
    "key.rotated": "Rotated the signing key",
    "key.compromised": "Reported a signing key compromised",
    "lti.platform_registered": "Registered a learning platform",
    "lti.platform_changed": "Edited a learning platform",
    "lti.platform_removed": "Removed a learning platform",
    "lti.tool_key_created": "Made Cairn's key for learning platforms",
    "lti.identity_linked": "Linked a learning platform's user to an account",
    "lti.letter_scale_changed": "Changed a learning platform's letter grades",
    "lti.course_sites_changed": "Changed a learning platform's course sites",
    "lti.award_rule_added": "Mapped course grades to a module",
    "lti.award_rule_removed": "Removed a mapping of course grades to a module",
    "lti.gradebook_column_switched_on": "Switched on a progress column in a course",
    "lti.gradebook_column_switched_off": "Switched off a progress column in a course",
    "lti.gradebook_column_gone": (
        "Stopped posting to a progress column deleted in the course's gradebook"
    ),
    "member.added": "Added a member",
    "board.changed": "Changed an advisory board's rules",
    "oauth_app.disconnected": "Disconnected an app from their account",
    "organization.branding_changed": "Changed the organization's e-mail branding",
    "profile.updated": "Changed their name from a wallet or app",
    "member.invited": "Invited someone to join",
    "member.invitation_withdrawn": "Withdrew an invitation",
    "member.joined": "Joined through an invitation",
    "member.role_granted": "Granted a role",
    "member.role_withdrawn": "Withdrew a role",
    "member.deactivated": "Deactivated a member",
    "member.reactivated": "Reactivated a member",
    "organization.created": "Created the organization",
    "module.stacking": "Set a module's stacking tags and prerequisite",
    "oauth_client.registered": "Registered an OAuth client",
    "oauth_client.removed": "Removed an OAuth client",
    "outcome.added": "Added an outcome",
    "outcome.updated": "Edited an outcome",
    "outcome.moved": "Moved an outcome",
    "outcome.removed": "Removed an outcome",
    "outcome.aligned": "Aligned an outcome to a competency",
    "outcome.unaligned": "Removed an outcome's competency",
    "pathway.completed": "Recorded a pathway completion",
    "pathway.awarded": "Awarded a pathway directly",
    "pathway.recertified": "Recertified a pathway completion",
    "pathway.voided": "Voided a pathway completion",
    "prerequisite.overridden": "Waived a prerequisite for one learner",
    "recognition.accepted": "Accepted prior learning",
    "recognition.declined": "Declined prior learning",
    "reevaluation.started": "Started re-evaluating a cohort",
    "review.submitted": "Sent a version to the advisory board",
    "review.interest_declared": "Declared interests in a review",
    "review.commented": "Commented in a review",
    "review.comment_answered": "Answered a review comment",
    "review.comment_resolved": "Resolved a review comment",
    "review.voted": "Voted in a review",
    "review.decided": "Decided a review",
    "review.withdrawn": "Withdrew a review",
    "roster.import_started": "Uploaded a roster to import",
    "roster.imported": "Imported a roster",
    "rubric.policy_set": "Set a rubric's kind and pass policy",
    "rubric.criterion_added": "Added a rubric criterion",
    "rubric.criterion_changed": "Edited a rubric criterion",
    "rubric.criterion_removed": "Removed a rubric criterion",
    "rubric.criterion_moved": "Moved a rubric criterion",
    "rubric.level_added": "Added a rubric level",
    "rubric.level_renamed": "Renamed a rubric level",
    "rubric.level_removed": "Removed a rubric level",
    "rubric.level_moved": "Moved a rubric level",
    "rubric.cell_changed": "Edited a rubric cell",
    "rubric.copied": "Copied a rubric",
    "rule.updated": "Changed a pathway rule",
    "service_account.created": "Made a service account",
    "service_account.deactivated": "Deactivated a service account",
    "sso.provider_added": "Added an identity provider",
    "sso.provider_changed": "Changed an identity provider",
    "sso.provider_removed": "Removed an identity provider",
    "sso.account_provisioned": "Signed in for the first time (account made)",
    "sso.account_linked": "Joined an account to the identity provider",
    "sso.signed_in": "Signed in through the identity provider",
    "sso.profile_updated": "Had their name updated by the identity provider",
    "sso.role_granted": "Was given a role by the identity provider",
    "sso.role_withdrawn": "Lost a role by the identity provider",
    "sso.sign_in_refused": "Sign-in through the identity provider refused",
    "submission.submitted": "Submitted evidence",
    "submission.graded": "Graded a submission",
    "submission.first_marked": "First-marked a submission",
    "submission.second_marked": "Second-marked a submission",
    "submission.sent_to_moderation": "Sent a submission to moderation",
    "submission.moderated": "Moderated a submission",
    "task.created": "Created an assessment task",
    "task.updated": "Edited an assessment task",
    "task.marking_policy_set": "Set a task's marking policy",
    "token.created": "Made an API token",
    "token.revoked": "Revoked an API token",
    "version.created": "Created a version",
    "version.updated": "Edited a version",
    "version.badge_designed": "Designed a badge",
    "version.badge_uploaded": "Uploaded a badge image",
    "version.badge_removed": "Removed a badge",
    "version.drafted": "Started a new draft from a version",
    "version.returned": "Sent a version back to draft",
    "version.submitted": "Submitted a version for review",
    "version.approved": "Approved a version",
    "version.published": "Published a version",
    "version.retired": "Retired a version",
    "vc_api.issued": "Signed a credential for another system",
    "vc_api.revoked": "Revoked a credential signed for another system",
    "vc_api.suspended": "Suspended a credential signed for another system",
    "vc_api.unsuspended": "Lifted the suspension of a credential signed for "
    "another system",
    "webhook.created": "Added a webhook",
    "webhook.updated": "Edited a webhook",
    "webhook.deleted": "Deleted a webhook",
    "webhook.secret_rotated": "Made a new webhook signing secret",
    "webhook.paused": "Paused a webhook",
    "webhook.resumed": "Resumed a webhook",
    "webhook.test_sent": "Sent a test event to a webhook",
    "webhook.delivery_resent": "Sent a webhook delivery again",
}

# Objects whose page is addressed by their primary key: linked from the entry
# with no query. Others (awards are addressed by uuid) are linked only when the
# entry's data names them, or not at all.
_AUDIT_OBJECT_URLS = {
    "curriculum.ModuleVersion": "curriculum:version-detail",
    "curriculum.CompetencyFramework": "curriculum:framework-detail",
    "curriculum.FrameworkImport": "curriculum:import-detail",
    "reviews.AdvisoryBoard": "reviews:board-detail",
    "reviews.Review": "reviews:review-detail",
    "assessments.AssessmentTask": "assessments:task-detail",
    "assessments.Submission": "assessments:submission-detail",
    "assessments.Cohort": "assessments:cohort-detail",
    "assessments.GradeImport": "assessments:grade-import-detail",
    "pathways.PathwayVersion": "pathways:version-detail",
    "accounts.RosterImport": "pathways:roster-detail",
}
# Objects shown on the organization's own issuer pages.
_AUDIT_ISSUER_URLS = {
    "credentials.SigningKey": "credentials:issuer",
    "credentials.IssuerProfile": "credentials:issuer",
    "accounts.Organization": "credentials:issuer",
    "curriculum.Organization": "credentials:issuer",  # entries from before the move
    "credentials.Endorsement": "credentials:endorsements",
    "integrations.WebhookSubscription": "integrations:webhook-list",
}


@dataclass(frozen=True)
class AuditRow:
    at: Any
    who: str
    username: str
    by_system: bool
    action: str
    words: str
    object_type: str
    object_id: str
    object_label: str
    url: str
    details: tuple[tuple[str, str], ...]
    reason: str


def audit_trail(
    organization: Organization,
    *,
    area: str = "",
    person: str = "",
    since: date | None = None,
    until: date | None = None,
    text: str = "",
) -> QuerySet[AuditEntry]:
    """The organization's audit entries, newest first, with their actors.

    `area` is an action's prefix ("award", "key"); every word of `person` must
    match the actor's username, first or last name, and "Cairn" finds what the
    system did; `since` and `until` are days in the current time zone, both
    included; every word of `text` must appear in the entry's data."""
    entries = AuditEntry.objects.filter(organization=organization).select_related(
        "actor"
    )
    if area:
        entries = entries.filter(action__startswith=f"{area}.")
    if person.strip().casefold() == AUDIT_SYSTEM_NAME.casefold():
        entries = entries.filter(actor__isnull=True)
    else:
        for word in person.split():
            entries = entries.filter(
                Q(actor__username__icontains=word)
                | Q(actor__first_name__icontains=word)
                | Q(actor__last_name__icontains=word)
            )
    if since:
        entries = entries.filter(at__gte=_start_of_day(since))
    if until:
        entries = entries.filter(at__lt=_start_of_day(until + timedelta(days=1)))
    if text.split():
        # The JSON as text: one code path on PostgreSQL (jsonb::text) and SQLite
        # (the stored JSON), where a lookup on the JSON column itself differs.
        entries = entries.annotate(data_text=Cast("data", TextField()))
        for word in text.split():
            entries = entries.filter(data_text__icontains=word)
    return entries.order_by("-at", "-pk")


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_areas(organization: Organization, asked: str = "") -> list[tuple[str, str]]:
    """(prefix, words) for each area the organization's entries fall in, and
    the area `asked` for if Cairn has it, entries or not: the pages link to
    their area's trail ("?area=sso"), which is empty, not an error, before
    anything happens there."""
    actions = (
        AuditEntry.objects.filter(organization=organization)
        .order_by()  # the model's ordering would defeat DISTINCT
        .values_list("action", flat=True)
        .distinct()
    )
    prefixes = {action.split(".", 1)[0] for action in actions}
    if asked in AUDIT_AREAS:
        prefixes.add(asked)
    return sorted(
        ((prefix, AUDIT_AREAS.get(prefix, prefix)) for prefix in prefixes),
        key=lambda choice: choice[1].casefold(),
    )


# Keys of an entry's data that hold a user's id; shown as the person's name.
AUDIT_PERSON_KEYS = frozenset({"learner", "user", "grader", "member", "moderator"})
AUDIT_BATCH = 500
# The fields that name an object in the trail, the first one it has.
TITLE_FIELDS = ("title", "name", "achievement_name")


def _entry_data(entry: AuditEntry) -> dict:
    return entry.data if isinstance(entry.data, dict) else {"data": entry.data}


def _people_named_in(entries: list[AuditEntry]) -> dict[int, str]:
    """The people the entries' data names by id, in one query: "Name (username)"."""
    ids = {
        value
        for entry in entries
        for key, value in _entry_data(entry).items()
        if key in AUDIT_PERSON_KEYS and isinstance(value, int)
    }
    if not ids:
        return {}
    found = get_user_model().objects.filter(pk__in=ids)
    return {
        user.pk: f"{user.get_full_name()} ({user.username})"
        if user.get_full_name()
        else user.username
        for user in found.only("pk", "username", "first_name", "last_name")
    }


def audit_rows(
    entries: Iterable[AuditEntry], organization: Organization
) -> Iterator[AuditRow]:
    """The entries in words, for the page and the CSV, in batches: each batch
    reads the people its details name in one query, so any number of entries
    takes a bounded number of queries per batch."""
    batch: list[AuditEntry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) == AUDIT_BATCH:
            yield from _rows_of(batch, organization)
            batch = []
    if batch:
        yield from _rows_of(batch, organization)


def _objects_named_in(entries: list[AuditEntry]) -> dict[tuple[str, str], str]:
    """What the entries are about, by title where the object has one: one
    query a kind of object. Through the app registry, so
    this bottom layer imports no other app."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        if entry.object_id.isdigit():
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    names = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        for pk, obj in model._default_manager.in_bulk([int(i) for i in ids]).items():
            # Its own fields only: a __str__ crossing relations would cost a
            # query an entry.
            title = next(
                (
                    value
                    for name in TITLE_FIELDS
                    if isinstance(value := getattr(obj, name, ""), str) and value
                ),
                "",
            )
            if title:
                names[(label, str(pk))] = title
    return names


def _rows_of(batch: list[AuditEntry], organization: Organization) -> list[AuditRow]:
    people = _people_named_in(batch)
    objects = _objects_named_in(batch)
    return [
        audit_row(entry, organization, people=people, objects=objects)
        for entry in batch
    ]


def audit_row(
    entry: AuditEntry,
    organization: Organization,
    *,
    people: dict[int, str] | None = None,
    objects: dict[tuple[str, str], str] | None = None,
) -> AuditRow:
    """One entry in words; `people` names the ids its data holds and `objects`
    what it is about (see audit_rows), otherwise they show as numbers."""
    people = people or {}
    named = (objects or {}).get((entry.object_type, entry.object_id))
    actor = entry.actor
    data = _entry_data(entry)
    reason = data.get("reason")
    return AuditRow(
        at=entry.at,
        who=(actor.get_full_name() or actor.username) if actor else AUDIT_SYSTEM_NAME,
        username=actor.username if actor else "",
        by_system=actor is None,
        action=entry.action,
        words=AUDIT_ACTIONS.get(entry.action, entry.action),
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_label=f"{_model_words(entry.object_type)}: {named}"
        if named
        else f"{_model_words(entry.object_type)} {entry.object_id}",
        url=_audit_url(entry, data, organization),
        details=tuple(
            (
                key.replace("_", " "),
                people.get(value, _detail_text(value))
                if key in AUDIT_PERSON_KEYS and isinstance(value, int)
                else _detail_text(value),
            )
            for key, value in data.items()
        ),
        reason=reason if isinstance(reason, str) else "",
    )


def _model_words(label: str) -> str:
    """ "credentials.SigningKey" -> "Signing key"."""
    name = label.rpartition(".")[2]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return words[:1] + words[1:].lower()


def _audit_url(entry: AuditEntry, data: dict, organization: Organization) -> str:
    if name := _AUDIT_OBJECT_URLS.get(entry.object_type):
        return (
            reverse(name, args=[entry.object_id]) if entry.object_id.isdigit() else ""
        )
    if name := _AUDIT_ISSUER_URLS.get(entry.object_type):
        return reverse(name, args=[organization.slug])
    award = data.get("award")
    if entry.action.startswith("award.") and isinstance(award, str):
        try:
            return reverse("credentials:verify", args=[uuid.UUID(award)])
        except ValueError:
            return ""
    return ""


def _detail_text(value: object) -> str:
    if value is None or value in ("", [], {}):
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_detail_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_detail_text(v) for v in value)
    return str(value)


AUDIT_CSV_HEADER = [
    "when",
    "who",
    "username",
    "action",
    "what",
    "object type",
    "object id",
    "reason",
    "details",
]


def audit_csv_rows(
    entries: QuerySet[AuditEntry], organization: Organization
) -> Iterator[list[str]]:
    """The header, then one row per entry, read in chunks so that any number
    of entries streams in bounded memory."""
    yield AUDIT_CSV_HEADER
    for row in audit_rows(entries.iterator(chunk_size=AUDIT_BATCH), organization):
        yield [
            timezone.localtime(row.at).isoformat(),
            row.who,
            row.username,
            row.action,
            row.words,
            row.object_type,
            row.object_id,
            row.reason,
            "\n".join(
                f"{key}: {value}" for key, value in row.details if key != "reason"
            ),
        ]
