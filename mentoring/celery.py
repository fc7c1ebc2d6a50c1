"""The Celery app. Configuration lives in settings (CELERY_* names)."""

import os
from importlib import import_module
from typing import Any

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings.base")

app = Celery("mentoring")
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
