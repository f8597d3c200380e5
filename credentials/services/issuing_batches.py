"""Module and pathway awards issued in batches (issue 17).

A grade release or a semester's end brings completions faster than awards are
signed one by one, and most of an award's cost is not its signature but what
is the same for many: the task, the signing key and profile read, the status
lists locked, a transaction. The task a completion sends issues its own award
and those of its organization's other completions still waiting for theirs,
up to ISSUE_BATCH: their status entries reserved in one statement per list,
each credential signed with no lock held, all stored in one transaction
(issuing._sign_and_store). The completions a batch takes are claimed with
PostgreSQL session advisory locks, so that two workers never sign the same
completion side by side; a claim ends when the batch is stored, or with its
worker's connection if the worker dies, and the periodic sweep issues what a
dead worker left. Another completion's own task then finds its award issued
and does nothing. Exactly one award per completion still rests on the unique
constraint on a completion's standing award.

One task per burst of completions, not one per completion: a marker in the
cache says a batch task of a kind (module or pathway completions) is queued
and has not started, and while it stands a completion queues none. The task
removes the marker before it reads, so a completion committed after that
queues a task of its own and none goes unseen. A task that leaves waiting
completions beyond its batch queues the next batch before it signs, so that
a backlog is issued by a chain of tasks, two at a time on two worker
processes. A lost message holds nothing back for long: the marker expires
after BATCH_QUEUED_SECONDS, and the periodic sweep issues the completions it
left from the database alone.
"""

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet

from assessments.models import ModuleCompletion
from config.celery import broker_errors
from credentials import selectors, tasks
from credentials.models import Award
from credentials.services import issuing
from pathways.models import PathwayCompletion

# Awards signed and stored together: large enough that what a batch shares
# costs little per award, small enough that a batch's transaction is short and
# a worker that dies loses little work to the sweep.
ISSUE_BATCH = 50
# How far past its own completion (in primary keys) a task looks for others.
LOOKAHEAD = 10_000
# How far before it the task a completion queued looks: a completion whose
# transaction took its primary key first but committed after the marker was
# set (it queued no task) has a smaller one.
LOOKBEHIND = 1_000
# Longer than a backlog keeps a message waiting (as pathways.bursts'); a lost
# message's completions are issued by the sweep meanwhile.
BATCH_QUEUED_SECONDS = 15 * 60
# How long a burst's task waits before it starts, gathering the completions
# of that second into its batch: without it a worker that keeps up starts
# each completion's task before the next completion comes (the pipeline
# bench's pathway completions, one per evaluation: 151 tasks for 200 awards).
GATHER_SECONDS = 1.0
# The advisory lock namespaces of module and pathway completions being issued
# ("Cair" and "Cais" in the high 32 bits); a completion's lock is its
# namespace plus its primary key (below 2**32).
MODULE_CLAIMS = 0x43616972 << 32
PATHWAY_CLAIMS = 0x43616973 << 32  # "Cais"


@contextmanager
def claimed(ids: list[int], *, limit: int, namespace: int) -> Iterator[list[int]]:
    """Those of `ids` (in their order, at most `limit`) that no other worker
    has claimed, claimed for the block. Without PostgreSQL (the embedded demo,
    tasks in process and one writer at a time) no other worker claims any."""
    if connection.vendor != "postgresql":
        yield ids[:limit]
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM unnest(%s::bigint[]) AS id "
            "WHERE pg_try_advisory_lock(%s + id) LIMIT %s",
            [ids, namespace, limit],
        )
        got = [row[0] for row in cursor.fetchall()]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_unlock(%s + id) FROM unnest(%s::bigint[]) id",
                    [namespace, got],
                )


