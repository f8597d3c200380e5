"""Statements of the busiest pages, compiled once per process and run with
each request's own values (issue 17): the grading queue (assessments/queue.py),
the verification page and the admin's award list (credentials/award_selectors.py,
credentials/services/verification.py). One home for them, beside the cache.

Building and compiling a query with the ORM cost these pages more CPU than
PostgreSQL spent running it, and its SQL is the
same from one request to the next: only its values change (an award's uuid, a
status list's id, a search's words). So a query is built once with stand-ins for
those values, compiled, and kept under a key naming everything else that decides
its SQL; each request runs it with its own values in the stand-ins' places.
Rows are never kept: every request reads them.

A stand-in is chosen by its value's type: a word (str) is a few characters of
Unicode's private use area, which no LIKE escaping touches; in a parameter that
is the word alone (`exact`) the word takes its place, in a pattern (`icontains`'s
`%word%`) the word escaped as Django escapes it. A UUID or an int stands in for
itself where it is a whole parameter. Elsewhere than PostgreSQL (SQLite, the
embedded demo) the query is built with the values and run by the ORM.
"""

import re
import uuid
from collections import OrderedDict
from collections.abc import Callable
from threading import Lock
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

KEPT = 1024  # the queue keeps a few per grader
_kept: OrderedDict[tuple, "_Statement | None"] = OrderedDict()
_lock = Lock()
_NOTHING = None  # a query Django knows matches nothing (`pk__in=[]`)


class _Statement:
    """A compiled query: its SQL and parameters with stand-ins, and the
    compiler, which knows how its columns become values and instances."""

    def __init__(self, query: QuerySet, wrap: str = "%s") -> None:
        # Kept for its columns' converters and the instances' layout; it
        # never runs anything (rows() reads through this thread's connection).
        self.compiler = query.query.get_compiler(using=query.db)
        sql, self.params = self.compiler.as_sql()
        self.sql = wrap % sql
        # As ValuesIterable names a values() row's columns.
        if query.query.selected:
            self.names = list(query.query.selected)
        else:
            self.names = [
                *query.query.extra_select,
                *query.query.values_select,
                *query.query.annotation_select,
            ]

    def rows(self, values: dict[str, Any]) -> list:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, _filled(self.params, values))
            found = cursor.fetchall()
        return list(self.compiler.results_iter([found]))


_WORD = re.compile("\ue000([^\ue001]*)\ue001")


def _stand_in(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return f"\ue000{name}\ue001"
    if isinstance(value, uuid.UUID):
        return uuid.uuid5(uuid.NAMESPACE_OID, f"cairn stand-in {name}")
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**31) + 1 + sum(map(ord, name))
    raise TypeError(f"no stand-in for {name}={value!r}")


def _filled(params, values: dict[str, Any]) -> tuple:
    """The kept parameters with each request's values in the stand-ins'
    places, in one pass: a value is never read again for stand-ins."""
    whole = {}
    for name, value in values.items():
        stand_in = _stand_in(name, value)
        whole[(type(stand_in), stand_in)] = value
    escaped = {
        name: connection.ops.prep_for_like_query(value)
        for name, value in values.items()
        if isinstance(value, str)
    }
    filled = []
    for param in params:
        key = (type(param), param)
        if key in whole:
            param = whole[key]
        elif isinstance(param, str) and "\ue000" in param:
            param = _WORD.sub(lambda found: escaped[found[1]], param)
        filled.append(param)
    return tuple(filled)


def _statement(
    key: tuple, build: Callable[..., QuerySet], values: dict, wrap: str = "%s"
) -> "_Statement | None":
    key = (connection.alias, wrap, *key)
    with _lock:
        known = key in _kept
        statement = _kept.get(key)
        if known:
            _kept.move_to_end(key)
    if not known:
        stand_ins = {name: _stand_in(name, value) for name, value in values.items()}
        try:
            statement = _Statement(build(**stand_ins), wrap)
        except EmptyResultSet:
            statement = _NOTHING
        with _lock:
            _kept[key] = statement
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
    return statement


def _kept_here() -> bool:
    return connection.vendor == "postgresql"


def instances(key: tuple, build: Callable[..., QuerySet], **values) -> list[Model]:
    """The model instances (with their select_related ones) of the query
    `build(**values)` makes, through its statement kept under `key`."""
    if not _kept_here():
        return list(build(**values))
    statement = _statement(key, build, values)
    if statement is _NOTHING:
        return []
    compiler = statement.compiler
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    names = [column[0].target.attname for column in select[start:end]]
    model = klass_info["model"]
    populators = get_related_populators(klass_info, select, compiler.using)
    found = []
    for row in statement.rows(values):
        instance = model.from_db(compiler.using, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        found.append(instance)
    return found


def value_rows(key: tuple, build: Callable[..., QuerySet], **values) -> list[dict]:
    """The rows of the values() query `build(**values)` makes, as values()
    gives them, through its statement kept under `key`."""
    if not _kept_here():
        return list(build(**values))
    statement = _statement(key, build, values)
    if statement is _NOTHING:
        return []
    return [
        dict(zip(statement.names, row, strict=True)) for row in statement.rows(values)
    ]


def count(key: tuple, build: Callable[..., QuerySet], **values) -> int:
    """How many rows the query `build(**values)` makes, through its statement
    kept under `key`: best a values() query of one column, sliced to count no
    further than the slice."""
    if not _kept_here():
        return build(**values).count()
    statement = _statement(key, build, values, "SELECT COUNT(*) FROM (%s) AS counted")
    if statement is _NOTHING:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, _filled(statement.params, values))
        return cursor.fetchone()[0]


def forget() -> None:
    """Drop every kept statement (tests that change what decides them)."""
    with _lock:
        _kept.clear()
