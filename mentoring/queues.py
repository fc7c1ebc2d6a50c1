"""The worker queues, and the router that puts each task on the queue it declares.

A task says which kind of work it is where it is declared, ``@queues.task(name=...,
queue_kind=queues.EMAIL)``; the router turns the kind into the queue's name when the task is
sent, ``<CELERY_QUEUE_PREFIX>.<kind>``. The prefix is read then, not at import: every
test process has a prefix of its own (mentoring/settings/test.py).

Imported by the settings, so nothing here reads them at import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from celery import Task, shared_task

# Everything else: heartbeats, the deferred-task sweep, snapshots, imports, erasure.
DEFAULT = "default"
# Delivers email, chat messages or webhooks, or sweeps for them to deliver.
EMAIL = "email"
# Kept for report work, so a worker can be given it alone; no task uses it yet.
REPORTS = "reports"
# A large matching run never delays a reminder.
MATCHING = "matching"

KINDS = (DEFAULT, EMAIL, REPORTS, MATCHING)


def _kind_check(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"Unknown queue kind {kind!r}; the kinds are {', '.join(KINDS)}")


def queue_name(kind: str, *, prefix: str | None = None) -> str:
    """The broker's name of the queue for this kind of work."""
    _kind_check(kind)
    if prefix is None:
        from django.conf import settings

        prefix = settings.CELERY_QUEUE_PREFIX
    return f"{prefix}.{kind}"


def task[**P, R](
    *, name: str, queue_kind: str, **options: Any
) -> Callable[[Callable[P, R]], Task[P, R]]:
    """Celery's ``shared_task`` for our tasks: each names the kind of queue it goes on.
    The name is the one queued messages and the beat schedule carry: never change it."""
    _kind_check(queue_kind)  # at import: a misspelt kind never reaches the broker
    options.update(name=name, queue_kind=queue_kind)
    return cast(Callable[[Callable[P, R]], Task[P, R]], shared_task(**options))


def task_route(
    name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **extra: Any
) -> dict[str, str] | None:
    """Celery's router (CELERY_TASK_ROUTES): the queue of the task's declared kind.
    A task that declares none (Celery's own) goes to CELERY_TASK_DEFAULT_QUEUE."""
    kind = getattr(task, "queue_kind", None)
    if kind is None:
        return None
    return {"queue": queue_name(kind)}
