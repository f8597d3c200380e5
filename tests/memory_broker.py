"""Tasks sent to an in-process broker (kombu's memory transport, with
tests.conftest.broker_at("memory://")), read off it and run here as a worker
runs them: what the tests count when they count messages."""

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager

from config.celery import app as celery_app

QUEUES = ("default", "signing", "pdf", "mail", "bulk")


def _take(queue: str) -> list[tuple[str, list, dict, str | None]]:
    taken = []
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        while True:
            try:
                payload = channel._get(queue)
            except Exception:  # noqa: BLE001 - the queue is empty or unknown
                break
            message = channel.Message(payload, channel=channel)
            args, kwargs, _ = message.decode()
            headers = message.headers
            taken.append((headers["task"], args, kwargs, headers.get("eta")))
    return taken


def take_messages(queue: str) -> list[tuple[str, list, dict, bool]]:
    """The queue's messages, taken off it: (task, args, kwargs, has a countdown)."""
    return [(task, args, kwargs, bool(eta)) for task, args, kwargs, eta in _take(queue)]


def empty_queues() -> None:
    """Forget what an earlier test left."""
    for queue in QUEUES:
        _take(queue)


def run_queued(
    capture, *, held_context: Callable[[str], AbstractContextManager] | None = None
) -> tuple[list, list]:
    """Run every queued task until none is left: those sent without a
    countdown first, then those with one, earliest first, as their time comes
    (each in `held_context(task)` if given), and what they send in turn;
    `capture` is django_capture_on_commit_callbacks. Returns the tasks run at
    once and the held ones, each as (task, args, kwargs)."""
    ran, held, waiting = [], [], []
    while True:
        for queue in QUEUES:
            waiting += _take(queue)
        ready = [m[:3] for m in waiting if not m[3]]
        if ready:
            waiting = [m for m in waiting if m[3]]
            run_tasks(ready, capture)
            ran += ready
            continue
        if not waiting:
            return ran, held
        waiting.sort(key=lambda m: m[3])
        (task, args, kwargs, _), waiting = waiting[0], waiting[1:]
        with held_context(task) if held_context else contextlib.nullcontext():
            run_tasks([(task, args, kwargs)], capture)
        held.append((task, args, kwargs))


def run_tasks(queued: list, capture) -> None:
    """Run (task, args, kwargs) as a worker does, what commit schedules too."""
    for task, args, kwargs in queued:
        with capture(execute=True):
            celery_app.tasks[task].apply(args=args, kwargs=kwargs, throw=True)
