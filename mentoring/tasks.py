"""Celery tasks of the core app: thin wrappers that call a service by name or id."""

from __future__ import annotations

from celery import shared_task

from mentoring import services


@shared_task(name="mentoring.tasks.record_heartbeat_task")
def record_heartbeat_task(name: str = "beat") -> str:
    beat = services.heartbeat_record(name=name)
    return beat.beat_at.isoformat()
