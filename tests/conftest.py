"""Fixtures shared by the whole suite: one cast per organization (STYLE.md §12)."""

import uuid
from contextlib import contextmanager

import pytest

from config.celery import app as celery_app
from tests import builders


@pytest.fixture(autouse=True)
def _media_and_tasks(settings, tmp_path):
    """Files go to a fresh directory; tasks run in process unless a test says not."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Real password hashing costs about 0.3 s a user; tests need none of it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rate-limit windows live in the shared Redis cache: each test counts alone.
    settings.CAIRN_RATE_LIMIT_NAMESPACE = uuid.uuid4().hex
    # So are cached fragments: keys of another run's learner of the same id.
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
