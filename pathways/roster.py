"""Roster imports: a registrar's CSV makes people members with roles (the
accounts half, accounts.people), puts them in cohorts (assessments) and enrols
learners in pathways (here). It lives in pathways, the highest of the three
apps, so that it may import all it needs (docs/decisions/0009).

A dry run checks every row and stores nothing when a row is wrong; a file that
passes is kept, and its import runs as one transaction in a bulk task: all rows
or none. Importing the same file again changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts import jobs
from accounts.audit import audit_entry, log_action, log_actions
from accounts.models import Membership, Organization, RosterImport
from accounts.people import selectors as people_selectors
from accounts.people import services as people_services
from accounts.people.permissions import can_manage_people
from accounts.people.roster import Problem, RosterFileError, read_roster
from assessments.models import Cohort
from pathways import services, tasks
from pathways.models import Enrolment, PathwayVersion
from pathways.permissions import can_manage_cohorts

Role = Membership.Role
BATCH = 1000  # rows per bulk insert
SHOWN_PROBLEMS = 500  # the page lists this many; the count says how many more


@dataclass
class RosterPlan:
    """What an import of the file would do, and why it cannot yet."""

    rows: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    matches: object = None
    versions: dict[str, PathwayVersion] = field(default_factory=dict)
    cohorts: dict[str, Cohort] = field(default_factory=dict)


def _latest_published(organization: Organization, codes: set[str]):
    found: dict[str, PathwayVersion] = {}
    for version in (
        PathwayVersion.objects.published()
        .filter(pathway__organization=organization)
        .select_related("pathway__organization")
        .order_by("number")
    ):
        if version.pathway.code.casefold() in codes:
            found[version.pathway.code.casefold()] = version  # the last is newest
    return found


def plan_roster(organization: Organization, raw: bytes) -> RosterPlan:
    """Read and check the file against the organization as it is now; raises
    RosterFileError when the file cannot be read at all."""
    sheet = read_roster(raw)
    matches = people_selectors.roster_matches(organization, sheet)
    problems = sheet.problems + matches.problems
    versions = _latest_published(
        organization, {row.pathway.casefold() for row in sheet.rows if row.pathway}
    )
    for row in sheet.rows:
        if row.pathway and row.pathway.casefold() not in versions:
            problems.append(
                Problem(
                    row.line,
                    sheet.heading("pathway"),
                    f"no published pathway has the code “{row.pathway}” here.",
                )
            )
    problems.sort(key=lambda problem: problem.line)
    cohorts = {
        cohort.name.casefold(): cohort
        for cohort in Cohort.objects.filter(organization=organization)
    }
    plan = RosterPlan(
        rows=sheet.rows,
        problems=problems,
        matches=matches,
        versions=versions,
        cohorts=cohorts,
    )
    plan.counts = _counts(plan)
    return plan


def _counts(plan: RosterPlan) -> dict[str, int]:
    matches = plan.matches
    new_roles = sum(
        1
        for row in plan.rows
        if row.line not in matches.users
        or row.role not in matches.roles.get(matches.users[row.line].pk, set())
    )
    new_cohorts = {
        row.cohort.casefold()
        for row in plan.rows
        if row.cohort and row.cohort.casefold() not in plan.cohorts
    }
    return {
        "rows": len(plan.rows),
        "new_people": sum(1 for row in plan.rows if row.line not in matches.users),
        "known_people": len(matches.users),
        "new_roles": new_roles,
        "new_cohorts": len(new_cohorts),
        "in_cohorts": sum(1 for row in plan.rows if row.cohort),
        "in_pathways": sum(1 for row in plan.rows if row.pathway),
    }


# -------------------------------------------------------------- the import


@transaction.atomic
def import_roster(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    raw: bytes,
    source: RosterImport,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Every row of the roster, or none: one transaction. The rows are checked
    again first (people may have changed since the dry run)."""
    if not can_manage_people(by, organization):
        raise ValidationError("Only the organization's admins import rosters.")
    organization = Organization.objects.select_for_update(no_key=True).get(
        pk=organization.pk
    )
    plan = plan_roster(organization, raw)
    if plan.problems:
        raise ValidationError([str(problem) for problem in plan.problems])
    total = 3 * len(plan.rows)

    def report(done: int) -> None:
        if progress:
            progress(done, total)

    users = people_services.provision_roster_people(
        organization,
        by=by,
        rows=plan.rows,
        matches=plan.matches,
        source=source,
        progress=report,
    )
    report(len(plan.rows))
    added = _fill_cohorts(organization, plan, users, by=by, source=source)
    report(2 * len(plan.rows))
    enrolled = _enrol(plan, users, by=by, source=source)
    report(total)
    result = {**plan.counts, "cohort_places": added, "enrolments": enrolled}
    log_action(
        by,
        "roster.imported",
        source,
        organization=organization,
        filename=source.filename,
        **result,
    )
    return result


