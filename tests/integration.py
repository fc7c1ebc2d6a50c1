"""A real Celery worker process for integration tests (PostgreSQL + Redis)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import ROOT, skip_or_fail


def services_available() -> bool:
    return bool(os.environ.get("REDIS_URL")) and connection.vendor == "postgresql"


def database_url_for(settings_dict: dict[str, object]) -> str:
    """The URL of the database this test process uses (the test database)."""
    user = quote(str(settings_dict.get("USER") or ""))
    password = quote(str(settings_dict.get("PASSWORD") or ""))
    host = str(settings_dict.get("HOST") or "")
    port = str(settings_dict.get("PORT") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    location = f"{host}:{port}" if port else host
    return f"postgresql://{auth}{location}/{quote(str(settings_dict['NAME']))}"


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup: None, django_db_blocker
) -> Iterator[subprocess.Popen[str]]:
    """Start `celery worker` against Redis and this session's test database."""
    if not services_available():
        skip_or_fail("integration tests need DATABASE_URL (PostgreSQL) and REDIS_URL")
    with django_db_blocker.unblock():
        db_url = database_url_for(connection.settings_dict)
    # What the worker sends lands in files the tests can read.
    mail_dir = Path(tempfile.mkdtemp(prefix="celery-mail-"))
    env = {
        **os.environ,
        "EMAIL_URL": f"file://{mail_dir}",
        "DJANGO_SETTINGS_MODULE": "mentoring.settings.test",
        "DATABASE_URL": db_url,
        "MENTORING_TEST_PREFIX": settings.CELERY_QUEUE_PREFIX,
    }
    log = Path(tempfile.mkstemp(prefix="celery-worker-", suffix=".log")[1])
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mentoring",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--queues=" + ",".join(settings.CELERY_QUEUES_ALL),
                f"--hostname=test-{settings.CELERY_QUEUE_PREFIX}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    process.log_path = log  # type: ignore[attr-defined]
    process.mail_dir = mail_dir  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.returncode not in (0, -15):
            print(log.read_text()[-4000:])
        log.unlink(missing_ok=True)
        shutil.rmtree(mail_dir, ignore_errors=True)


def worker_mailbox(worker: subprocess.Popen[str]) -> list[Message]:
    """The messages a worker started by ``celery_worker_process`` has sent so far."""
    messages = []
    for path in sorted(Path(worker.mail_dir).glob("*.log")):  # type: ignore[attr-defined]
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(message_from_bytes(chunk))
    return messages


def worker_mailbox_from_now(worker: subprocess.Popen[str]) -> Callable[[], list[Message]]:
    """A reader of the messages the session's worker sends from now on: the worker is
    shared by every test of the session, so its mailbox holds earlier tests' mail."""
    seen = {str(m["Message-ID"]) for m in worker_mailbox(worker)}
    return lambda: [m for m in worker_mailbox(worker) if str(m["Message-ID"]) not in seen]


def message_text(message: Message) -> str:
    """The text/plain body of a parsed email."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    return ""


def wait_for[T](
    probe: Callable[[], T | None],
    *,
    timeout: float = 60.0,
    worker: subprocess.Popen[str] | None = None,
) -> T:
    """Poll ``probe`` until it returns a value; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value is not None:
            return value
        if worker is not None and worker.poll() is not None:
            break
        time.sleep(0.1)
    log = getattr(worker, "log_path", None)
    tail = log.read_text()[-3000:] if log and log.exists() else "(no worker log)"
    pytest.fail(f"nothing arrived within {timeout} seconds; the worker's log ends:\n{tail}")
