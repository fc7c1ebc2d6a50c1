"""Tasks that are never lost: the transaction that decides the work records it.

A task queued with ``.delay()`` exists only as a message in the broker: if the broker
loses it (the embedded broker's file removed, Redis flushed, a worker killed before
late acknowledgement could help) the work is gone, with nothing to show it. For
work with no other "to send" state in the database (check-in, event and self-match
notices, chat messages, erasure emails, profile reminders, imports), :func:`task_defer`
writes a :class:`~mentoring.models.DeferredTask` row in the caller's transaction and
queues the task when it commits. The task's run deletes the row (:class:`DeferredRun`,
its Celery base class); :func:`deferred_tasks_resend` (beat) queues again every row
older than ``DEFERRED_TASK_RETRY_AFTER`` seconds, so a lost message costs one retry
interval. The tasks are safe to run twice, so a slow task queued again does no harm.

A task that keeps failing is tried ``DEFERRED_TASK_MAX_ATTEMPTS`` times in all, then
left in the table with an error in the log (the admin lists them).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import Task, current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from mentoring.models import DeferredTask

logger = logging.getLogger(__name__)

# The keyword argument that carries the row's id to the task (and is taken off again).
ROW = "_deferred_id"


class DeferredRun(Task):
    """Celery base class of the tasks queued through :func:`task_defer`."""

    # The row's id travels as one more keyword argument, which the task's own
    # signature does not name: Celery must not check the call against it.
    typing = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        row = kwargs.pop(ROW, None)
        result = super().__call__(*args, **kwargs)
        if row is not None:
            DeferredTask.objects.filter(pk=row).delete()
        return result


def task_defer(task: Task, *args: Any, **kwargs: Any) -> DeferredTask:
    """Record ``task(*args, **kwargs)`` in the current transaction and queue it once
    the transaction commits (arguments must be JSON: ids, strings, numbers)."""
    row = DeferredTask.objects.create(name=task.name, args=list(args), kwargs=dict(kwargs))
    row_id = row.pk
    transaction.on_commit(lambda: task.apply_async(args, {**kwargs, ROW: row_id}))
    return row


def deferred_tasks_resend(*, now: dt.datetime | None = None, limit: int | None = None) -> int:
    """Queue again every deferred task that has not run within the retry interval.
    Returns how many were queued. Each row is claimed by a conditional update, so two
    sweeps never queue one row twice."""
    now = now or timezone.now()
    limit = limit or settings.DEFERRED_TASK_BATCH
    before = now - dt.timedelta(seconds=settings.DEFERRED_TASK_RETRY_AFTER)
    most = settings.DEFERRED_TASK_MAX_ATTEMPTS
    due = DeferredTask.objects.filter(queued_at__lte=before, attempts__lt=most)
    queued = 0
    for row in due.order_by("queued_at", "pk")[:limit]:
        claimed = DeferredTask.objects.filter(pk=row.pk, queued_at=row.queued_at).update(
            queued_at=now, attempts=F("attempts") + 1
        )
        if not claimed:
            continue  # another sweep took it, or it ran meanwhile
        task = current_app.tasks.get(row.name)
        if task is None:
            logger.error("Deferred task %s (%s) is not registered; left in place", row.pk, row.name)
            continue
        if row.attempts + 1 >= most:
            logger.error(
                "Deferred task %s (%s) tried %d times; giving up after this one",
                row.pk,
                row.name,
                most,
            )
        task.apply_async(row.args, {**row.kwargs, ROW: row.pk})
        queued += 1
    return queued
