"""Recording background tasks that failed for good, and reading them back
(accounts.models.TaskFailure). Recording never raises: a failure to write the
record is logged, and the task's own failure is what counts."""

import logging
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone

from accounts.models import TaskFailure

logger = logging.getLogger("cairn.tasks")

# Records older than this are deleted as new ones come in.
KEEP_FOR = timedelta(days=30)
MESSAGE_LIMIT = 2000


def _plain(value):
    """Arguments as JSON can hold them (ids, strings); anything else as text."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return repr(value)[:200]


def record_failure(
    task_name: str, task_id: str | None, args, kwargs, error: BaseException
) -> TaskFailure | None:
    arguments = _plain(list(args or ()))
    if kwargs:
        arguments.append(_plain(kwargs))
    try:
        with transaction.atomic():
            TaskFailure.objects.filter(failed_at__lt=timezone.now() - KEEP_FOR).delete()
            return TaskFailure.objects.create(
                task_name=task_name[:200],
                task_id=(task_id or "")[:64],
                arguments=arguments,
                error=type(error).__name__[:200],
                message=str(error)[:MESSAGE_LIMIT],
            )
    except DatabaseError as problem:
        logger.warning("Could not record the failure of %s: %s", task_name, problem)
        return None


def recent_failures(limit: int = 20) -> list[TaskFailure]:
    return list(TaskFailure.objects.all()[:limit])


def failures_since(moment) -> int:
    return TaskFailure.objects.filter(failed_at__gte=moment).count()
