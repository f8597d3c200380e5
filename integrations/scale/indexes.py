"""Secondary indexes put aside while the bulk is copied, and built once after.

Maintaining a table's indexes row by row during COPY costs more than the rows
themselves: the award table alone has fourteen, the people four trigram GIN
indexes. The bulk drops every index of the tables it fills but their primary
keys (ids are handed out in order, so the primary key is only ever appended
to), and builds them again after the load with a large maintenance_work_mem,
each in one sort. Unique constraints go and come back as constraints, so the
database ends with exactly the schema the migrations made; a build that finds a
duplicate fails the seed rather than leaving a constraint out.

Partial indexes stay through the load: PostgreSQL gives their predicates back
in another form than the migration wrote (`IN` as an ARRAY of casts), and they
are cheap to keep (waiting work is a fraction of the rows; one standing award
per completion is appended to in id order, and stays checked)."""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection


@dataclass
class Deferred:
    """One index or unique constraint put aside, with the SQL to bring it back."""

    table: str
    name: str
    drop: str
    create: str


def secondary(tables: Iterable[str]) -> list[Deferred]:
    """Every index of `tables` but the primary keys and the partial ones,
    unique constraints first."""
    found = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'x') "
                "ORDER BY conname",
                [table],
            )
            for name, definition in cursor.fetchall():
                found.append(
                    Deferred(
                        table,
                        name,
                        f'ALTER TABLE {table} DROP CONSTRAINT "{name}"',
                        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}',
                    )
                )
            cursor.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
                "AND i.indpred IS NULL "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
                "WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
                [table],
            )
            for name, definition in cursor.fetchall():
                found.append(Deferred(table, name, f'DROP INDEX "{name}"', definition))
    return found


def drop(deferred: list[Deferred]) -> None:
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Inside a transaction (a test's), PostgreSQL alters no table with
            # foreign-key checks still queued: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for item in deferred:
            cursor.execute(item.drop)


def build(
    deferred: list[Deferred],
    *,
    memory: str = "1GB",
    progress: Callable[[Deferred, float], None] | None = None,
) -> float:
    """Build what `drop` put aside; returns the seconds it took."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(f"SET maintenance_work_mem = '{memory}'")
        cursor.execute("SET max_parallel_maintenance_workers = 0")
        for item in deferred:
            begun = time.monotonic()
            cursor.execute(item.create)
            if progress is not None:
                progress(item, time.monotonic() - begun)
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("RESET max_parallel_maintenance_workers")
    return time.monotonic() - started
