"""Bulk awards: an organization's admin awards a module or a pathway directly
to a list of people from a CSV (issue 16).

A dry run checks every row and stores nothing when a row is wrong; a file that
passes is kept, and its awards are made by a bulk job (accounts/jobs.py) in one
transaction: all rows or none. A module award is a ModuleCompletion of source
AWARDED recorded through assessments' record_completion, a pathway award a
PathwayCompletion through pathways' award_pathway: stacking and issuing follow
from their signals as for any completion. Uploading the same file again awards
nothing twice: a row whose person, achievement and issue date were awarded
already says so."""

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from accounts import csvsafe, jobs
from accounts.audit import log_action
from accounts.models import MemberNumber, Membership, Organization
from accounts.people.roster import Problem
from assessments.models import ModuleCompletion
from assessments.services import record_completion
from config.celery import send_each
from credentials import tasks
from credentials.bulk_models import BulkAward, DirectAward
from credentials.bulk_sheet import AwardRow, BulkFileError, read_awards
from credentials.models import Award
from credentials.permissions import can_manage_credentials
from curriculum.models import ModuleVersion
from pathways import services as pathway_services
from pathways.models import PathwayCompletion, PathwayVersion

SHOWN_PROBLEMS = 500  # the page lists this many; the count says how many more
PROGRESS_EVERY = 25  # rows between two progress reports

ALREADY_AWARDED = "already awarded"
ALREADY_HOLDS = "already holds it"
AWARDED = "awarded"

__all__ = ["BulkFileError"]


