"""One evaluation task per burst of completions, across learners (issue 17).

A grade release completes modules for thousands of learners in minutes, and
each completion announces itself; a task per learner cost a task run and a
dozen queries each, for work that is the same for many (the catalogue, the
compiled rules). A completion's announcement instead adds its learner to a
set of learners waiting for an evaluation, kept beside a marker that says an
evaluation task is queued and has not started: while the marker stands, no
other task is queued. The task removes the marker and takes up to
EVALUATION_BATCH learners from the set in one step, before it reads, so a
completion committed after that queues a task of its own and none goes
unseen; if more wait, it queues the next batch before it evaluates, so that a
backlog is evaluated by a chain of tasks, two at a time on two worker
processes (pathways/evaluation.py evaluates a batch in a fixed number of
queries).

The set is the learners' own, not found from timestamps in the database: a
completion recorded before an evaluation started and committed after it read
is older than the learner's `evaluated_at`, and finding it from the database
would mean evaluating again, at every task, every learner with a change in
the grace period before their last evaluation. The periodic sweep
(pathways/sweeps.py) does that from the database alone, as the backup: what a
lost message, a worker that died after taking its learners, or a Redis that
lost the set leaves undone is found there. The marker expires after
BURST_SECONDS in case its message is lost. Without a Redis cache (the
embedded demo, tasks in process) and when the cache's Redis is away, each
announcement queues its learner's own evaluation, as before.
"""

import contextlib

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from config.celery import broker_errors
from pathways import tasks

# Longer than a backlog keeps a message waiting (a grade release of thousands
# records for minutes before the workers reach its evaluation: a shorter
# marker lapsed meanwhile and queued a second task). A lost message holds
# nothing back: the periodic sweep finds the completions recorded after the
# learners' last evaluation from the database alone.
BURST_SECONDS = 15 * 60
# Learners evaluated by one task: their reads are a fixed number of queries
# (about ten), so the larger the batch the less each learner costs; small
# enough that a batch's rows (a few completions a learner) and its time stay
# small, and that two worker processes share a backlog.
EVALUATION_BATCH = 100
# How long a burst's task waits before it starts, gathering the completions
# of that second (as credentials.services.issuing_batches.GATHER_SECONDS).
GATHER_SECONDS = 1.0


def _redis():
    """The cache's Redis client and the marker's and set's keys (named after
    the database: a bench's copies of one database share the cache), or None
    without a Redis cache."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return None
    database = settings.DATABASES["default"]["NAME"]
    return (
        cache.client(),
        cache.make_key(f"pathways:evaluation-queued:{database}"),
        cache.make_key(f"pathways:learners-to-evaluate:{database}"),
    )


def queue_evaluation(learner_id: int) -> bool:
    """Note that the learner's pathways need evaluating and queue a task
    unless one is queued and not yet started; whether this call queued one."""
    found = _redis()
    if found is None:
        return tasks.evaluate_learner_pathways.delay(learner_id) is not None
    client, marker, waiting = found
    try:
        pipe = client.pipeline()
        pipe.sadd(waiting, learner_id)
        pipe.set(marker, 1, nx=True, ex=BURST_SECONDS)
        _, added = pipe.execute()
    except broker_errors():
        # The cache's Redis is away: the learner's own task (if the broker is
        # away too, CairnTask leaves the work to the sweep).
        return tasks.evaluate_learner_pathways.delay(learner_id) is not None
    if not added:
        return False
    task = tasks.evaluate_waiting_pathways
    if task.apply_async(countdown=GATHER_SECONDS) is None:
        # Not sent (the broker is away: CairnTask leaves the work to the
        # sweep): the next completion may try again.
        _forget_marker(client, marker)
        return False
    return True


def take_waiting(limit: int | None = None) -> list[int]:
    """Called by the evaluation task before it reads: remove the marker (a
    completion from now on queues another task) and take up to `limit` of the
    learners waiting (EVALUATION_BATCH by default), in one step; the next
    batch is queued if more wait."""
    found = _redis()
    if found is None:
        return []
    client, marker, waiting = found
    try:
        pipe = client.pipeline()  # MULTI ... EXEC: one step
        pipe.delete(marker)
        pipe.spop(waiting, limit or EVALUATION_BATCH)
        pipe.scard(waiting)
        _, taken, left = pipe.execute()
    except broker_errors():
        return []  # left waiting, or to the sweep
    if left:
        # The next batch goes now, to be evaluated beside this one.
        tasks.evaluate_waiting_pathways.delay()
    return sorted(int(learner_id) for learner_id in taken or ())


def _forget_marker(client, marker: str) -> None:
    with contextlib.suppress(*broker_errors()):  # or it expires (BURST_SECONDS)
        client.delete(marker)
