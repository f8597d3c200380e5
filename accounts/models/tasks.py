"""Background tasks that failed for good: what a site administrator reads on
the queued-work page (and in Django admin) to see work that keeps failing.

A task that meets a deadlock is retried, and a lost one is found again by the
sweeps; what lands here raised an error no retry was going to cure (a broken
key, a bug), so it stays failing until someone looks."""

from django.db import models


class TaskFailure(models.Model):
    task_name = models.CharField(max_length=200)
    task_id = models.CharField(max_length=64, blank=True)
    # The task's arguments: ids, as the task was sent.
    arguments = models.JSONField(default=list)
    error = models.CharField(max_length=200)  # the exception's class
    message = models.TextField(blank=True)
    failed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-failed_at"]

    def __str__(self) -> str:
        return f"{self.task_name} failed: {self.error}"
