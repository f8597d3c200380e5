"""What hand-written migrations share: SQL that only PostgreSQL runs.

Trigram and full-text indexes (pg_trgm, GIN on expressions) exist only on
PostgreSQL; SQLite (the embedded demo) has neither and needs neither, so the
migrations that create them do nothing there."""

from collections.abc import Sequence

from django.db import migrations


def _run(statements: Sequence[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


def postgresql_only(create: Sequence[str], drop: Sequence[str]) -> migrations.RunPython:
    """A RunPython that runs `create` forwards and `drop` backwards, on
    PostgreSQL only."""
    return migrations.RunPython(_run(create), _run(drop))
