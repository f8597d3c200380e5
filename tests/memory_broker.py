"""Tasks sent to an in-process broker (kombu's memory transport, with
tests.conftest.broker_at("memory://")), read off it and run here as a worker
runs them: what the tests count when they count messages."""

from config.celery import app as celery_app

QUEUES = ("default", "signing", "pdf", "mail", "bulk")


def take_messages(queue: str) -> list[tuple[str, list, dict, bool]]:
    """The queue's messages, taken off it: (task, args, kwargs, has a countdown)."""
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
            taken.append((headers["task"], args, kwargs, bool(headers.get("eta"))))
    return taken


def empty_queues() -> None:
    """Forget what an earlier test left."""
    for queue in QUEUES:
        take_messages(queue)


def run_queued(capture, *, run_held: bool = True) -> tuple[list, list]:
    """Run every queued task until none is left, those with a countdown last
    (their time has come), unless not `run_held`;
    `capture` is django_capture_on_commit_callbacks. Returns the tasks run at
    once and the held ones, each as (task, args, kwargs)."""
    ran, held = [], []
    while True:
        ready = []
        for queue in QUEUES:
            for task, args, kwargs, later in take_messages(queue):
                (held if later else ready).append((task, args, kwargs))
        if not ready:
            break
        for task, args, kwargs in ready:
            with capture(execute=True):
                celery_app.tasks[task].apply(args=args, kwargs=kwargs, throw=True)
        ran += ready
    if run_held:
        run_tasks(held, capture)
    return ran, held


def run_tasks(queued: list, capture) -> None:
    """Run (task, args, kwargs) as a worker does, what commit schedules too."""
    for task, args, kwargs in queued:
        with capture(execute=True):
            celery_app.tasks[task].apply(args=args, kwargs=kwargs, throw=True)
