"""Fixtures shared by the whole suite: one cast per organization (STYLE.md §12)."""

import fcntl
import hashlib
import os
import sys
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from config.celery import app as celery_app
from tests import builders


def pytest_configure(config):
    """Where the environment forbids writing bytecode (PYTHONDONTWRITEBYTECODE,
    as on the shared test machine), every Python process the tests start (Celery
    workers, `manage.py check`, the xdist workers) compiled all of Django and
    Cairn again: about 4.5 s of CPU each, of 8. They share a bytecode cache of
    the run's own instead, in .pytest_cache, never next to the sources."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or sys.pycache_prefix:
        return
    if os.environ.get("PYTHONPYCACHEPREFIX") or not hasattr(config, "cache"):
        return
    os.environ["PYTHONPYCACHEPREFIX"] = str(config.cache.mkdir("pycache"))
    del os.environ["PYTHONDONTWRITEBYTECODE"]


def pytest_collection_modifyitems(config, items):
    """The heaviest tests (marked `heavy(seconds)`) first, heaviest first, dealt
    alternately to the front of each half of the run: with `-n 2 --dist
    worksteal` each worker starts on its half, so both begin with the long
    tests and end on short ones, and a worker that runs out steals the other's
    last tests. In one process the order only puts the heavy tests first."""
    heavy = sorted(
        (item for item in items if item.get_closest_marker("heavy")),
        key=lambda item: -item.get_closest_marker("heavy").args[0],
    )
    if not heavy:
        return
    chosen = set(heavy)
    rest = [item for item in items if item not in chosen]
    first, second = heavy[0::2], heavy[1::2]
    middle = max(0, len(items) // 2 - len(first))
    items[:] = [*first, *rest[:middle], *second, *rest[middle:]]


@pytest.fixture(autouse=True)
def _media_and_tasks(settings, tmp_path):
    """Files go to a fresh directory; tasks run in process unless a test says not."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Real password hashing costs about 0.3 s a user; tests need none of it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every cache key (rate-limit windows, burst markers, progress, cached
    # fragments) under a namespace of the test's own: the Redis is shared with
    # the other xdist workers, whose rows have the same ids (config/cache.py).
    settings.CAIRN_CACHE_NAMESPACE = uuid.uuid4().hex
    # allauth's own limits (one confirmation mail per address in three minutes,
    # ...) count in that cache too, under keys no test can separate: off here.
    settings.ACCOUNT_RATE_LIMITS = False
    # The sweeps leave young work to its message; in tests they act at once
    # (tests/test_sweeps.py sets a grace period where it is the subject).
    settings.CAIRN_SWEEP_GRACE_SECONDS = 0
    # Tasks run in process: each notification's e-mail goes at once (a burst
    # cannot wait there; tests of bursts set a length and a broker).
    settings.CAIRN_MAIL_BURST_SECONDS = 0
    # Analytics read afresh: a test's figures are its own (the cache is shared).
    settings.CAIRN_ANALYTICS_CACHE_SECONDS = 0
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def cast(db):
    return builders.make_cast()


@pytest.fixture
def pathway(cast):
    """A published pathway of three published modules, each with a rubric task."""
    return builders.make_pathway(cast)


@contextmanager
def broker_to_ourselves(url: str):
    """One test at a time on the shared test broker (a real worker's, or one
    sending to Redis and purging after): the xdist workers' test databases
    differ but their Redis queues do not, so two such tests at once take each
    other's tasks (and find no rows), and one's purge empties the other's
    queue. An exclusive lock on a file named after the broker, held for the
    block (from the purge until the worker has stopped)."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"cairn-test-broker-{digest}.lock"
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def broker_at(url: str):
    """Send tasks to the broker at `url` (not run in process) until the block
    ends; a closed port stands for a broker that is down."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url
    conf.task_always_eager, conf.broker_url = False, url
    celery_app._after_fork()  # forget pooled connections to the old broker
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url = saved
        celery_app._after_fork()


@pytest.fixture
def broker_down():
    """While the test runs, the broker cannot be reached (nothing listens)."""
    with broker_at(DEAD_BROKER):
        yield


DEAD_BROKER = "redis://127.0.0.1:9/0"
