"""Checks behind /healthz: database, cache, broker, a live worker and the beat heartbeat."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from mentoring.models import Heartbeat

logger = logging.getLogger(__name__)


@dataclass
class Check:
    ok: bool
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"ok": self.ok}
        if self.detail:
            data["detail"] = self.detail
        data.update(self.extra)
        return data


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return Check(False, f"{type(exc).__name__}: {exc}".strip()[:200])
    return Check(True, connection.vendor)


def check_cache() -> Check:
    key = f"healthz:{secrets.token_hex(8)}"
    try:
        cache.set(key, "1", timeout=10)
        value = cache.get(key)
        cache.delete(key)
    except Exception as exc:
        return Check(False, f"{type(exc).__name__}: {exc}"[:200])
    if value != "1":
        return Check(False, "value written to the cache could not be read back")
    return Check(True)


def check_broker() -> Check:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return Check(True, "eager: tasks run in the web process")
    from mentoring.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:
        return Check(False, f"{type(exc).__name__}: {exc}"[:200])
    return Check(True, str(transport))


def check_heartbeat() -> Check:
    max_age = settings.HEALTHZ_HEARTBEAT_MAX_AGE
    try:
        beat = Heartbeat.objects.filter(name="beat").first()
    except Exception as exc:
        return Check(False, f"{type(exc).__name__}: {exc}"[:200])
    if beat is None:
        return Check(False, "no heartbeat recorded yet: is the worker with beat running?")
    age = (timezone.now() - beat.beat_at).total_seconds()
    extra = {"age_seconds": round(age, 1), "max_age_seconds": max_age}
    if age > max_age:
        return Check(False, "the last heartbeat is too old: beat or the worker has stopped", extra)
    return Check(True, extra=extra)


WORKER_PREFIX = "worker:"


def worker_heartbeat_name(hostname: str) -> str:
    """The Heartbeat row a worker keeps fresh while its main process runs."""
    return f"{WORKER_PREFIX}{hostname}"[:64]


def heartbeat_forget(*, name: str) -> None:
    """A supervisor saw this process stop: /healthz reports it down from now on."""
    try:
        Heartbeat.objects.filter(name=name).delete()
    except Exception:  # the database may be what stopped it; the row then ages out
        logger.warning("Could not forget heartbeat %s", name, exc_info=True)


def check_worker() -> Check:
    """A worker's main process is alive: its own heartbeat (every
    WORKER_HEARTBEAT_INTERVAL seconds) is recent."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return Check(True, "eager: tasks run in the web process")
    max_age = settings.HEALTHZ_WORKER_MAX_AGE
    try:
        latest = (
            Heartbeat.objects.filter(name__startswith=WORKER_PREFIX).order_by("-beat_at").first()
        )
    except Exception as exc:
        return Check(False, f"{type(exc).__name__}: {exc}"[:200])
    if latest is None:
        return Check(False, "no worker is running")
    age = (timezone.now() - latest.beat_at).total_seconds()
    extra = {"age_seconds": round(age, 1), "max_age_seconds": max_age}
    if age > max_age:
        return Check(False, "no worker has been heard from recently: is one running?", extra)
    return Check(True, extra=extra)


def run_checks() -> tuple[bool, dict[str, Any]]:
    checks = {
        "database": check_database(),
        "cache": check_cache(),
        "broker": check_broker(),
        "worker": check_worker(),
        "heartbeat": check_heartbeat(),
    }
    healthy = all(check.ok for check in checks.values())
    return healthy, {name: check.as_dict() for name, check in checks.items()}