def _fill_cohorts(organization, plan: RosterPlan, users, *, by, source) -> int:
    cohorts = dict(plan.cohorts)
    names: dict[str, str] = {}
    for row in plan.rows:
        if row.cohort and row.cohort.casefold() not in cohorts:
            names.setdefault(row.cohort.casefold(), row.cohort)
    for created in Cohort.objects.bulk_create(
        [Cohort(organization=organization, name=name) for name in names.values()]
    ):
        cohorts[created.name.casefold()] = created
        log_action(by, "cohort.created", created, organization=organization)
    added = 0
    entries = []
    for relation, role in (("learners", Role.LEARNER), ("graders", Role.FACULTY)):
        through = getattr(Cohort, relation).through
        wanted = {
            (cohorts[row.cohort.casefold()].pk, users[row.line].pk)
            for row in plan.rows
            if row.cohort and row.role == role
        }
        if not wanted:
            continue
        present = set(
            through.objects.filter(
                cohort_id__in={cohort for cohort, _ in wanted}
            ).values_list("cohort_id", "user_id")
        )
        missing = sorted(wanted - present)
        through.objects.bulk_create(
            [through(cohort_id=c, user_id=u) for c, u in missing], batch_size=BATCH
        )
        by_pk = {cohort.pk: cohort for cohort in cohorts.values()}
        entries += [
            audit_entry(
                by,
                "cohort.member_added",
                by_pk[cohort_id],
                organization=organization,
                user=user_id,
                role=role,
                roster=source.pk,
            )
            for cohort_id, user_id in missing
        ]
        added += len(missing)
    log_actions(entries)
    return added


def _enrol(plan: RosterPlan, users, *, by, source) -> int:
    wanted = {
        (users[row.line].pk, plan.versions[row.pathway.casefold()].pk)
        for row in plan.rows
        if row.pathway
    }
    if not wanted:
        return 0
    present = set(
        Enrolment.objects.filter(
            version_id__in={version for _, version in wanted}
        ).values_list("learner_id", "version_id")
    )
    missing = sorted(wanted - present)
    now = timezone.now()
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(learner_id=learner, version_id=version, enrolled_at=now)
            for learner, version in missing
        ],
        batch_size=BATCH,
    )
    new_accounts = {
        users[row.line].pk for row in plan.rows if row.line not in plan.matches.users
    }
    return _after_enrolling(
        enrolments,
        plan.versions.values(),
        by=by,
        reason=f"Roster {source.filename} enrolled learners",
        new_accounts=new_accounts,
        source=source,
    )


def _after_enrolling(
    enrolments, versions, *, by, reason: str, new_accounts=frozenset(), source=None
) -> int:
    """Audit new enrolments, and re-evaluate (one batched job per pathway) the
    versions that gained learners who may hold completions already; accounts
    made by this import hold none."""
    by_pk = {version.pk: version for version in versions}
    log_actions(
        [
            audit_entry(
                by,
                "enrolment.created",
                enrolment,
                organization=by_pk[enrolment.version_id].organization,
                learner=enrolment.learner_id,
                **({"roster": source.pk} if source else {}),
            )
            for enrolment in enrolments
        ]
    )
    for version_id in sorted(
        {e.version_id for e in enrolments if e.learner_id not in new_accounts}
    ):
        services.start_reevaluation(by_pk[version_id], by=by, reason=reason)
    return len(enrolments)


# -------------------------------------------------------- jobs and progress


def progress_key(job_id: int) -> str:
    return f"pathways:roster:{job_id}:progress"


def roster_progress(job: RosterImport) -> tuple[int, int]:
    """(done, total) of a running import, as its task last reported."""
    done, total = cache.get(progress_key(job.pk), (0, 0))
    return done, total


def read_upload(upload: UploadedFile) -> bytes:
    if upload.size > settings.CAIRN_MAX_UPLOAD_BYTES:
        raise RosterFileError("The file is too large; nothing was imported.")
    upload.seek(0)
    return upload.read()


