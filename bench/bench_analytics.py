"""Analytics page benchmark: figures, never pass or fail.

    make bench  (or: python -m bench analytics)

One organization with BENCH_ANALYTICS_LEARNERS learners (default 20,000), each
enrolled in a pathway of five modules, with a graded submission and a module
completion for each module (100,000 completions by default) spread over two
years, a failed first attempt for one learner in four, and a pathway completion
for those who finished. Rows are bulk-inserted inside a transaction that is
rolled back afterwards. Then each selector the page calls is timed (best of
three), and the medians are timed both in the database and in Python, the two
ways analytics/selectors.py can take them. Meant for PostgreSQL (DATABASE_URL);
on SQLite it runs, but the medians go through Python.
"""

import os
import random
import time
from datetime import UTC, datetime, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
django.setup()

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CODES = ["AN-101", "AN-102", "AN-103", "AN-104", "AN-105"]


def best_of(function, times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def build(count: int):
    from django.contrib.auth import get_user_model

    from accounts.models import Organization
    from assessments.models import (
        AssessmentTask,
        Grade,
        ModuleCompletion,
        Submission,
    )
    from curriculum.models import Module, ModuleVersion
    from pathways import services as pathway_services
    from pathways.models import (
        Enrolment,
        Pathway,
        PathwayCompletion,
        PathwayVersion,
    )

    rng = random.Random(7)
    pid = os.getpid()
    organization = Organization.objects.create(name="Bench College", slug=f"b-{pid}")
    users = get_user_model()
    author = users.objects.create(username=f"bench-author-{pid}")
    tasks = []
    for code in CODES:
        module = Module.objects.create(organization=organization, code=code)
        version = ModuleVersion.objects.create(
            module=module, title=code, created_by=author, status="published"
        )
        tasks.append(AssessmentTask.objects.create(version=version, title=code))
    pathway = Pathway.objects.create(organization=organization, code="BENCH")
    pathway_version = PathwayVersion.objects.create(
        pathway=pathway,
        title="Bench pathway",
        created_by=author,
        status="published",
        rule=pathway_services.all_of(CODES),
    )
    learners = users.objects.bulk_create(
        users(username=f"bench-{pid}-{n}") for n in range(count)
    )
    enrolments, submissions, finished = [], [], []
    for learner in learners:
        enrolled = NOW - timedelta(days=rng.uniform(30, 730))
        enrolments.append(
            Enrolment(learner=learner, version=pathway_version, enrolled_at=enrolled)
        )
        at = enrolled
        for task in tasks:
            attempts = 2 if rng.random() < 0.25 else 1
            for attempt in range(1, attempts + 1):
                at += timedelta(days=rng.uniform(1, 20))
                submissions.append(
                    Submission(
                        task=task,
                        learner=learner,
                        attempt=attempt,
                        status="graded",
                        submitted_at=min(at, NOW),
                    )
                )
        finished.append((learner, at))
    Enrolment.objects.bulk_create(enrolments, batch_size=5000)
    Submission.objects.bulk_create(submissions, batch_size=5000)
    grades, completions = [], []
    last_attempts = {}
    for s in submissions:
        key = (s.task_id, s.learner_id)
        last_attempts[key] = max(last_attempts.get(key, 0), s.attempt)
    for s in submissions:
        passed = s.attempt == last_attempts[(s.task_id, s.learner_id)]
        grades.append(
            Grade(
                submission=s,
                grader=author,
                total=6 if passed else 2,
                passed=passed,
                graded_at=s.submitted_at + timedelta(days=rng.uniform(0.1, 9)),
            )
        )
    Grade.objects.bulk_create(grades, batch_size=5000)
    versions = {t.pk: t.version_id for t in tasks}
    for grade in grades:
        if grade.passed:
            completions.append(
                ModuleCompletion(
                    learner_id=grade.submission.learner_id,
                    version_id=versions[grade.submission.task_id],
                    source="graded",
                    grade=grade,
                    completed_at=grade.graded_at,
                )
            )
    ModuleCompletion.objects.bulk_create(completions, batch_size=5000)
    PathwayCompletion.objects.bulk_create(
        (
            PathwayCompletion(learner=learner, version=pathway_version, completed_at=at)
            for learner, at in finished
            if at < NOW
        ),
        batch_size=5000,
    )
    return organization, len(submissions), len(completions)


def main() -> None:
    from django.db import connection, transaction

    from analytics import selectors
    from assessments.models import Submission

    count = int(os.environ.get("BENCH_ANALYTICS_LEARNERS", "20000"))

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            start = time.perf_counter()
            organization, submitted, completed = build(count)
            print(
                f"{count:,} learners, {submitted:,} graded submissions, "
                f"{completed:,} module completions ({connection.vendor}), "
                f"built in {time.perf_counter() - start:.1f} s"
            )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")  # fresh statistics for the planner
            timings = {
                "headline (90 days)": lambda: selectors.headline(
                    organization, days=90, now=NOW
                ),
                "headline (365 days)": lambda: selectors.headline(
                    organization, days=365, now=NOW
                ),
                "monthly_activity": lambda: selectors.monthly_activity(
                    organization, now=NOW
                ),
                "pathway_funnels": lambda: selectors.pathway_funnels(organization),
                "task_statistics": lambda: selectors.task_statistics(organization),
                "the whole page's selectors": lambda: selectors.dashboard(
                    organization, days=90, now=NOW
                ),
            }
            for name, function in timings.items():
                print(f"  {name:<32} {best_of(function) * 1000:9.1f} ms")
            graded = Submission.objects.filter(
                task__version__module__organization=organization,
                grade__isnull=False,
            )
            value = selectors._duration("grade__graded_at", "submitted_at")
            python = best_of(
                lambda: selectors.grouped_medians(
                    graded, "task", value, in_database=False
                )
            )
            print(f"  {'grading-time medians, Python':<32} {python * 1000:9.1f} ms")
            if connection.vendor == "postgresql":
                database = best_of(
                    lambda: selectors.grouped_medians(
                        graded, "task", value, in_database=True
                    )
                )
                print(
                    f"  {'grading-time medians, database':<32} "
                    f"{database * 1000:9.1f} ms  ({python / database:.1f}x faster)"
                )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
