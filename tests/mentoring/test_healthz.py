from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from mentoring.health import heartbeat_forget, worker_heartbeat_name
from mentoring.models import Heartbeat
from mentoring.services import heartbeat_record
from mentoring.tasks import record_heartbeat_task

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_everything_is_fine(client: Client) -> None:
    heartbeat_record()
    # A worker's main process keeps its own row fresh (eager tests need none).
    heartbeat_record(name=worker_heartbeat_name("test-worker"))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "worker", "heartbeat"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["heartbeat"]["age_seconds"] < 5


def test_healthz_is_503_before_the_first_heartbeat(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    heartbeat = response.json()["checks"]["heartbeat"]
    assert heartbeat["ok"] is False
    assert "no heartbeat" in heartbeat["detail"]


def test_healthz_is_503_when_the_heartbeat_is_stale(client: Client, settings) -> None:
    settings.HEALTHZ_HEARTBEAT_MAX_AGE = 300
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        heartbeat_record()
    with time_machine.travel(start + dt.timedelta(seconds=301), tick=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["heartbeat"]["age_seconds"] == pytest.approx(301, abs=1)
    assert body["checks"]["database"]["ok"] is True


def test_healthz_is_503_when_the_broker_is_unreachable(client: Client) -> None:
    heartbeat_record()
    # Nothing listens on port 1: the broker check must fail fast and say why.
    with override_settings(
        CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="redis://127.0.0.1:1/0"
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["ok"] is False
    assert broker["detail"]


def test_healthz_refuses_writes(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


def test_healthz_is_never_cached(client: Client) -> None:
    heartbeat_record()
    assert "no-cache" in client.get("/healthz")["Cache-Control"]


def test_heartbeat_task_counts_every_run() -> None:
    record_heartbeat_task.apply()
    record_heartbeat_task.apply()
    beat = Heartbeat.objects.get(name="beat")
    assert beat.count == 2
    assert (timezone.now() - beat.beat_at).total_seconds() < 5


def test_beat_schedule_runs_the_heartbeat(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["record-heartbeat"]
    assert entry["task"] == record_heartbeat_task.name
    assert entry["schedule"] <= settings.HEALTHZ_HEARTBEAT_MAX_AGE


# -- The worker's own heartbeat -------------------------------------------------------


@pytest.fixture
def real_broker(settings) -> None:
    """As with a real worker: the worker check is not waived as for eager tasks."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.HEALTHZ_WORKER_MAX_AGE = 30


def _worker_check(client: Client) -> dict:
    return client.get("/healthz").json()["checks"]["worker"]


def test_healthz_says_no_worker_runs_before_one_has_beaten(client: Client, real_broker) -> None:
    check = _worker_check(client)
    assert check["ok"] is False
    assert "no worker" in check["detail"]


def test_healthz_sees_a_worker_whose_heartbeat_is_fresh(client: Client, real_broker) -> None:
    heartbeat_record(name=worker_heartbeat_name("w1@host"))
    assert _worker_check(client)["ok"] is True


def test_healthz_reports_the_worker_down_once_its_heartbeat_is_stale(
    client: Client, real_broker
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        heartbeat_record(name=worker_heartbeat_name("w1@host"))
    with time_machine.travel(start + dt.timedelta(seconds=31), tick=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False


def test_a_forgotten_worker_heartbeat_reports_the_worker_down_at_once(
    client: Client, real_broker
) -> None:
    name = worker_heartbeat_name("runlocal-8000@host")
    heartbeat_record(name=name)
    heartbeat_forget(name=name)
    assert _worker_check(client)["ok"] is False


def test_the_beat_heartbeat_is_no_worker_heartbeat(client: Client, real_broker) -> None:
    heartbeat_record(name="beat")
    assert _worker_check(client)["ok"] is False
