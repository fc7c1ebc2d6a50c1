"""A message that is not one (empty, garbage) in the embedded default's broker: the
worker logs it, drops it and goes on with the next task.

Real processes as `make run` has them: a Celery worker (prefork) on its own SQLite
database and the SQLite broker file beside it (mentoring/broker.py), no Redis. kombu's
filesystem broker, before it, killed the worker with a JSONDecodeError on an empty
message file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery
from kombu import Connection

from tests.conftest import ROOT
from tests.integration import wait_for

PREFIX = f"faults-broker-{uuid.uuid4().hex[:8]}"
QUEUES = [f"{PREFIX}.{name}" for name in ("default", "email", "reports", "matching")]
TRANSPORT = "mentoring.broker:Transport"


@pytest.fixture
def embedded() -> Iterator[dict[str, str]]:
    """The environment of an embedded-default worker in a folder of its own, with its
    database migrated."""
    folder = Path(tempfile.mkdtemp(prefix="fault-embedded-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="mentoring.settings.test",
        MENTORING_TEST_PREFIX=PREFIX,
        CELERY_TASK_ALWAYS_EAGER="false",
        VAR_DIR=str(folder),
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=240,
    )
    try:
        yield env
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def broker_url(env: dict[str, str]) -> str:
    return f"sqlite:///{Path(env['VAR_DIR']) / 'broker.sqlite3'}"


def bad_messages_put(env: dict[str, str], queue: str, payloads: list[str]) -> None:
    """Rows in the broker's message table that no sender could have written."""
    with Connection(broker_url(env), transport=TRANSPORT) as conn:
        conn.SimpleQueue(queue).close()  # creates the tables and the queue
    database = sqlite3.connect(Path(env["VAR_DIR"]) / "broker.sqlite3")
    try:
        (queue_id,) = database.execute(
            "SELECT id FROM kombu_queue WHERE name = ?", (queue,)
        ).fetchone()
        database.executemany(
            "INSERT INTO kombu_message (visible, payload, version, queue_id) VALUES (1, ?, 1, ?)",
            [(payload, queue_id) for payload in payloads],
        )
        database.commit()
    finally:
        database.close()


def heartbeat_recorded(env: dict[str, str], name: str) -> bool | None:
    database = sqlite3.connect(Path(env["VAR_DIR"]) / "db.sqlite3", timeout=30)
    try:
        row = database.execute(
            "SELECT 1 FROM mentoring_heartbeat WHERE name = ?", (name,)
        ).fetchone()
    finally:
        database.close()
    return True if row else None


def test_worker_logs_an_empty_and_a_garbage_message_and_runs_the_next_task(
    embedded: dict[str, str],
) -> None:
    bad_messages_put(embedded, QUEUES[0], ["", "this is not json {", '{"not": "a message"}'])
    log = Path(embedded["VAR_DIR"]) / "worker.log"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mentoring",
            "worker",
            # Prefork, as runlocal starts it: acknowledgements come from another thread.
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--queues=" + ",".join(QUEUES),
        ],
        cwd=ROOT,
        env=embedded,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    worker.log_path = log  # type: ignore[attr-defined]
    try:
        sender = Celery("fault-sender")
        sender.conf.update(broker_url=broker_url(embedded), broker_transport=TRANSPORT)
        sender.send_task(
            "mentoring.tasks.record_heartbeat_task", kwargs={"name": "good"}, queue=QUEUES[0]
        )
        wait_for(lambda: heartbeat_recorded(embedded, "good"), timeout=120, worker=worker)
        assert worker.poll() is None, log.read_text()[-3000:]
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    text = log.read_text()
    assert "Unrecoverable error" not in text
    dropped = [line for line in text.splitlines() if "Dropped message" in line]
    assert len(dropped) == 3, text[-3000:]
    assert "''" in dropped[0]
    assert "this is not json {" in dropped[1]
    assert "not" in dropped[2]
    # Dropped, not left to come back: only the good task's row was ever handed out.
    database = sqlite3.connect(Path(embedded["VAR_DIR"]) / "broker.sqlite3")
    try:
        assert database.execute("SELECT count(*) FROM kombu_message").fetchone() == (0,)
    finally:
        database.close()
