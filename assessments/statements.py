"""Compiled SQL statements kept per process, for pages whose queries cost
more to build and compile than PostgreSQL spends running them (the grading
queue, assessments/queue.py).

A statement is kept under a key naming everything that decides its SQL and
parameters (the grader, their organizations and uncalibrated tasks, the
filters, the page's rows), all read on every request, so a statement is never
out of date; rows are never kept. The least recently used are dropped."""

from collections import OrderedDict
from collections.abc import Callable
from threading import Lock

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

_STATEMENTS: OrderedDict[tuple, tuple[str, tuple] | None] = OrderedDict()
_NOTHING = None  # a statement Django knows matches nothing (`pk__in=[]`)
_STATEMENTS_LOCK = Lock()
STATEMENTS_KEPT = 512


def kept_rows(key: tuple, build: Callable[[], QuerySet]) -> list[dict]:
    """The rows of the values() query `build` makes, through its statement
    kept under `key`. Elsewhere than PostgreSQL (SQLite, the embedded demo)
    the query itself, whose converters turn SQLite's text into dates."""
    if connection.vendor != "postgresql":
        return list(build())
    with _STATEMENTS_LOCK:
        known = key in _STATEMENTS
        statement = _STATEMENTS.get(key)
        if known:
            _STATEMENTS.move_to_end(key)
    if not known:
        try:
            statement = build().query.sql_with_params()
        except EmptyResultSet:
            statement = _NOTHING
        with _STATEMENTS_LOCK:
            _STATEMENTS[key] = statement
            if len(_STATEMENTS) > STATEMENTS_KEPT:
                _STATEMENTS.popitem(last=False)
    if statement is _NOTHING:
        return []
    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        # As values() gives them: these columns need no conversion here.
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
