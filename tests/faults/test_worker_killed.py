"""A worker killed in the middle of a reminder sweep: the next sweep finishes the job.

Real PostgreSQL, Redis and Celery worker processes. Email cannot be sent exactly once
(a process can die after the mail server took a message and before the database
heard of it), so the promise is: nobody is left without their reminder, and at most
the one message in flight at the moment of the kill goes out twice.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from events.models import Event, EventRsvp
from events.tasks import send_event_reminders_task
from mentoring.models import User
from tests.clock import awake_zone
from tests.conftest import ROOT
from tests.factories.programs import program_create
from tests.integration import database_url_for, services_available, wait_for, worker_mailbox

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PEOPLE = 150
# Queues of their own: the session's shared worker (tests/integration.py) listens on
# this process's usual queues, and must neither take this test's sweep nor lose its
# own tasks to the workers this test kills.
PREFIX = f"faults-{uuid.uuid4().hex[:8]}"
QUEUES = [f"{PREFIX}.{name}" for name in ("default", "email", "reports", "matching")]


@pytest.fixture(autouse=True)
def _services() -> None:
    from tests.conftest import skip_or_fail

    if not services_available():
        skip_or_fail("fault tests need DATABASE_URL (PostgreSQL) and REDIS_URL")


@pytest.fixture
def mail_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="fault-mail-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def worker_start(mail_dir: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "EMAIL_URL": f"file://{mail_dir}",
        "DJANGO_SETTINGS_MODULE": "mentoring.settings.test",
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "MENTORING_TEST_PREFIX": PREFIX,
    }
    log = Path(tempfile.mkstemp(prefix="fault-worker-", suffix=".log")[1])
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
            "--queues=" + ",".join(QUEUES),
            f"--hostname=fault-{os.getpid()}-{len(list(mail_dir.iterdir()))}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.log_path = log  # type: ignore[attr-defined]
    process.mail_dir = mail_dir  # type: ignore[attr-defined]
    return process


def worker_stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def reminded(process: subprocess.Popen[str]) -> Counter[str]:
    return Counter(
        message["To"] for message in worker_mailbox(process) if "Reminder:" in message["Subject"]
    )


def test_killing_the_worker_mid_sweep_loses_no_reminder_and_repeats_at_most_one(
    mail_dir: Path,
) -> None:
    program = program_create(name="Faults")
    starts = timezone.now() + dt.timedelta(hours=20)
    event = Event.objects.create(
        program=program, title="All hands", starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
    )
    zone = awake_zone()  # the worker's clock is real: reminders wait out the night
    users = User.objects.bulk_create(
        [
            User(email=f"person{n}@example.org", full_name=f"Person {n}", time_zone=zone)
            for n in range(PEOPLE)
        ]
    )
    EventRsvp.objects.bulk_create(
        [
            EventRsvp(
                event=event, user=user, status=EventRsvp.Status.GOING, status_changed_at=starts
            )
            for user in users
        ]
    )

    first = worker_start(mail_dir)
    try:
        send_event_reminders_task.apply_async(queue=QUEUES[0])
        # Kill it hard once some reminders are out and the sweep is still going.
        wait_for(lambda: True if sum(reminded(first).values()) >= 5 else None, worker=first)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
    finally:
        worker_stop(first)
    sent_before = sum(reminded(first).values())
    assert sent_before < PEOPLE, "the sweep finished before the kill; make it bigger"

    second = worker_start(mail_dir)
    try:
        # Beat sends the next sweep on its schedule; here we send it at once.
        send_event_reminders_task.apply_async(queue=QUEUES[0])
        wait_for(
            lambda: (
                True
                if not EventRsvp.objects.filter(event=event, reminded_at__isnull=True).exists()
                else None
            ),
            worker=second,
            timeout=120,
        )
        counts = reminded(second)
    finally:
        worker_stop(second)

    assert set(counts) == {user.email for user in users}, "somebody was never reminded"
    doubled = {email: n for email, n in counts.items() if n > 1}
    assert len(doubled) <= 1, f"{len(doubled)} people were reminded twice: {doubled}"
