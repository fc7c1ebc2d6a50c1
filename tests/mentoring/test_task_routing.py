"""Every task is registered by the worker's own imports and declares its queue."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from celery import Task

from mentoring import queues
from mentoring.celery import app
from tests.project_apps import PROJECT_APPS

ROOT = Path(__file__).resolve().parents[2]
APPS = PROJECT_APPS

# What a fresh process registers once Celery has imported its task modules, as the
# worker and beat do at start; nothing else of the project is imported there.
_REGISTERED = """
import json, django
django.setup()
from mentoring.celery import app
app.loader.import_default_modules()
print(json.dumps(sorted(name for name in app.tasks if not name.startswith("celery."))))
"""


def _project_tasks() -> dict[str, Task]:
    """Every task declared in a module of ours whose name ends in "tasks"."""
    for package in APPS:
        path = [str(ROOT / package)]
        for module in pkgutil.walk_packages(path, prefix=f"{package}."):
            if module.name.rsplit(".", 1)[-1].endswith("tasks"):
                importlib.import_module(module.name)
    return {name: task for name, task in app.tasks.items() if name.split(".")[0] in APPS}


@pytest.fixture(scope="module")
def registered_at_start() -> list[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mentoring.settings.test",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", _REGISTERED],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    names: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return names


def test_the_worker_registers_every_task_module(registered_at_start: list[str]) -> None:
    assert sorted(_project_tasks()) == registered_at_start


def test_every_beat_entry_names_a_registered_task(registered_at_start: list[str], settings) -> None:
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - set(registered_at_start) == set()


def _queue_of(task: Task) -> str:
    # As Task.apply_async routes: Celery hands the router the task itself (the
    # stubs say its class).
    options = app.amqp.router.route({}, task.name, task_type=task)  # type: ignore[arg-type]
    return str(options["queue"].name)


def test_every_task_declares_its_kind_and_is_routed_to_that_queue(settings) -> None:
    tasks = _project_tasks()
    routed = {}
    for name, task in tasks.items():
        kind = getattr(task, "queue_kind", None)
        assert kind in queues.KINDS, f"{name} declares no queue kind (queue_kind=...)"
        routed[name] = _queue_of(task)
        assert routed[name] == f"{settings.CELERY_QUEUE_PREFIX}.{kind}"
        assert routed[name] in settings.CELERY_QUEUES_ALL
    kinds = {name: queue.rsplit(".", 1)[-1] for name, queue in routed.items()}
    assert kinds["matching.tasks.run_match_task"] == queues.MATCHING
    assert kinds["programs.tasks.send_event_reminders_task"] == queues.EMAIL
    assert kinds["integrations.tasks.send_chat_message_task"] == queues.EMAIL
    assert kinds["mentoring.tasks.send_erasure_done_task"] == queues.EMAIL
    assert kinds["mentoring.tasks.record_heartbeat_task"] == queues.DEFAULT
    assert kinds["programs.tasks.check_participant_import_task"] == queues.DEFAULT


def test_the_queue_follows_the_prefix_of_the_process_sending(settings) -> None:
    from programs.event_tasks import send_event_reminders_task

    settings.CELERY_QUEUE_PREFIX = "elsewhere"
    assert _queue_of(send_event_reminders_task) == "elsewhere.email"


def test_an_unknown_kind_is_refused_where_the_task_is_declared() -> None:
    with pytest.raises(ValueError, match="Unknown queue kind 'emial'"):
        queues.task(name="tests.tasks.send_nothing_task", queue_kind="emial")
