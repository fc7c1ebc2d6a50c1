"""Writes of the core app. Keyword-only, typed, named <noun>_<verb>."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from mentoring import tasks
from mentoring.models import Heartbeat


def heartbeat_record(*, name: str = "beat") -> Heartbeat:
    """Record that the periodic worker ran now. Safe to run any number of times."""
    now = timezone.now()
    with transaction.atomic():
        updated = Heartbeat.objects.filter(name=name).update(beat_at=now, count=F("count") + 1)
        if not updated:
            Heartbeat.objects.get_or_create(name=name, defaults={"beat_at": now, "count": 1})
    return Heartbeat.objects.get(name=name)


def heartbeat_request(*, name: str) -> None:
    """Ask a worker to record a heartbeat once this transaction commits."""
    transaction.on_commit(lambda: tasks.record_heartbeat_task.delay(name=name))
