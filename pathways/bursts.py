"""One evaluation of a learner's pathways per burst of completions.

A learner's modules often complete together (a grade release, a bulk award,
a recognition decision) and each completion announces itself; evaluating the
learner's pathways after every one costs a dozen queries each time, though
only the last records anything. A marker in the cache says an evaluation is
queued and has not started: while it stands, another completion queues none.
The evaluation removes the marker before it reads, so whatever is committed
after that queues an evaluation of its own and nothing goes unseen. The
marker expires after BURST_SECONDS in case its message is lost; the periodic
sweep (pathways/sweeps.py) finds what a lost message left before that.
"""

import contextlib

from django.conf import settings
from django.core.cache import cache

from config.celery import broker_errors
from pathways import tasks

# Longer than a backlog keeps a message waiting (a grade release of thousands
# records for minutes before the workers reach its evaluations: a shorter
# marker lapsed meanwhile and queued a second evaluation per learner). A lost
# message holds nothing back: the periodic sweep (pathways/sweeps.py) finds
# the completions recorded after the learner's last evaluation from the
# database alone, and its evaluation removes the marker.
BURST_SECONDS = 15 * 60


def _marker(learner_id: int) -> str:
    # The database's name: a bench's copies of one database (the same
    # learners' ids) share the cache, and a run stopped early left markers.
    database = settings.DATABASES["default"]["NAME"]
    return f"pathways:evaluation-queued:{database}:{learner_id}"


def queue_evaluation(learner_id: int) -> bool:
    """Queue an evaluation of the learner's pathways unless one is queued and
    not yet started; whether this call queued it."""
    added = True  # if the cache's Redis is away: queued as if none stood
    with contextlib.suppress(*broker_errors()):
        added = cache.add(_marker(learner_id), True, timeout=BURST_SECONDS)
    if not added:
        return False
    if tasks.evaluate_learner_pathways.delay(learner_id) is None:
        # Not sent (the broker is away: CairnTask leaves the work to the
        # sweep): the next completion may try again.
        evaluation_started(learner_id)
        return False
    return True


def evaluation_started(learner_id: int) -> None:
    """Called by the evaluation before it reads: completions from now on
    queue another."""
    with contextlib.suppress(*broker_errors()):  # or it expires (BURST_SECONDS)
        cache.delete(_marker(learner_id))
