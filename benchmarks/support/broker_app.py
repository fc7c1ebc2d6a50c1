"""A Celery app of its own for benchmarks/broker_race.py: one task that writes its number
to a file, on the broker the benchmark names in the environment. No Django: what is
measured is the broker."""

from __future__ import annotations

import json
import os

import django
from celery import Celery

# The transport (mentoring/broker.py) imports the mentoring package, whose worker signal
# handlers use Django: the benchmark gives them DEBUG and a VAR_DIR of its own.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings.base")
django.setup()

app = Celery("broker_bench")
app.conf.update(
    broker_url=os.environ["BENCH_BROKER_URL"],
    broker_transport=os.environ.get("BENCH_BROKER_TRANSPORT") or None,
    broker_transport_options=json.loads(os.environ.get("BENCH_BROKER_OPTIONS", "{}")),
    broker_connection_retry_on_startup=True,
    # As mentoring/settings/celery.py has it.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    task_default_queue=os.environ.get("BENCH_QUEUE", "bench"),
    worker_hijack_root_logger=False,
)


@app.task(name="bench.record")
def record_task(number: int) -> None:
    # One short append per task: lines from two pool processes do not interleave.
    with open(os.environ["BENCH_OUT"], "a") as out:
        out.write(f"{number}\n")
