"""Celery tasks of the core app: thin wrappers that call a service by name or id."""

from __future__ import annotations

from mentoring import queues, services
from mentoring.deferred import deferred_tasks_resend


@queues.task(name="mentoring.tasks.record_heartbeat_task", queue_kind=queues.DEFAULT)
def record_heartbeat_task(name: str = "beat") -> str:
    beat = services.heartbeat_record(name=name)
    return beat.beat_at.isoformat()


@queues.task(name="mentoring.tasks.resend_deferred_tasks_task", queue_kind=queues.DEFAULT)
def resend_deferred_tasks_task() -> int:
    """Every minute: queue again the deferred tasks whose message was lost."""
    return deferred_tasks_resend()
