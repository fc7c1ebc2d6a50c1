"""The project's Celery app with a query counter, for the worker benchmarks/reminders.py
starts (``celery -A benchmarks.support.reminder_worker worker``).

Every worker process counts the statements Django sends (an execute wrapper on its
connection, as the in-process benchmark counts them) and, after each task, writes its
count to BENCH_QUERY_DIR/<pid>, so the benchmark can add them up across processes.
Each process also writes its emails to a folder of its own under the file backend's
(forked processes would otherwise pick the same file name and mix their messages).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery.signals import task_postrun, worker_process_init

from mentoring.celery import app

__all__ = ["app"]

_executed = 0


def _count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    global _executed
    _executed += 1
    return execute(sql, params, many, context)


@worker_process_init.connect
def _count_queries(**kwargs: Any) -> None:
    from django.conf import settings
    from django.db import connection

    # The wrapper stays on the process's connection object across reconnects.
    connection.execute_wrappers.append(_count)
    mailer = settings.MAILERS["default"]
    folder = Path(mailer["OPTIONS"]["file_path"]) / str(os.getpid())
    settings.MAILERS = {"default": {**mailer, "OPTIONS": {"file_path": str(folder)}}}


@task_postrun.connect
def _write_count(**kwargs: Any) -> None:
    folder = Path(os.environ["BENCH_QUERY_DIR"])
    path = folder / str(os.getpid())
    partial = path.with_suffix(".tmp")
    partial.write_text(str(_executed))
    partial.replace(path)
