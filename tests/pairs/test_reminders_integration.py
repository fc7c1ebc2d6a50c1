"""Exactly once through a crash: a real worker on Redis and PostgreSQL is killed with
SIGKILL in the middle of a batch of reminders, then restarted.

The worker's mailer (tests/pairs/hanging_mail.py) sends a number of reminders,
then hangs inside the next send, after the sweep wrote that reminder's Delivery row
and before it committed; the test kills the process there. PostgreSQL rolls the open
transaction back. A new worker's sweep then sends the rest: every reminder exactly
once, counted in the Delivery records and in the outbox.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from mentoring.models import Delivery
from pairs.models import PairReminder
from programs.models import Participant
from tests.conftest import ROOT, skip_or_fail
from tests.factories.programs import mentorship_make, participant_create, program_create
from tests.integration import database_url_for, services_available, wait_for, worker_mailbox

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PAIRS = 30  # 60 welcome emails in one batch


def _crash_prefix() -> str:
    """Queues of their own: the session's worker (started by other tests in this
    process) must not take the crash test's tasks, nor its workers theirs."""
    return f"{settings.CELERY_QUEUE_PREFIX}-crash"


def _sweep() -> None:
    from pairs.tasks import send_pair_reminders_task

    send_pair_reminders_task.apply_async(queue=f"{_crash_prefix()}.email")


HANG_AT = 23  # the worker dies inside the 24th send


@pytest.fixture
def start_worker(django_db_blocker) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start workers on this session's queues and test database; each can be killed."""
    if not services_available():
        skip_or_fail("the crash test needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    mail_dir = Path(tempfile.mkdtemp(prefix="reminder-mail-"))
    marker = mail_dir.parent / f"{mail_dir.name}.hang"
    with django_db_blocker.unblock():
        db_url = database_url_for(connection.settings_dict)
    started: list[subprocess.Popen[str]] = []

    def start(*, hang_at: int = 0) -> subprocess.Popen[str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.pairs.reminder_worker_settings",
            "DATABASE_URL": db_url,
            "MENTORING_TEST_PREFIX": _crash_prefix(),
            "REMINDER_TEST_MAIL_DIR": str(mail_dir),
            "REMINDER_TEST_HANG_AT": str(hang_at),
            "REMINDER_TEST_HANG_MARKER": str(marker),
        }
        log = Path(tempfile.mkstemp(prefix="reminder-worker-", suffix=".log")[1])
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
                    "--queues="
                    + ",".join(
                        f"{_crash_prefix()}.{name}"
                        for name in ("default", "email", "reports", "matching")
                    ),
                    f"--hostname=reminders-{len(started)}-{_crash_prefix()}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )
        process.log_path = log  # type: ignore[attr-defined]
        process.mail_dir = mail_dir  # type: ignore[attr-defined]
        process.marker = marker  # type: ignore[attr-defined]
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.log_path.unlink(missing_ok=True)  # type: ignore[attr-defined]
    shutil.rmtree(mail_dir, ignore_errors=True)
    marker.unlink(missing_ok=True)


def test_a_worker_killed_mid_batch_then_restarted_sends_every_reminder_exactly_once(
    start_worker: Callable[..., subprocess.Popen[str]],
) -> None:
    coordinator_program = program_create(name="Crash test")
    started = timezone.now() - dt.timedelta(minutes=5)
    for _n in range(PAIRS):
        mentorship_make(
            program=coordinator_program,
            mentor=participant_create(program=coordinator_program, role=Participant.Role.MENTOR),
            mentee=participant_create(program=coordinator_program, role=Participant.Role.MENTEE),
            started_at=started,
        )
    # The welcomes are due now (made at a daytime hour: see below); nothing else is.
    PairReminder.objects.exclude(kind=PairReminder.Kind.WELCOME).delete()
    PairReminder.objects.update(due_at=timezone.now() - dt.timedelta(minutes=1))
    # Everyone is in a time zone where it is daytime now, so no quiet hours apply.
    from mentoring.models import User

    day_zone = _a_daytime_zone()
    User.objects.update(time_zone=day_zone)
    due = PairReminder.objects.filter(state="pending").count()
    assert due == 2 * PAIRS

    first = start_worker(hang_at=HANG_AT)
    _sweep()
    wait_for(lambda: first.marker.exists() or None, worker=first)  # type: ignore[attr-defined]
    # Mid-batch: some sent and committed, one in flight, the rest not started.
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=20)
    assert len(worker_mailbox(first)) == HANG_AT
    assert wait_for(lambda: Delivery.objects.filter(kind="pair-welcome").count() == HANG_AT or None)

    second = start_worker()
    # The next beat tick (the killed task's message is redelivered only after the
    # broker's visibility timeout; the sweep does not depend on it).
    _sweep()
    wait_for(
        lambda: not PairReminder.objects.filter(state="pending").exists() or None, worker=second
    )

    assert Delivery.objects.filter(kind="pair-welcome").count() == due
    messages = worker_mailbox(second)
    recipients = [str(m["To"]) for m in messages]
    assert len(recipients) == due
    assert len(set(recipients)) == due
    assert PairReminder.objects.filter(state="sent").count() == due


def _a_daytime_zone() -> str:
    """A time zone where it is now between 10:00 and 18:00 (quiet hours are at night)."""
    import zoneinfo

    for offset in range(-12, 15):
        name = f"Etc/GMT{-offset:+d}" if offset else "UTC"
        hour = timezone.now().astimezone(zoneinfo.ZoneInfo(name)).hour
        if 10 <= hour < 18:
            return name
    return "UTC"
