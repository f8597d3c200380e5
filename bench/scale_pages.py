"""The scale bench's own process (bench/bench_scale.py starts it on the seeded
database): EXPLAIN of each page's queries, then wrk against gunicorn."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import load  # noqa: E402
from bench.bench_scale import (  # noqa: E402
    BIG_TABLE_ROWS,
    CONNECTIONS,
    GOAL_P99_MS,
    ROUNDS,
    SECONDS,
    explain,
)
from bench.goals import goal  # noqa: E402
from credentials.models import Award  # noqa: E402

User = get_user_model()


def pages() -> dict[str, tuple[str, object]]:
    """Each page's address and who looks at it (None: anyone)."""
    admin = User.objects.get(username="admin00")
    faculty = User.objects.get(username="faculty00a")
    slug = admin.memberships.first().organization.slug
    # A learner from the middle of the bulk, with a full history.
    learners = User.objects.filter(username__startswith="learner").order_by("pk")
    learner = learners[learners.count() // 2]
    award = Award.objects.filter(learner__username=f"sample{slug[-2:]}0").first()
    name = f"{learner.first_name} {learner.last_name}"
    return {
        "learner dashboard": ("/", learner),
        "verification page": (f"/credentials/{award.uuid}/", None),
        "grading queue": ("/assessments/queue/", faculty),
        "admin award list": (f"/credentials/issuers/{slug}/awards/", admin),
        "admin award search": (
            f"/credentials/issuers/{slug}/awards/?q={name.replace(' ', '+')}",
            admin,
        ),
        "analytics": (f"/analytics/{slug}/", admin),
    }


def big_tables() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' "
            "AND relnamespace = 'public'::regnamespace"
        )
        return dict(cursor.fetchall())


def explain_page(label: str, path: str, user, big: dict[str, int]) -> None:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.get(path)  # once to warm caches, as under load
    # With DEBUG on, each request empties the connection's query log, which
    # would leave the captured slice empty unless the log starts empty.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    selects = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")
    ]
    found = []
    with connection.cursor() as cursor:
        for sql in selects:
            found.append(explain(cursor, sql, big))
    total = sum(f.ms for f in found)
    bad = [f for f in found if f.seq_scans or f.big_sorts]
    print(
        f"  {label}: {path} -> {response.status_code}, "
        f"{len(captured.captured_queries)} queries ({len(selects)} SELECTs) "
        f"{total:.1f} ms in all under EXPLAIN ANALYZE; "
        f"{sum(bool(f.indexes) for f in found)} use an index; "
        f"{len(bad)} scan or sort a big table"
    )
    for f in sorted(found, key=lambda f: -f.ms)[:3]:
        flags = []
        if f.seq_scans:
            flags.append("Seq Scan on " + ", ".join(f.seq_scans))
        if f.big_sorts:
            flags.append(f"sorts {max(f.big_sorts):,} rows")
        if f.indexes:
            flags.append("indexes " + ", ".join(sorted(set(f.indexes))[:3]))
        print(f"      {f.ms:8.2f} ms  {'; '.join(flags) or 'no index'}")
        print(f"               {' '.join(f.sql.split())[:150]}")


def _cpu(result: load.Result) -> str:
    """The workers' CPU per request (from /proc): it moves far less with the
    machine's load than the latencies do."""
    return "CPU n/a" if result.cpu_ms is None else f"CPU {result.cpu_ms:.1f} ms"


def main() -> None:
    big = big_tables()
    awards = big.get("credentials_award", 0)
    users = big.get("auth_user", 0)
    print(
        f"  seeded database: {users:,} users, {awards:,} awards "
        f"(big tables: over {BIG_TABLE_ROWS:,} rows)"
    )
    chosen = pages()
    # SCALE_PAGES="grading queue,analytics": only those pages (labels as above).
    wanted = [w.strip() for w in os.environ.get("SCALE_PAGES", "").split(",")]
    if any(wanted):
        chosen = {label: page for label, page in chosen.items() if label in wanted}
    print("  EXPLAIN (ANALYZE, BUFFERS) of every SELECT a page runs, rendered once:")
    for label, (path, user) in chosen.items():
        explain_page(label, path, user, big)
    print(
        f"  wrk: {CONNECTIONS} connections, {ROUNDS} x {SECONDS:g} s per page, "
        "interleaved with the one-query reference view; 2 gunicorn workers; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    with load.Server(os.environ["DATABASE_URL"]) as server:
        for label, (path, user) in chosen.items():
            cookie = load.session_cookie(user) if user is not None else ""
            runs = load.interleave(
                server,
                {"reference": load.REFERENCE_PATH, label: path},
                cookie=cookie,
                seconds=SECONDS,
                connections=CONNECTIONS,
                rounds=ROUNDS,
            )
            ref, page = load.combine(runs["reference"]), load.combine(runs[label])
            if not page.requests_per_second or not ref.requests_per_second:
                print(f"  {label}: no request answered ({page.errors} errors)")
                continue
            print(
                f"  {label:<19} {page.requests_per_second:7.0f} req/s "
                f"p50 {page.latency_ms[50]:6.1f} ms  p99 {page.latency_ms[99]:6.1f} ms"
                f"  {_cpu(page)} (reference {ref.requests_per_second:.0f} req/s, "
                f"p99 {ref.latency_ms[99]:.1f} ms, {_cpu(ref)}): "
                f"{page.requests_per_second / ref.requests_per_second:.1%} of its "
                f"throughput; errors {page.errors}; "
                f"load average {os.getloadavg()[0]:.1f}"
            )
            goal(
                f"{label} at {awards:,} awards (p99 <= {GOAL_P99_MS:g} ms)",
                f"p99 {page.latency_ms[99]:.1f} ms, {_cpu(page)}",
                f"one-query view p99 {ref.latency_ms[99]:.1f} ms",
                f"{page.latency_ms[99] / ref.latency_ms[99]:.1f}x",
                page.latency_ms[99] <= GOAL_P99_MS and not page.errors,
            )


if __name__ == "__main__":
    main()
