"""The Celery app. Configuration lives in settings (CELERY_* names)."""

import logging
import os
import threading
from importlib import import_module
from typing import Any

from celery import Celery
from celery.signals import beat_init, worker_init, worker_ready, worker_shutdown

from mentoring.broker import transport_register

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings.base")
# The embedded default's sqlite:// broker URL (mentoring/broker.py).
transport_register()

# Every module that declares tasks. Each app's tasks.py is found by autodiscovery; the
# modules below hold more of an app's tasks and are named here, since nothing imports
# them for the worker otherwise. tests/mentoring/test_task_routing.py checks the list.
TASK_MODULES = [
    "programs.import_tasks",
    "programs.reminder_tasks",
]

app = Celery("mentoring", include=TASK_MODULES)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def _heartbeat_on_start(sender: Any = None, **kwargs: Any) -> None:
    # An interval schedule first fires one interval after start; record a beat at
    # once so /healthz is green as soon as beat and a worker are up.
    app.send_task("mentoring.tasks.record_heartbeat_task")


@worker_init.connect
def _import_urls_before_fork(sender: Any = None, **kwargs: Any) -> None:
    # Emails carry links, and reversing the first one imports the URLconf: every view
    # module, seconds of work. Import it once here, before the pool forks, rather
    # than in every pool process on its first email.
    from django.conf import settings

    import_module(settings.ROOT_URLCONF)


logger = logging.getLogger(__name__)
_heartbeat_stop = threading.Event()


@worker_ready.connect
def _worker_heartbeat_start(sender: Any = None, **kwargs: Any) -> None:
    # A thread of the worker's main process, not a task: it says the worker itself is
    # alive even while every pool process is busy, and stops the moment it dies.
    name = _worker_heartbeat_name(sender)
    _heartbeat_stop.clear()
    threading.Thread(
        target=_worker_heartbeat_loop, args=(name,), name="worker-heartbeat", daemon=True
    ).start()


@worker_shutdown.connect
def _worker_heartbeat_stop(sender: Any = None, **kwargs: Any) -> None:
    from mentoring.health import heartbeat_forget

    _heartbeat_stop.set()
    heartbeat_forget(name=_worker_heartbeat_name(sender))


def _worker_heartbeat_name(sender: Any) -> str:
    from mentoring.health import worker_heartbeat_name

    return worker_heartbeat_name(str(getattr(sender, "hostname", "") or "worker"))


def _worker_heartbeat_loop(name: str) -> None:
    from django.conf import settings
    from django.db import connection

    from mentoring.services import heartbeat_record

    while not _heartbeat_stop.is_set():
        try:
            heartbeat_record(name=name)
        except Exception:  # the database is down: /healthz says so on its own
            logger.warning("Could not record the worker heartbeat", exc_info=True)
        finally:
            connection.close()
        _heartbeat_stop.wait(settings.WORKER_HEARTBEAT_INTERVAL)
