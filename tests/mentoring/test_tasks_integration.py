from __future__ import annotations

import subprocess
import uuid

import pytest
from django.db import transaction

from mentoring.models import Heartbeat
from mentoring.services import heartbeat_request
from tests.integration import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_task_enqueued_after_commit_is_run_by_the_real_worker(
    celery_worker_process: subprocess.Popen[str],
) -> None:
    rolled_back = f"rolled-back-{uuid.uuid4().hex[:8]}"
    committed = f"committed-{uuid.uuid4().hex[:8]}"

    def enqueue_then_fail() -> None:
        with transaction.atomic():
            heartbeat_request(name=rolled_back)
            raise RuntimeError("abandon this transaction")

    with pytest.raises(RuntimeError):
        enqueue_then_fail()
    with transaction.atomic():
        heartbeat_request(name=committed)
        # Nothing is sent before the commit, so the worker cannot race it.
        assert not Heartbeat.objects.filter(name=committed).exists()

    beat = wait_for(
        lambda: Heartbeat.objects.filter(name=committed).first(), worker=celery_worker_process
    )
    assert beat.count == 1
    # The worker takes tasks in order: had the rolled-back one been sent, it
    # would have run before the committed one.
    assert not Heartbeat.objects.filter(name=rolled_back).exists()


def test_the_worker_answers_on_this_sessions_own_queues(
    celery_worker_process: subprocess.Popen[str], settings
) -> None:
    from mentoring.celery import app

    def active_queues() -> set[str] | None:
        replies = app.control.inspect(timeout=1.0).active_queues() or {}
        names = {queue["name"] for queues in replies.values() for queue in queues}
        return names or None

    names = wait_for(active_queues, worker=celery_worker_process)
    assert set(settings.CELERY_QUEUES_ALL) <= names
