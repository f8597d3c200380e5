"""Fill an empty database with a state system: colleges, a million learners,
ten million awards and the completions, submissions, grades and audit entries
behind them (`make seed-scale`, issue 17). Benchmarks read it (bench/bench_scale.py).

The catalogue and a few sample learners per college are made through the
services; their awards are individually signed. The rest is written with COPY
and its awards are NOT individually signed: each reuses a sample's signed
document with its id, recipient, dates and status entry substituted, so the
database holds credentials of a real shape and size whose proofs do not verify
(integrations/scale/bulk.py)."""

import os
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import override_settings

from accounts.models import Organization
from integrations.scale import bulk, catalogue

DISCARD_MAIL = "django.core.mail.backends.dummy.EmailBackend"


def backend_cpu() -> float:
    """CPU seconds this connection's PostgreSQL backend has used, when the
    server runs on this machine (0 when its process cannot be read)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database with a state system's data for benchmarks: "
        "--colleges colleges, --learners learners with --awards-per-learner "
        "awards each (10: eight modules and two pathways), written with COPY. "
        "Only the sample learners' awards are individually signed; the bulk "
        "awards reuse a signed document with their own id, recipient and status "
        "entry, so their proofs do NOT verify. The tables' secondary indexes "
        "are dropped for the load and built after it. Refuses a database that "
        "has organizations already. Migrates first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--learners", type=int, default=1_000_000)
        parser.add_argument(
            "--awards-per-learner",
            type=int,
            default=10,
            help="Only 10 is offered: eight module awards and two pathway awards.",
        )
        parser.add_argument("--colleges", type=int, default=10)
        parser.add_argument("--chunk", type=int, default=5_000)

    def handle(self, *args, **options) -> None:
        if options["awards_per_learner"] != 10:
            raise CommandError(
                "Each learner completes two pathways of four modules: ten awards."
            )
        call_command("migrate", interactive=False, verbosity=0)
        if Organization.objects.exists():
            raise CommandError(
                "This database has organizations already: seed-scale fills an "
                "empty one. Drop it (dropdb) or name another (SCALE_DATABASE_URL)."
            )
        started = time.monotonic()
        password = catalogue.password_hash()
        colleges = []
        # The samples' awards would e-mail made-up people: in the embedded
        # defaults (console backend) that printed thousands of lines of HTML.
        with override_settings(EMAIL_BACKEND=DISCARD_MAIL):
            for number in range(options["colleges"]):
                college = catalogue.build_college(number, password)
                catalogue.add_samples(college, number, password)
                colleges.append(college)
        self.stdout.write(
            f"{len(colleges)} colleges with their catalogue and "
            f"{catalogue.SAMPLE_LEARNERS} signed sample learners each in "
            f"{time.monotonic() - started:.0f} s"
        )
        plans = [bulk.plan_for(college) for college in colleges]
        copied = time.monotonic()
        client, server = time.process_time(), backend_cpu()

        def progress(done: int, rows: dict) -> None:
            total = sum(rows.values())
            elapsed = time.monotonic() - copied
            self.stdout.write(
                f"  {done:>9,} learners, {rows['award']:>11,} awards, "
                f"{total:>12,} rows in {elapsed:6.0f} s ({total / elapsed:,.0f} rows/s;"
                f" CPU: Python {time.process_time() - client:,.0f} s, "
                f"PostgreSQL {backend_cpu() - server:,.0f} s)"
            )

        def built(index, seconds: float) -> None:
            self.stdout.write(f"    built {index.name} in {seconds:.1f} s")

        rows = bulk.run(
            plans,
            learners=options["learners"],
            chunk=options["chunk"],
            password=password,
            progress=progress,
            built=built,
        )
        copy_seconds = time.monotonic() - copied
        client, server = time.process_time() - client, backend_cpu() - server
        finished = time.monotonic()
        with connection.cursor() as cursor:
            if connection.in_atomic_block:  # a test's transaction
                cursor.execute("ANALYZE")
            else:
                # Sets hint bits and the visibility map too, so the first
                # readers do not write and index-only scans skip the heap.
                for table in bulk.TABLES.values():
                    cursor.execute(f"VACUUM (ANALYZE) {table}")
                cursor.execute("ANALYZE")
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
        vacuum_seconds = time.monotonic() - finished
        total = sum(rows.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Copied {total:,} rows ({rows['award']:,} awards) and built their "
                f"indexes in {copy_seconds:.0f} s: {total / copy_seconds:,.0f} rows/s,"
                f" {rows['award'] / copy_seconds:,.0f} awards/s (CPU: Python "
                f"{client:.0f} s, PostgreSQL {server:.0f} s); VACUUM and ANALYZE "
                f"{vacuum_seconds:.0f} s; all in {time.monotonic() - started:.0f} s; "
                f"database {size / 2**30:.2f} GiB"
            )
        )
        for key, count in rows.items():
            self.stdout.write(f"  {bulk.TABLES[key]:<32} {count:>12,}")
        self.stdout.write(
            f"Logins (password {catalogue.PASSWORD}): admin00, faculty00a, "
            "sample000, learner0000000 (every seeded login has this password)."
        )
