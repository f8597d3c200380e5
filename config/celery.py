"""Celery application: settings come from Django's, under the CELERY_ prefix.

Every task shares one base class (CairnTask) with two habits:

- Sending never breaks what was already saved. A task is sent after the
  transaction that asked for it committed; if the broker is down at that
  moment the action still stands, the failure is logged, and the work waits in
  the database for the sweeps (credentials.tasks.sweep_unissued and
  pathways.tasks.sweep_unevaluated), which find it from the rows alone.
- A task that meets a PostgreSQL deadlock or serialization failure, or whose
  connection PostgreSQL dropped while restarting, is retried a little later
  instead of failing: those errors mean "try again", and every task is
  idempotent.

And a task that fails for good is recorded (accounts.models.TaskFailure), so
site administrators see it on the queued-work page.
"""

import logging
import os
import random
import time

from celery import Celery
from celery.contrib.django.task import DjangoTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger("cairn.tasks")

# How often a task that met a deadlock is tried again, and the longest wait.
TRANSIENT_RETRIES = 5
TRANSIENT_MAX_COUNTDOWN = 10


def is_transient_database_error(error: BaseException) -> bool:
    """A deadlock or serialization failure, or a connection PostgreSQL dropped
    or refused while restarting (psycopg's, as Django wraps them)."""
    from psycopg import errors

    transient = (
        errors.DeadlockDetected
        | errors.SerializationFailure
        | errors.AdminShutdown
        | errors.CannotConnectNow
    )
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, transient):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def broker_errors() -> tuple[type[BaseException], ...]:
    """What publishing raises when the broker cannot be reached."""
    from kombu.exceptions import OperationalError as KombuOperationalError

    found: list[type[BaseException]] = [KombuOperationalError, ConnectionError]
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    else:
        found.append(RedisError)
    return tuple(found)


def _drop_broken_connections() -> None:
    """Close database connections that PostgreSQL dropped, so that the next
    attempt opens new ones."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.is_usable():
            connection.close()


def _control_flow() -> tuple[type[BaseException], ...]:
    """What a task raises to steer Celery, not because it failed."""
    from celery.exceptions import Ignore, Reject, Retry

    return (Retry, Ignore, Reject)


def _record_failure(task, args, kwargs, error: BaseException) -> None:
    from accounts.task_failures import record_failure

    record_failure(task.name, task.request.id, args, kwargs, error)


class CairnTask(DjangoTask):
    def apply_async(self, args=None, kwargs=None, **options):
        try:
            return super().apply_async(args, kwargs, **options)
        except broker_errors() as error:
            if self.app.conf.task_always_eager:
                raise
            logger.warning(
                "Could not queue %s%r: %s. The work is kept in the database and "
                "the next sweep queues it again.",
                self.name,
                tuple(args or ()),
                error,
            )
            return None

    def __call__(self, *args, **kwargs):
        attempt = self.request.retries
        while True:
            try:
                return super().__call__(*args, **kwargs)
            except Exception as error:
                if self.request.called_directly or isinstance(error, _control_flow()):
                    raise
                if (
                    not is_transient_database_error(error)
                    or attempt >= TRANSIENT_RETRIES
                ):
                    _record_failure(self, args, kwargs, error)
                    raise
                attempt += 1
                countdown = random.uniform(
                    0.2, min(TRANSIENT_MAX_COUNTDOWN, 2**attempt)
                )
                logger.info(
                    "%s%r met a deadlock or serialization failure; retry %d in %.1fs.",
                    self.name,
                    args,
                    attempt,
                    countdown,
                )
                if not self.request.is_eager:
                    # The worker starts each task on fresh connections.
                    raise self.retry(exc=error, countdown=countdown) from error
                _drop_broken_connections()
                time.sleep(countdown)  # in process: try again here


def queue_backlog(queue: str) -> int | None:
    """Messages waiting in a queue (None when the broker cannot be asked).

    The sweeps top up idle queues rather than pile on busy ones: work still
    waiting for a worker is not lost, and what is lost is found once the
    queue has drained."""
    return queue_backlogs([queue])[queue]


def queue_backlogs(queues: list[str] | tuple[str, ...]) -> dict[str, int | None]:
    """queue_backlog of each queue, asked over one connection. A broker that
    is down is found at the first attempt to connect (half a second), not
    after kombu's retries for each queue: six seconds a queue, so the queued
    work page took thirty seconds to say the broker does not answer."""
    if app.conf.task_always_eager:
        return dict.fromkeys(queues, 0)
    found = {}
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0)
            for queue in queues:
                channel = connection.channel()
                try:
                    found[queue] = channel.queue_declare(
                        queue, passive=True
                    ).message_count
                except broker_errors():
                    raise
                except Exception:  # noqa: BLE001 - a queue never declared is empty
                    found[queue] = 0
                finally:
                    channel.close()
    except broker_errors() as error:
        logger.warning("Could not ask the broker about its queues: %s", error)
        return dict.fromkeys(queues, None)
    return found


def send_each(task, ids, *, queue: str) -> int:
    """A sweep's sending: task(id) for each id, unless `queue` still has work
    waiting (then nothing: what is lost is found once it drained), stopping at
    the first message the broker refuses. How many were sent."""
    backlog = queue_backlog(queue)
    if backlog:
        logger.info("Sweep: %d messages wait in %s; left to them.", backlog, queue)
        return 0
    if backlog is None:
        return 0
    sent = 0
    for pk in ids:
        if task.delay(pk) is None:
            break  # the broker is down: the next sweep tries again
        sent += 1
    return sent


app = Celery("cairn", task_cls=CairnTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["accounts.people", "accounts.notifications"])  # sub-packages
