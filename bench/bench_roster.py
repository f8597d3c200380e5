"""Roster import benchmark: figures, never pass or fail.

    make bench  (or: python -m bench roster)

A registrar's CSV of 10,000 people (BENCH_ROSTER_ROWS): e-mail, names, student
number, role (one in fifty faculty), one of twenty cohorts, and a pathway for
every learner. Measured: the dry run (reading and checking every row against
the database), the import (one transaction: accounts, roles, numbers, cohorts,
enrolments and their audit entries) and importing the same file again (which
must change nothing). Rows per second beside each. Everything is rolled back,
so the database is left as it was; it uses DATABASE_URL (SQLite by default).
"""

import io
import os
import time
import uuid

import django

from accounts import csvsafe

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organization, RosterImport  # noqa: E402
from pathways import roster  # noqa: E402
from pathways.models import Enrolment, Pathway, PathwayVersion  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROSTER_ROWS", 10_000))


class RollBack(Exception):
    pass


def build_roster(rows: int = ROWS) -> bytes:
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(
        ["E-mail Address", "First Name", "Last Name", "Student ID", "Role", "Cohort",
         "Programme"]
    )  # fmt: skip
    for n in range(rows):
        faculty = n % 50 == 0
        writer.writerow(
            [
                f"person{n}@bench.example.edu",
                f"Given{n}",
                f"Family{n}",
                f"S{n:07}",
                "faculty" if faculty else "student",
                f"Cohort {n % 20}",
                "" if faculty else "BENCH-PATH",
            ]
        )
    return out.getvalue().encode()


def timed(call):
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def main() -> None:
    raw = build_roster()
    print(
        f"  roster: {ROWS:,} rows, {len(raw) / 1e6:.1f} MB, database: "
        f"{connection.vendor}",
        flush=True,
    )
    figures = {}
    try:
        with transaction.atomic():
            organization = Organization.objects.create(
                slug=f"bench-{uuid.uuid4().hex[:8]}", name="Bench roster"
            )
            admin = get_user_model().objects.create(
                username=f"bench-admin-{uuid.uuid4().hex[:8]}", is_staff=True
            )
            pathway = Pathway.objects.create(
                organization=organization, code="BENCH-PATH"
            )
            PathwayVersion.objects.create(
                pathway=pathway,
                title="Bench pathway",
                status=PathwayVersion.Status.PUBLISHED,
                created_by=admin,
                published_at=timezone.now(),
            )
            job = RosterImport.objects.create(
                organization=organization,
                filename="bench.csv",
                rows=ROWS,
                created_by=admin,
            )
            figures["dry run"], plan = timed(
                lambda: roster.plan_roster(organization, raw)
            )
            assert not plan.problems, plan.problems[:3]
            figures["import"], first = timed(
                lambda: roster.import_roster(
                    organization, by=admin, raw=raw, source=job
                )
            )
            enrolled = Enrolment.objects.filter(version__pathway=pathway).count()
            figures["same file again"], second = timed(
                lambda: roster.import_roster(
                    organization, by=admin, raw=raw, source=job
                )
            )
            raise RollBack
    except RollBack:
        pass
    for name, seconds in figures.items():
        print(f"  {name:16} {seconds:7.2f} s  {ROWS / seconds:9,.0f} rows/s")
    print(
        f"  first import: {first['new_people']:,} accounts, {first['new_roles']:,} "
        f"roles, {first['cohort_places']:,} cohort places, {enrolled:,} enrolments"
    )
    print(
        f"  second import: {second['new_people']} accounts, {second['new_roles']} "
        f"roles, {second['cohort_places']} cohort places, {second['enrolments']} "
        "enrolments (nothing changed)"
    )


if __name__ == "__main__":
    main()