@dataclass
class AwardPlan:
    """What the job would award, and why it cannot yet."""

    rows: list[AwardRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    people: dict[int, AbstractBaseUser] = field(default_factory=dict)  # by line
    targets: dict[int, ModuleVersion | PathwayVersion] = field(default_factory=dict)
    outcome: dict[int, str] = field(default_factory=dict)  # by line
    counts: dict[str, int] = field(default_factory=dict)


def _deny(by: AbstractBaseUser, organization: Organization) -> None:
    if not can_manage_credentials(by, organization):
        raise ValidationError("Only the organization's admins make bulk awards.")


def _achievements(organization: Organization) -> dict[str, list]:
    """The latest published version of each module and pathway, under its code
    and its title (casefolded); a name may point to several."""
    found: dict[str, list] = {}
    latest: dict[tuple, ModuleVersion | PathwayVersion] = {}
    for version in (
        ModuleVersion.objects.published()
        .filter(module__organization=organization)
        .select_related("module__organization")
        .order_by("number")
    ):
        latest[("module", version.module_id)] = version
    for version in (
        PathwayVersion.objects.published()
        .filter(pathway__organization=organization)
        .select_related("pathway__organization")
        .order_by("number")
    ):
        latest[("pathway", version.pathway_id)] = version
    for version in latest.values():
        for name in {version.code.casefold(), version.title.casefold()}:
            found.setdefault(name, []).append(version)
    return found


def _people(organization: Organization, rows: list[AwardRow]):
    """Members of the organization by student number and by e-mail."""
    members = Membership.objects.filter(organization=organization).values("user_id")
    numbers = {row.number for row in rows if row.number}
    by_number = {
        number.casefold(): user
        for number, user in MemberNumber.objects.filter(
            organization=organization, number__in=numbers
        ).values_list("number", "user")
    }
    emails = {row.email.lower() for row in rows if row.email}
    users = get_user_model().objects.filter(pk__in=members)
    by_email: dict[str, AbstractBaseUser] = {}
    if emails:
        found = users.annotate(lowered=Lower("email")).filter(lowered__in=emails)
        for user in found.order_by("pk"):
            by_email.setdefault(user.email.lower(), user)
    by_pk = {user.pk: user for user in users.filter(pk__in=set(by_number.values()))} | {
        user.pk: user for user in by_email.values()
    }
    return {k: by_pk[v] for k, v in by_number.items() if v in by_pk}, by_email


def plan_awards(organization: Organization, raw: bytes) -> AwardPlan:
    """Read and check the file against the organization as it is now; raises
    BulkFileError when the file cannot be read at all."""
    sheet = read_awards(raw, today=timezone.localdate())
    plan = AwardPlan(rows=sheet.rows, problems=list(sheet.problems))
    by_number, by_email = _people(organization, sheet.rows)
    names = _achievements(organization)

    def problem(row: AwardRow, key: str, message: str) -> None:
        plan.problems.append(Problem(row.line, sheet.heading(key), message))

    for row in sheet.rows:
        person = None
        if row.number:
            person = by_number.get(row.number.casefold())
            if person is None:
                problem(
                    row,
                    "number",
                    f"nobody in {organization} has the number “{row.number}”.",
                )
        if row.email:
            found = by_email.get(row.email.lower())
            if found is None:
                problem(
                    row,
                    "email",
                    f"nobody in {organization} has the e-mail “{row.email}”.",
                )
            elif person is not None and found.pk != person.pk:
                problem(
                    row, "email", "belongs to someone other than the student number."
                )
            person = person or found
        versions = names.get(row.achievement.casefold(), [])
        if not versions:
            problem(
                row,
                "achievement",
                f"no published module or pathway of {organization} has the code or "
                f"title “{row.achievement}”.",
            )
        elif len(versions) > 1:
            problem(
                row,
                "achievement",
                f"“{row.achievement}” names {len(versions)} achievements ("
                + ", ".join(v.code for v in versions)
                + "): write the code.",
            )
        if person is not None and len(versions) == 1:
            plan.people[row.line] = person
            plan.targets[row.line] = versions[0]
    plan.problems.sort(key=lambda p: p.line)
    _outcomes(plan)
    return plan


def _outcomes(plan: AwardPlan) -> None:
    """What each good row will do: award, or nothing (awarded already by a
    bulk award, or the person holds the achievement already)."""
    learners = {person.pk for person in plan.people.values()}
    awarded = set()
    for values in DirectAward.objects.filter(learner_id__in=learners).values_list(
        "learner_id",
        "module_version__module_id",
        "pathway_version__pathway_id",
        "issued_on",
    ):
        learner, module, pathway, issued_on = values
        kind, pk = ("module", module) if module else ("pathway", pathway)
        awarded.add((learner, kind, pk, issued_on))
    held = set(
        ModuleCompletion.objects.live()
        .filter(learner_id__in=learners)
        .values_list("learner_id", "version_id")
    )
    held_paths = set(
        PathwayCompletion.objects.live()
        .filter(learner_id__in=learners)
        .values_list("learner_id", "version_id")
    )
    dates = {row.line: row.issued_on for row in plan.rows}
    for line, version in plan.targets.items():
        learner = plan.people[line].pk
        row_date = dates[line]
        if isinstance(version, ModuleVersion):
            key, holds = ("module", version.module_id), (learner, version.pk) in held
        else:
            key, holds = (
                ("pathway", version.pathway_id),
                (learner, version.pk) in held_paths,
            )
        if (learner, *key, row_date) in awarded:
            plan.outcome[line] = ALREADY_AWARDED
        elif holds:
            plan.outcome[line] = ALREADY_HOLDS
        else:
            plan.outcome[line] = AWARDED
    values = list(plan.outcome.values())
    plan.counts = {
        "rows": len(plan.rows),
        "to_award": values.count(AWARDED),
        "modules": sum(
            1
            for line, v in plan.targets.items()
            if plan.outcome[line] == AWARDED and isinstance(v, ModuleVersion)
        ),
        "already_awarded": values.count(ALREADY_AWARDED),
        "already_held": values.count(ALREADY_HOLDS),
        "people": len(learners),
    }
    plan.counts["pathways"] = plan.counts["to_award"] - plan.counts["modules"]


# ------------------------------------------------------------ dry run, start


def read_upload(upload: UploadedFile) -> bytes:
    if upload.size > settings.CAIRN_MAX_UPLOAD_BYTES:
        raise BulkFileError("The file is too large; nothing was awarded.")
    upload.seek(0)
    return upload.read()


@transaction.atomic
def check_bulk_award(
    organization: Organization, *, by: AbstractBaseUser, upload: UploadedFile
) -> tuple[AwardPlan, BulkAward | None]:
    """The dry run: every row checked. A clean file is kept, ready to award
    (nothing else changes); a file with problems is not kept at all."""
    _deny(by, organization)
    plan = plan_awards(organization, read_upload(upload))
    if plan.problems:
        return plan, None
    upload.seek(0)
    job = BulkAward(
        organization=organization,
        filename=upload.name[:200],
        rows=len(plan.rows),
        plan=plan.counts,
        created_by=by,
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    log_action(
        by,
        "bulk_award.checked",
        job,
        organization=organization,
        filename=job.filename,
        **plan.counts,
    )
    return plan, job


@transaction.atomic
def start_bulk_award(job: BulkAward, *, by: AbstractBaseUser) -> BulkAward:
    """Queue a checked file's awards on the bulk queue (once)."""
    _deny(by, job.organization)
    claimed = BulkAward.objects.filter(
        pk=job.pk, status=BulkAward.Status.CHECKED
    ).update(status=BulkAward.Status.PENDING)
    job.refresh_from_db()
    if not claimed:
        return job
    log_action(
        by,
        "bulk_award.started",
        job,
        organization=job.organization,
        filename=job.filename,
        rows=job.rows,
    )
    tasks.run_bulk_award.delay_on_commit(job.pk)
    return job


# ------------------------------------------------------------------- the job


def progress_key(job_id: int) -> str:
    return f"credentials:bulk-award:{job_id}:progress"


def bulk_progress(job: BulkAward) -> tuple[int, int]:
    """(done, total) of a running job, as its task last reported."""
    done, total = cache.get(progress_key(job.pk), (0, job.rows))
    return done, total


def _moment(day: date) -> datetime:
    """Noon of the day in the site's zone; now, for today before noon (a
    credential is never valid from a time still to come)."""
    return min(timezone.make_aware(datetime.combine(day, time(12))), timezone.now())


@transaction.atomic
def award_all(
    job: BulkAward, *, raw: bytes, progress: Callable[[int, int], None] | None = None
) -> dict:
    """Every row's award, or none: one transaction. The rows are checked again
    first (people and achievements may have changed since the dry run)."""
    by = job.created_by
    _deny(by, job.organization)
    plan = plan_awards(job.organization, raw)
    if plan.problems:
        raise ValidationError([str(problem) for problem in plan.problems])
    outcomes = []
    total = len(plan.rows)
    for done, row in enumerate(plan.rows, start=1):
        version = plan.targets[row.line]
        outcome = plan.outcome[row.line]
        completion = None
        if outcome == AWARDED:
            completion, outcome = _award(job, row, plan.people[row.line], version)
        outcomes.append(
            [
                row.line,
                row.person,
                row.achievement,
                row.issued_on.isoformat(),
                row.narrative,
                row.evidence_url,
                outcome,
                "module" if isinstance(version, ModuleVersion) else "pathway",
                completion.pk if completion else None,
            ]
        )
        if progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    counts = [outcome[6] for outcome in outcomes]
    result = {
        "rows": total,
        "awarded": counts.count(AWARDED),
        "already_awarded": counts.count(ALREADY_AWARDED),
        "already_held": counts.count(ALREADY_HOLDS),
    }
    job.outcomes = outcomes
    log_action(
        by,
        "bulk_award.done",
        job,
        organization=job.organization,
        filename=job.filename,
        **result,
    )
    return result


def _award(job: BulkAward, row: AwardRow, learner, version):
    on = _moment(row.issued_on)
    common = {
        "job": job,
        "line": row.line,
        "learner": learner,
        "issued_on": row.issued_on,
        "expires_on": row.expires_on,
        "narrative": row.narrative,
        "evidence_url": row.evidence_url,
    }
    if isinstance(version, ModuleVersion):
        completion = record_completion(
            learner,
            version,
            source=ModuleCompletion.Source.AWARDED,
            by=job.created_by,
            on=on,
        )
        if completion.source != ModuleCompletion.Source.AWARDED or (
            completion.completed_at != on
        ):
            return completion, ALREADY_HOLDS  # recorded meanwhile by another way
        DirectAward.objects.create(
            module_version=version, module_completion=completion, **common
        )
        return completion, AWARDED
    completion, made = pathway_services.award_pathway(
        learner,
        version,
        on=on,
        expires_at=(
            timezone.make_aware(datetime.combine(row.expires_on, time(12)))
            if row.expires_on
            else None
        ),
        by=job.created_by,
    )
    if not made:
        return completion, ALREADY_HOLDS
    DirectAward.objects.create(
        pathway_version=version, pathway_completion=completion, **common
    )
    return completion, AWARDED


def run_bulk_award(job: BulkAward) -> BulkAward:
    """Award a waiting job's rows; a second run of the same job does nothing."""
    if not jobs.claim(BulkAward, job.pk):
        return BulkAward.objects.get(pk=job.pk)
    job.refresh_from_db()

    def report(done: int, total: int) -> None:
        cache.set(progress_key(job.pk), (done, total), timeout=3600)

    report(0, job.rows)
    try:
        with job.file.open("rb") as handle:
            raw = handle.read()
        with transaction.atomic():
            # Held to the end: a running job whose row is free has lost its
            # worker (accounts/jobs.py). Marked done in the same transaction.
            jobs.hold(BulkAward, job.pk)
            result = award_all(job, raw=raw, progress=report)
            _finish(job, BulkAward.Status.DONE, result=result)
    except ValidationError as error:
        _finish(job, BulkAward.Status.FAILED, errors=error.messages)
    except Exception:
        # Rolled back; the page must not show "awarding" for ever. The error
        # itself goes to the worker's log.
        _finish(
            job,
            BulkAward.Status.FAILED,
            errors=["The job stopped on an unexpected error; nothing was awarded."],
        )
        raise
    return job


def _finish(job: BulkAward, status: str, *, errors=(), result=None) -> None:
    job.status = status
    job.errors = list(errors)
    job.result = result or {}
    job.finished_at = timezone.now()
    if status != BulkAward.Status.DONE:
        job.outcomes = []
    job.save(update_fields=["status", "errors", "result", "finished_at", "outcomes"])


def sweep_bulk_awards(*, now: datetime | None = None) -> int:
    """Queue again every bulk award a lost message never started and every one
    whose worker died (accounts/jobs.py); how many."""
    return send_each(
        tasks.run_bulk_award, jobs.jobs_to_run(BulkAward, now=now), queue="bulk"
    )


# ---------------------------------------------------------------- the report

REPORT_HEADER = [
    "line",
    "person",
    "achievement",
    "issue_date",
    "narrative",
    "evidence_url",
    "outcome",
    "credential",
]


def result_report(job: BulkAward, *, absolute: Callable[[str], str]) -> str:
    """The job's result, one line a row, through the formula-safe writer."""
    module_ids = [o[8] for o in job.outcomes if o[7] == "module" and o[8]]
    pathway_ids = [o[8] for o in job.outcomes if o[7] == "pathway" and o[8]]
    awards = Award.objects.filter(
        Q(module_completion_id__in=module_ids)
        | Q(pathway_completion_id__in=pathway_ids)
    ).values_list("module_completion_id", "pathway_completion_id", "uuid")
    links = {}
    for module, pathway, uuid in awards:
        links[("module", module) if module else ("pathway", pathway)] = uuid
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(REPORT_HEADER)
    for (
        line,
        person,
        achievement,
        day,
        narrative,
        url,
        outcome,
        kind,
        pk,
    ) in job.outcomes:
        uuid = links.get((kind, pk))
        link = absolute(reverse("credentials:verify", args=[uuid])) if uuid else ""
        writer.writerow([line, person, achievement, day, narrative, url, outcome, link])
    return out.getvalue()
