"""Pages at the scale of a state system: figures and ratios, never pass or fail.

    make seed-scale   (once: fills SCALE_DATABASE_URL, see seed_scale --help)
    python -m bench scale

On the database `make seed-scale` filled, five pages are rendered once through
Django's test client as the user who sees them, and every SELECT they ran is
run again under EXPLAIN (ANALYZE, BUFFERS): its time, and whether it reads a
big table (over 100,000 rows) with a sequential scan or sorts over 100,000
rows. Then each page is loaded with wrk on loopback against gunicorn, side by
side with a one-query reference view in the same run, and its p99 is held
against the goal of 50 ms.

SCALE_PAGES (comma-separated labels, as "grading queue,analytics") runs only
those pages.

Without the seeded database it says so and skips: `make bench` stays quick on a
fresh clone. It runs in a process of its own, on SCALE_DATABASE_URL.
"""

import json
import os
import subprocess
import sys
from dataclasses import dataclass

import psycopg

from bench import goals

SCALE_DATABASE_URL = os.environ.get(
    "SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cairn_scale_data"
)
GOAL_P99_MS = 50.0
BIG_TABLE_ROWS = 100_000
SECONDS = float(os.environ.get("SCALE_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("SCALE_CONNECTIONS", "4"))
ROUNDS = int(os.environ.get("SCALE_ROUNDS", "2"))


def seeded_awards() -> int | None:
    """How many awards the scale database holds; None when it is absent."""
    try:
        with psycopg.connect(SCALE_DATABASE_URL, connect_timeout=3) as conn:
            row = conn.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE relname = "
                "'credentials_award'"
            ).fetchone()
    except psycopg.Error:
        return None
    return row[0] if row and row[0] > 0 else None


def main() -> None:
    awards = seeded_awards()
    if not awards:
        print(
            "  skipped: no seeded scale database at SCALE_DATABASE_URL "
            "(run `make seed-scale` first; LEARNERS=100000 for a smaller one)"
        )
        goals.not_shown(
            f"the scale pages (p99 <= {GOAL_P99_MS:g} ms)",
            "no seeded database at SCALE_DATABASE_URL: run `make seed-scale`",
        )
        return
    env = dict(os.environ, DATABASE_URL=SCALE_DATABASE_URL, DEBUG="1")
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    subprocess.run([sys.executable, "-m", "bench.scale_pages"], env=env, check=False)


# ------------------------------------------------------------------ plans


@dataclass
class Explained:
    sql: str
    ms: float
    seq_scans: list[str]  # big tables read whole
    big_sorts: list[int]  # rows sorted, where over BIG_TABLE_ROWS
    indexes: list[str]


def walk(node: dict, big: dict[str, int], found: Explained) -> None:
    kind = node.get("Node Type", "")
    relation = node.get("Relation Name", "")
    if kind == "Seq Scan" and big.get(relation, 0) > BIG_TABLE_ROWS:
        found.seq_scans.append(f"{relation} ({big[relation]:,} rows)")
    if kind in {"Sort", "Incremental Sort"}:
        rows = int(node.get("Actual Rows", 0)) * int(node.get("Actual Loops", 1))
        if rows > BIG_TABLE_ROWS:
            found.big_sorts.append(rows)
    if "Index" in kind and node.get("Index Name"):
        found.indexes.append(node["Index Name"])
    for child in node.get("Plans", []):
        walk(child, big, found)


def explain(cursor, sql: str, big: dict[str, int]) -> Explained:
    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
    plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    top = plan[0]
    found = Explained(sql, float(top["Execution Time"]), [], [], [])
    walk(top["Plan"], big, found)
    return found


if __name__ == "__main__":
    main()