def _candidates(waiting: QuerySet, start: int, *, limit: int) -> list[int]:
    """The pks of `waiting` (completions without an award) from `start` on,
    oldest first."""
    return list(
        waiting.filter(pk__gte=start, pk__lt=start + LOOKAHEAD)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


@dataclass(frozen=True)
class _Waiting:
    """Where a kind of completion waits: its completions without an award,
    the path to their organization, how they are issued together, the task
    that issues them, and the advisory lock namespace of their claims."""

    without_award: Callable[[], QuerySet]
    organization: str
    issue: Callable[[list], list[Award]]
    task: Callable[[], object]
    namespace: int


_WAITING = {
    ModuleCompletion: _Waiting(
        selectors.module_completions_without_award,
        "version__module__organization",
        issuing.issue_module_awards,
        lambda: tasks.issue_module_awards,
        MODULE_CLAIMS,
    ),
    PathwayCompletion: _Waiting(
        selectors.pathway_completions_without_award,
        "version__pathway__organization",
        issuing.issue_pathway_awards,
        lambda: tasks.issue_pathway_awards,
        PATHWAY_CLAIMS,
    ),
}


def _marker(model: type) -> str:
    # The database's name: a bench's copies of one database share the cache.
    database = settings.DATABASES["default"]["NAME"]
    return f"credentials:batch-queued:{database}:{model._meta.label_lower}"


def queue_batch(model: type, completion_id: int) -> bool:
    """Queue a batch issue of the waiting completions of `model` (module or
    pathway completions) from about `completion_id` on, unless one is queued
    and not yet started; whether this call queued it."""
    added = True  # if the cache's Redis is away: queued as if none stood
    with contextlib.suppress(*broker_errors()):
        added = cache.add(_marker(model), True, timeout=BATCH_QUEUED_SECONDS)
    if not added:
        return False
    task = _WAITING[model].task()
    if task.apply_async((completion_id,), countdown=GATHER_SECONDS) is None:
        # Not sent (the broker is away: CairnTask leaves the work to the
        # sweep): the next completion may try again.
        batch_started(model)
        return False
    return True


def batch_started(model: type) -> None:
    """Called by a batch task before it reads: completions from now on queue
    another."""
    with contextlib.suppress(*broker_errors()):  # or it expires
        cache.delete(_marker(model))


def issue_waiting_awards(
    model: type,
    completion_id: int,
    *,
    look_behind: bool = True,
    limit: int | None = None,
) -> list[Award]:
    """Issue the awards of up to `limit` completions of `model` (module or
    pathway completions) waiting for theirs from `completion_id` on (from
    LOOKBEHIND before it with `look_behind`), oldest first, leaving those
    another worker is issuing; the awards issued. If more wait, the next batch
    is queued before this one is signed. A voided completion gets none. Safe
    to run twice."""
    limit = limit or ISSUE_BATCH
    kind = _WAITING[model]
    batch_started(model)  # before reading: see the module's docstring
    waiting = kind.without_award()
    start = completion_id - LOOKBEHIND if look_behind else completion_id
    # Twice the batch: room for those another batch has claimed meanwhile.
    candidates = _candidates(waiting, start, limit=2 * limit)
    if not candidates:
        # Issued already, most often in another completion's batch, or voided.
        return []
    with claimed(candidates, limit=limit, namespace=kind.namespace) as ids:
        if ids and candidates[-1] > ids[-1]:
            # More wait than this batch takes: the next batch goes now, to be
            # signed beside this one, from past the last this one took.
            kind.task().delay(ids[-1] + 1, look_behind=False)
        # Read again once claimed: an award stored before the claim is seen.
        completions = (
            waiting.filter(pk__in=ids)
            .select_related("learner", kind.organization)
            .order_by(f"{kind.organization}_id", "pk")
        )
        issued = []
        for _, group in groupby(
            completions, key=lambda c: _organization_id(c, kind.organization)
        ):
            issued += kind.issue(list(group))
        return issued


def _organization_id(completion, path: str) -> int:
    *steps, last = path.split("__")
    owner = completion
    for step in steps:  # the version and its module or pathway, loaded with it
        owner = getattr(owner, step)
    return getattr(owner, f"{last}_id")
