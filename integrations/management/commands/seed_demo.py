"""Load the demo: one college, a pathway of three modules, a login per role,
learners at three stages, and the six months of grading, completions and awards
behind them. Running it again changes nothing.

It lives in the top app because it composes every app's demo, the
integrations' (an LTI platform) included: no lower app imports integrations."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.lifecycle import demo as lifecycle_demo
from accounts.models import AuditEntry, Membership, Organization
from accounts.people import demo as people_demo
from assessments import demo as assessments_demo
from assessments import services as assessments
from assessments.models import Grade, Mark, ModuleCompletion, Submission
from credentials import demo as credentials_demo
from credentials import services as credentials
from credentials.models import Award, SigningKey
from curriculum import demo as curriculum_demo
from curriculum import services as curriculum
from integrations.demo_catalogue import (
    LEVELS,
    MAX_ATTEMPTS,
    MODULES,
    PASS_MIN_LEVEL,
    PASS_MIN_TOTAL,
    RETAKE_WAIT_DAYS,
    add_person,
    add_skills,
    build_module,
)
from integrations.lti import demo as lti_demo
from pathways import demo as pathways_demo
from pathways import services as pathways
from pathways.models import Enrolment, PathwayCompletion
from reviews import demo as reviews_demo

# Each app adds its own part of the demo, in dependency order.
DEMO_EXTENSIONS = [
    people_demo.extend_demo,
    lifecycle_demo.extend_demo,
    curriculum_demo.extend_demo,
    assessments_demo.extend_demo,
    pathways_demo.extend_demo,
    reviews_demo.extend_demo,
    credentials_demo.extend_demo,
    lti_demo.extend_demo,
]

PASSWORD = "cairn-demo"
Role = Membership.Role

PEOPLE = [
    ("dana", "Dana", "Okafor", Role.DESIGNER),
    ("riley", "Riley", "Brennan", Role.REVIEWER),
    ("farah", "Farah", "Haddad", Role.FACULTY),
    ("omar", "Omar", "Sato", Role.FACULTY),
    ("ada", "Ada", "Lindqvist", Role.ADMIN),
    ("lena", "Lena", "Marsh", Role.LEARNER),
    ("liam", "Liam", "Novak", Role.LEARNER),
    ("lucy", "Lucy", "Tran", Role.LEARNER),
]
STAGES = {
    "lena": "has completed the pathway (credentials, PDFs and verification pages)",
    "liam": "is halfway: one module done, a second waiting in the grading queue",
    "lucy": "has just enrolled",
    "omar": "second-marks what Farah grades when a task asks for a second opinion",
}
# The rest of the college, met in the history: learners who enrolled month by
# month. They have no password: they are not demo logins.
COHORT = [
    ("amara", "Amara", "Okoye"),
    ("ben", "Ben", "Fischer"),
    ("chen", "Chen", "Wei"),
    ("dara", "Dara", "Kelly"),
    ("elif", "Elif", "Demir"),
    ("felix", "Felix", "Moreau"),
]


# ------------------------------------------------------------------ history

DAY = timedelta(days=1)
HISTORY_DAYS = 180  # the history starts about six months before the seed runs
# The same history, relative to today, on every run; this one has retakes,
# second marks, a learner who stopped and two pathway completions.
HISTORY_SEED = 2868
# Level positions (0 = "Not yet"), one per criterion.
STANDARD_PASS = (3, 2, 2)
PASSES = [(3, 2, 2), (2, 2, 2), (3, 3, 2), (2, 3, 2), (3, 3, 3), (2, 2, 3)]
NOT_YET = (2, 1, 1)
NOT_YETS = [(2, 1, 1), (1, 1, 2), (2, 0, 2), (1, 2, 1)]
FEEDBACK = [
    "Not shown yet: see what Developing asks for.",
    "Partly there: say how your evidence meets it.",
    "Clear and well evidenced.",
    "Exemplary: others could learn from this.",
]


def latest_audit_entry() -> int:
    return AuditEntry.objects.aggregate(last=Max("pk"))["last"] or 0


def date_audit_entries(after: int, when: datetime) -> None:
    """Date what the services just wrote to the audit trail (entries after
    `after`) when the history says it happened, as their records are."""
    AuditEntry.objects.filter(pk__gt=after).update(at=when)


def is_pass(levels: tuple[int, ...]) -> bool:
    points = [LEVELS[position].points for position in levels]
    return min(levels) >= PASS_MIN_LEVEL and sum(points) >= PASS_MIN_TOTAL


@dataclass(frozen=True)
class Attempt:
    """One piece of work in the history. Times are days before the seed runs;
    work without first_marked still waits for a grader."""

    learner: str
    code: str
    submitted: float
    first_marked: float | None = None
    second_mark_after: float = 2.0  # days, when the task asks for a second mark
    levels: tuple[int, ...] = STANDARD_PASS
    second_levels: tuple[int, ...] | None = None  # None: the same as levels
    first_marker: str = "farah"
    text: str = ""

    @property
    def passes(self) -> bool:
        return is_pass(self.levels)


# The three demo learners' stages: the days before the seed each enrolled, then
# their work. Lena failed the report once and passed it after the retake wait;
# Liam's chart waits in Farah's queue; Lucy has only just enrolled.
STAGE_ENROLMENTS = {"lena": 172.0, "liam": 80.0, "lucy": 2.5}
STAGE_WORK = [
    Attempt("lena", "SHEET-101", 158.3, 155.1),
    Attempt("lena", "VIZ-102", 112.6, 107.9),
    Attempt("lena", "REPORT-103", 63.4, 58.2, levels=NOT_YET),
    Attempt("lena", "REPORT-103", 44.5, 41.2),
    Attempt("liam", "SHEET-101", 52.2, 49.6),
    Attempt(
        "liam",
        "VIZ-102",
        1.8,
        text="My quarterly chart compares revenue by region as a bar chart, "
        "sorted, with units on the axis. Notes explain the dip in March.",
    ),
]


def second_opinion(rng: random.Random, levels: tuple[int, ...]) -> tuple[int, ...]:
    """A second marker's levels: the same, or one criterion a level apart with
    the same verdict (the charts task tolerates a point between graders)."""
    if rng.random() < 0.5:
        return levels
    nearby = [
        levels[:i] + (other,) + levels[i + 1 :]
        for i, level in enumerate(levels)
        for other in (level - 1, level + 1)
        if 0 <= other < len(LEVELS)
    ]
    return rng.choice([n for n in nearby if is_pass(n) == is_pass(levels)] or [levels])


def cohort_work(rng: random.Random, learner: str, enrolled: float) -> list[Attempt]:
    """A cohort learner's modules in pathway order, a few weeks apart, with now
    and then a fail and a retake after the wait; some stop on the way. Nothing
    is handed in during the last two weeks, so all of it has been graded."""
    work = []
    day = enrolled - rng.uniform(6, 20)
    for plan in MODULES:
        for _ in range(MAX_ATTEMPTS):
            if day < 14:
                return work
            levels = rng.choice(PASSES if rng.random() >= 0.25 else NOT_YETS)
            attempt = Attempt(
                learner,
                plan.code,
                day,
                day - rng.uniform(1, 10),
                second_mark_after=rng.uniform(0.5, 3),
                levels=levels,
                second_levels=second_opinion(rng, levels),
                first_marker=rng.choice(["farah", "farah", "omar"]),
            )
            work.append(attempt)
            # The latest the grade is decided (after a second mark, if asked for):
            # the retake wait and the next module count from it.
            decided = attempt.first_marked - attempt.second_mark_after
            if attempt.passes:
                break
            day = decided - RETAKE_WAIT_DAYS - rng.uniform(1, 10)
        else:
            return work  # no attempts left
        if rng.random() < 0.15:
            return work
        day = decided - rng.uniform(12, 40)
    return work


def plan_history(rng: random.Random) -> tuple[dict[str, float], list[Attempt]]:
    """When each learner enrolled (days before the seed runs) and all the work
    handed in, oldest first: the demo learners at their stages and a cohort that
    enrolled month by month."""
    enrolments = dict(STAGE_ENROLMENTS)
    work = list(STAGE_WORK)
    for i, (username, _, _) in enumerate(COHORT):
        enrolments[username] = 170 - i * 150 / len(COHORT) - rng.uniform(0, 15)
        work += cohort_work(rng, username, enrolments[username])
    return enrolments, sorted(work, key=lambda attempt: -attempt.submitted)


class Command(BaseCommand):
    help = "Load the Cairn demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options) -> None:
        if Organization.objects.filter(slug="northfield").exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            self.load()
        self.extend()
        self.print_logins()

    def extend(self) -> None:
        """Each app's own demo additions; each is idempotent. Reviews come last:
        once the college has an advisory board, drafts publish through it."""
        organization = Organization.objects.get(slug="northfield")
        users = {
            user.username: user
            for user in get_user_model().objects.filter(
                username__in=[username for username, *_ in PEOPLE]
            )
        }
        for extend_demo in DEMO_EXTENSIONS:
            extend_demo(organization, users)

    def load(self) -> None:
        now = timezone.now()
        enrolments, work = plan_history(random.Random(HISTORY_SEED))
        with transaction.atomic():
            organization = Organization.objects.create(
                name="Northfield College",
                slug="northfield",
                url="https://northfield.example.edu",
                email="credentials@northfield.example.edu",
                description="A community college issuing stackable micro-credentials.",
            )
            # Hashed once: the hasher's work factor costs about 0.3 s a user.
            password = make_password(PASSWORD)
            users = {}
            for username, first, last, role in PEOPLE:
                users[username] = add_person(
                    organization, username, first, last, role, password=password
                )
            for username, first, last in COHORT:
                users[username] = add_person(
                    organization, username, first, last, Role.LEARNER, password=None
                )
            ada = users["ada"]
            ada.is_staff = ada.is_superuser = True
            ada.save(update_fields=["is_staff", "is_superuser"])
            skills = add_skills(organization)
            tasks = {}
            for plan in MODULES:
                tasks[plan.code] = build_module(
                    plan,
                    organization,
                    designer=users["dana"],
                    admin=ada,
                    skills=skills,
                    design=curriculum_demo.BADGE_DESIGNS[plan.code],
                )
            assessments_demo.second_mark_charts(tasks["VIZ-102"], by=ada)
            version = pathways.create_pathway_version(
                organization,
                by=users["dana"],
                code="DATA-PATH",
                title="Data Analysis for the Workplace",
                summary="Three modules that take you from a raw spreadsheet to a "
                "report a manager can act on.",
                rule=pathways.all_of([plan.code for plan in MODULES]),
            )
            curriculum.design_badge(
                version,
                by=users["dana"],
                design=curriculum_demo.BADGE_DESIGNS["DATA-PATH"],
            )
            pathway = pathways.publish_pathway_version(
                version, by=ada, changelog="First release of the pathway."
            )
            for username, days in enrolments.items():
                logged = latest_audit_entry()
                enrolment = pathways.enrol(users[username], pathway)
                Enrolment.objects.filter(pk=enrolment.pk).update(
                    enrolled_at=now - days * DAY
                )
                date_audit_entries(logged, now - days * DAY)
        # Each piece of work commits on its own and the pipeline (pathway
        # evaluation, awards, PDFs) runs after each commit as it does for real;
        # it finds the awards already issued (see date_completion).
        for attempt in work:
            self.hand_in(attempt, tasks[attempt.code], users, now=now)
        # The key signed every award in the history, so it is older than all.
        SigningKey.objects.filter(organization=organization).update(
            created_at=now - HISTORY_DAYS * DAY
        )

    def hand_in(self, attempt: Attempt, task, users: dict, *, now: datetime) -> None:
        """Submit and grade one piece of work through the services, then move the
        times they stamped back to when the history says, before commit: the
        awards are signed with that date and their PDFs drawn after commit."""
        learner = users[attempt.learner]
        with transaction.atomic():
            logged = latest_audit_entry()
            submission = assessments.submit_evidence(
                task,
                learner=learner,
                text=attempt.text
                or f"My work for “{task.title}”, with notes against each criterion.",
                link=f"https://example.org/{learner.username}/{task.pk}",
            )
            Submission.objects.filter(pk=submission.pk).update(
                submitted_at=now - attempt.submitted * DAY
            )
            date_audit_entries(logged, now - attempt.submitted * DAY)
            if attempt.first_marked is None:
                return
            logged = latest_audit_entry()
            criteria = list(task.rubric.criteria.prefetch_related("levels"))

            def marking(levels: tuple[int, ...]) -> dict:
                return {
                    "levels": {
                        c.pk: list(c.levels.all())[position].pk
                        for c, position in zip(criteria, levels, strict=True)
                    },
                    "comments": {
                        c.pk: FEEDBACK[position]
                        for c, position in zip(criteria, levels, strict=True)
                    },
                    "comment": "Well done: this meets the standard."
                    if is_pass(levels)
                    else "Not yet: rework the criteria marked below and submit "
                    "again after the retake wait.",
                }

            graded = assessments.grade_submission(
                submission,
                grader=users[attempt.first_marker],
                **marking(attempt.levels),
            )
            decided = now - attempt.first_marked * DAY
            Mark.objects.filter(submission=submission, role=Mark.Role.FIRST).update(
                created_at=decided, finalised_at=decided
            )
            date_audit_entries(logged, decided)
            logged = latest_audit_entry()
            if isinstance(graded, Mark):  # the task sent it to a second marker
                submission = Submission.objects.select_related(
                    "task", "second_marker"
                ).get(pk=submission.pk)
                # Levels a point apart only where graders may differ by one.
                second = attempt.levels
                if submission.task.moderation_tolerance:
                    second = attempt.second_levels or attempt.levels
                assessments.second_mark_submission(
                    submission, grader=submission.second_marker, **marking(second)
                )
                decided += attempt.second_mark_after * DAY
                Mark.objects.filter(
                    submission=submission, role=Mark.Role.SECOND
                ).update(created_at=decided, finalised_at=decided)
            Grade.objects.filter(submission=submission).update(graded_at=decided)
            self.date_completion(submission, learner, decided)
            date_audit_entries(logged, decided)

    def date_completion(self, submission, learner, when: datetime) -> None:
        """Date a pass's completion, and any pathway completion it brings, at the
        grade's time, and issue their awards here rather than after commit.

        An award's signed validFrom is its completion's time, so it is signed
        with the historic date; issued_at, which no signature covers, is set to
        the same, and the PDF drawn after commit shows it. The proof's created
        keeps the real moment of signing: nothing signed is rewritten."""
        completion = ModuleCompletion.objects.filter(
            grade__submission=submission
        ).first()
        if completion is None:
            return
        ModuleCompletion.objects.filter(pk=completion.pk).update(completed_at=when)
        completion.refresh_from_db()
        awards = [credentials.issue_module_award(completion)]
        # The evaluation the pipeline runs after commit, run here so that the
        # pathway completion can be dated before its award is signed.
        for done in pathways.evaluate_learner_pathways(learner):
            days = done.version.valid_for_days
            PathwayCompletion.objects.filter(pk=done.pk).update(
                completed_at=when, expires_at=when + days * DAY if days else None
            )
            done.refresh_from_db()
            awards.append(credentials.issue_pathway_award(done))
        Award.objects.filter(pk__in=[a.pk for a in awards]).update(issued_at=when)

    def print_logins(self) -> None:
        self.stdout.write(
            self.style.SUCCESS(f"\nCairn demo logins (password for all: {PASSWORD})")
        )
        for username, first, last, role in PEOPLE:
            stage = f" — {STAGES[username]}" if username in STAGES else ""
            self.stdout.write(f"  {username:<6} {first} {last}, {role.label}{stage}")
        self.stdout.write("")
