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
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from assessments.models import ModuleCompletion
from credentials import selectors
from credentials.models import Award
from credentials.services import issuing
from pathways.models import PathwayCompletion

# Awards signed and stored together: large enough that what a batch shares
# costs little per award, small enough that a batch's transaction is short and
# a worker that dies loses little work to the sweep.
ISSUE_BATCH = 50
# How far past its own completion (in primary keys) a task looks for others.
LOOKAHEAD = 10_000
# The advisory lock namespaces of module and pathway completions being issued
# ("Cair" and "Cais" in the high 32 bits); a completion's lock is its
# namespace plus its primary key (below 2**32).
MODULE_CLAIMS = 0x43616972 << 32
PATHWAY_CLAIMS = 0x43616973 << 32  # "Cais"


@contextmanager
def claimed(ids: list[int], *, limit: int, namespace: int) -> Iterator[list[int]]:
    """Those of `ids` (in their order, at most `limit`) that no other worker
    has claimed, claimed for the block. Without PostgreSQL (the embedded demo,
    one writer at a time) only the first is taken."""
    if connection.vendor != "postgresql":
        yield ids[:1]
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


def _waiting_after(waiting: QuerySet, pk: int, *, limit: int) -> list[int]:
    """The pks of `waiting` (completions of one organization without an
    award) recorded after `pk`, oldest first."""
    return list(
        waiting.filter(pk__gt=pk, pk__lt=pk + LOOKAHEAD)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def _issue_waiting(
    completion, waiting: QuerySet, *, issue, namespace: int, limit: int
) -> list[Award]:
    if not waiting.filter(pk=completion.pk).exists():
        # Issued already, most often in another completion's batch, or voided:
        # nothing to do, and no search past it (among completions a batch has
        # just issued, that search read far for little). A completion that
        # is still waiting has its own task; the sweep sends a lost one again.
        return []
    candidates = [
        completion.pk,
        *_waiting_after(waiting, completion.pk, limit=2 * limit),
    ]
    with claimed(candidates, limit=limit, namespace=namespace) as ids:
        # Read again once claimed: an award stored before the claim is seen.
        return issue(list(waiting.filter(pk__in=ids).order_by("pk")))


@dataclass(frozen=True)
class _Waiting:
    """Where a kind of completion waits: its completions without an award,
    the path to their organization, how they are issued together, and the
    advisory lock namespace of their claims."""

    without_award: Callable[[], QuerySet]
    organization: str
    issue: Callable[[list], list[Award]]
    namespace: int


_WAITING = {
    ModuleCompletion: _Waiting(
        selectors.module_completions_without_award,
        "version__module__organization",
        issuing.issue_module_awards,
        MODULE_CLAIMS,
    ),
    PathwayCompletion: _Waiting(
        selectors.pathway_completions_without_award,
        "version__pathway__organization",
        issuing.issue_pathway_awards,
        PATHWAY_CLAIMS,
    ),
}


def issue_waiting_awards(
    completion: ModuleCompletion | PathwayCompletion, *, limit: int = ISSUE_BATCH
) -> list[Award]:
    """Issue `completion`'s award (a module's or a pathway's), unless it has
    one or another worker is issuing it, and those of up to `limit` - 1
    completions of the same kind and organization recorded after it that wait
    for theirs; the awards issued. A voided completion gets none. Safe to run
    twice."""
    kind = _WAITING[type(completion)]
    *path, last = kind.organization.split("__")
    owner = completion
    for step in path:  # the version and its module or pathway, loaded with it
        owner = getattr(owner, step)
    waiting = (
        kind.without_award()
        .filter(**{f"{kind.organization}_id": getattr(owner, f"{last}_id")})
        .select_related("learner", kind.organization)
    )
    return _issue_waiting(
        completion,
        waiting,
        issue=kind.issue,
        namespace=kind.namespace,
        limit=limit,
    )
