"""Reminders through a Redis restart and a PostgreSQL outage in the middle of a sweep.

A real worker runs against a private PostgreSQL and a private Redis (tests/faults/
servers.py), which the test stops and starts under it. Data goes in and out through
`manage.py shell` in separate processes, as the worker sees the same private database.
Promise: everybody going gets their reminder; at most the one message in flight when
the database vanished goes out twice.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clock import awake_zone
from tests.conftest import ROOT
from tests.faults.servers import PrivatePostgres, PrivateRedis, wait_until
from tests.integration import worker_mailbox

pytestmark = pytest.mark.integration

SEED = """
import datetime as dt
from django.utils import timezone
from mentoring.models import User
from events.models import Event, EventRsvp
from programs.models import Program
program, _ = Program.objects.get_or_create(name="Faults", defaults={{"is_evergreen": True}})
starts = timezone.now() + dt.timedelta(hours=20)
event = Event.objects.create(program=program, title="{title}", starts_at=starts,
                             ends_at=starts + dt.timedelta(hours=1))
users = User.objects.bulk_create(
    [User(email=f"{title}-{{n}}@example.org".lower(), time_zone="{zone}")
     for n in range({people})])
EventRsvp.objects.bulk_create([EventRsvp(event=event, user=u, status="going",
                                         status_changed_at=starts) for u in users])
"""
ENQUEUE = "from events.tasks import send_event_reminders_task as t; t.delay()"
UNREMINDED = (
    "import json; from events.models import EventRsvp; "
    "print(json.dumps(EventRsvp.objects.filter(reminded_at__isnull=True).count()))"
)


class Site:
    """Commands against the private servers, as separate processes."""

    def __init__(self, postgres: PrivatePostgres, redis: PrivateRedis, root: Path) -> None:
        self.mail_dir = root / "mail"
        self.mail_dir.mkdir()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
            "DJANGO_SETTINGS_MODULE": "mentoring.settings.test",
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis.url,
            "EMAIL_URL": f"file://{self.mail_dir}",
            "VAR_DIR": str(root),
            "MENTORING_TEST_PREFIX": f"faults-{uuid.uuid4().hex[:8]}",
        }
        self.worker: subprocess.Popen[str] | None = None
        self.log = root / "worker.log"

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def shell(self, code: str) -> str:
        # Quiet: the shell otherwise reports the objects it imported on standard output.
        return self.manage("shell", "--verbosity=0", "-c", code)

    def worker_start(self) -> None:
        prefix = self.env["MENTORING_TEST_PREFIX"]
        queues = ",".join(f"{prefix}.{q}" for q in ("default", "email", "reports", "matching"))
        self.worker = subprocess.Popen(
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
                f"--queues={queues}",
                f"--hostname={prefix}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.worker.log_path = self.log  # type: ignore[attr-defined]
        self.worker.mail_dir = self.mail_dir  # type: ignore[attr-defined]

    def worker_stop(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.terminate()
            try:
                self.worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker.wait()

    def reminded(self, title: str) -> Counter[str]:
        assert self.worker is not None
        return Counter(
            str(m["To"])
            for m in worker_mailbox(self.worker)
            if title in str(m["Subject"]) and "Reminder:" in str(m["Subject"])
        )


@pytest.fixture
def site(postgres: PrivatePostgres, redis: PrivateRedis) -> Iterator[Site]:
    root = Path(tempfile.mkdtemp(prefix="fault-site-"))
    running = Site(postgres, redis, root)
    running.manage("migrate", "--noinput")
    running.worker_start()
    try:
        yield running
    finally:
        running.worker_stop()
        if running.log.exists() and os.environ.get("FAULTS_SHOW_LOG"):
            print(running.log.read_text()[-5000:])
        shutil.rmtree(root, ignore_errors=True)


def test_reminders_survive_a_redis_restart_and_a_database_outage_mid_sweep(
    site: Site, postgres: PrivatePostgres, redis: PrivateRedis
) -> None:
    # Redis restarts (and loses its queues) between sweeps: the next sweep sends all.
    site.shell(SEED.format(title="Before", people=40, zone=awake_zone()))
    redis.stop()
    redis.start()
    site.shell(ENQUEUE)
    wait_until(lambda: len(site.reminded("Before")) == 40, what="40 reminders", timeout=120)

    # The database goes away while a sweep is sending.
    site.shell(SEED.format(title="During", people=200, zone=awake_zone()))
    site.shell(ENQUEUE)
    wait_until(lambda: sum(site.reminded("During").values()) >= 5, what="the sweep to start")
    postgres.stop()
    sent_during_outage = sum(site.reminded("During").values())
    assert sent_during_outage < 200, "the sweep finished before the outage; make it bigger"
    postgres.start()

    # Beat's next sweep, once the database is back.
    site.shell(ENQUEUE)
    wait_until(lambda: json.loads(site.shell(UNREMINDED)) == 0, what="every reminder", timeout=180)
    during = site.reminded("During")
    assert len(during) == 200, "somebody was never reminded"
    doubled = {email: n for email, n in during.items() if n > 1}
    assert len(doubled) <= 1, doubled
    assert set(site.reminded("Before").values()) == {1}