@transaction.atomic
def check_roster_upload(
    organization: Organization, *, by: AbstractBaseUser, upload: UploadedFile
) -> tuple[RosterPlan, RosterImport | None]:
    """The dry run: every row checked. A clean file is kept, ready to import
    (nothing else changes); a file with problems is not kept at all."""
    if not can_manage_people(by, organization):
        raise ValidationError("Only the organization's admins import rosters.")
    raw = read_upload(upload)
    plan = plan_roster(organization, raw)
    if plan.problems:
        return plan, None
    upload.seek(0)
    job = RosterImport(
        organization=organization,
        filename=upload.name[:200],
        rows=len(plan.rows),
        plan=plan.counts,
        created_by=by,
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    return plan, job


@transaction.atomic
def start_roster_import(job: RosterImport, *, by: AbstractBaseUser) -> RosterImport:
    """Queue a checked roster's import on the bulk queue (once)."""
    if not can_manage_people(by, job.organization):
        raise ValidationError("Only the organization's admins import rosters.")
    claimed = RosterImport.objects.filter(
        pk=job.pk, status=RosterImport.Status.CHECKED
    ).update(status=RosterImport.Status.PENDING)
    job.refresh_from_db()
    if not claimed:
        return job
    log_action(
        by,
        "roster.import_started",
        job,
        organization=job.organization,
        filename=job.filename,
        rows=job.rows,
    )
    tasks.run_roster_import.delay_on_commit(job.pk)
    return job


def run_roster_import(job: RosterImport) -> RosterImport:
    """Import a waiting roster; a second run of the same job does nothing."""
    if not jobs.claim(RosterImport, job.pk):
        return RosterImport.objects.get(pk=job.pk)
    job.refresh_from_db()

    def report(done: int, total: int) -> None:
        cache.set(progress_key(job.pk), (done, total), timeout=3600)

    try:
        with job.file.open("rb") as handle:
            raw = handle.read()
        with transaction.atomic():
            # Held to the end: a running job whose row is free has lost its
            # worker (accounts/jobs.py). Marked done in the same transaction.
            jobs.hold(RosterImport, job.pk)
            result = import_roster(
                job.organization,
                by=job.created_by,
                raw=raw,
                source=job,
                progress=report,
            )
            _finish(job, RosterImport.Status.DONE, result=result)
    except ValidationError as error:
        _finish(job, RosterImport.Status.FAILED, errors=error.messages)
    except Exception:
        # Rolled back; the page must not show "importing" for ever. The error
        # itself goes to the worker's log.
        _finish(
            job,
            RosterImport.Status.FAILED,
            errors=["The import stopped on an unexpected error; nothing was imported."],
        )
        raise
    return job


def _finish(job: RosterImport, status: str, *, errors=(), result=None) -> None:
    job.status = status
    job.errors = list(errors)
    job.result = result or {}
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "errors", "result", "finished_at"])


# ------------------------------------------------------------ cohort enrolment


@transaction.atomic
def enrol_cohort(
    cohort: Cohort, version: PathwayVersion, *, by: AbstractBaseUser
) -> int:
    """Enrol every learner of a cohort in a published pathway version; those
    enrolled already stay as they are. Returns how many were enrolled."""
    if not can_manage_cohorts(by, cohort.organization):
        raise ValidationError("Only the organization's admins enrol cohorts.")
    if version.organization.pk != cohort.organization_id:
        raise ValidationError("The pathway belongs to another organization.")
    if version.status != PathwayVersion.Status.PUBLISHED:
        raise ValidationError("Enrol cohorts only in a published pathway version.")
    learners = set(
        Membership.objects.filter(
            organization=cohort.organization,
            role=Role.LEARNER,
            user__in=cohort.learners.all(),
        ).values_list("user_id", flat=True)
    )
    present = set(
        Enrolment.objects.filter(version=version, learner_id__in=learners).values_list(
            "learner_id", flat=True
        )
    )
    now = timezone.now()
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(learner_id=learner, version=version, enrolled_at=now)
            for learner in sorted(learners - present)
        ],
        batch_size=BATCH,
    )
    count = _after_enrolling(
        enrolments, [version], by=by, reason=f"Cohort {cohort} enrolled"
    )
    log_action(
        by,
        "cohort.enrolled",
        cohort,
        organization=cohort.organization,
        pathway=str(version),
        enrolled=count,
    )
    return count
