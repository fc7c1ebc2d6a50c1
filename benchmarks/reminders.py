"""Benchmark: the pair reminder sweep over 100,000 mentorships with 10,000 reminders due.

Runs on the configured database (DATABASE_URL; SQLite when unset) inside a throwaway
database it creates and destroys, never the real one. Builds 10 programs of 10,000
pairs each (20,000 people), check-ins, and reminder rows: 10,000 due now (reminders
before a check-in, "log your check-in" requests with one-click links, overdue nudges
and welcomes) and 90,000 due later. Everyone lives in time zones where it is daytime
while the benchmark runs, so quiet hours hold nothing back. Then it measures, one
JSON object per line, each with a "mode":

- "worker" (PostgreSQL with REDIS_URL set): what the issue asks for, the time until
  all are sent by one worker on this machine. It starts one real Celery worker
  (prefork, one process per CPU) on Redis with queues of its own, sends the sweep task
  as beat would, and stops the clock when no due row is left pending. Emails go to a
  folder (Django's file backend, the bytes an SMTP server would get), read back
  afterwards to count them and any recipient who got one twice.
- "in-process": the sweep in this process, batch after batch (PAIR_REMINDER_BATCH)
  until nothing is due, with emails rendered in full and kept in Django's in-memory
  mailbox; on any database.

After each, a second sweep must send nothing: ``duplicates`` counts a recipient who got
the same email twice, emails beyond the Delivery records, and anything that second
sweep sent; ``lost`` counts reminders marked sent whose email is not there.
``queries_per_reminder`` counts the statements Django sends (an execute wrapper, in
every worker process too: benchmarks/support/reminder_worker.py) per reminder sent; on
PostgreSQL the BEGIN and COMMIT around each reminder are not among them (SQLite's
BEGIN IMMEDIATE is).

    {"mode": "worker", "benchmark": "reminders", "mentorships": 100000, "due": 10000,
     "sent": 10000, "duplicates": 0, "lost": 0, "seconds": 29.48,
     "queries_per_reminder": 2.01, "worker_processes": 2, ...}

(2 cores, idle but for the benchmark; the in-process sweep took 48.7 s there.)

    DATABASE_URL=postgresql:///mentoring_ci REDIS_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python benchmarks/reminders.py             # both modes
    .venv/bin/python benchmarks/reminders.py --mode in-process --programs 1 --due 2000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from email import message_from_bytes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings.test")
# Queue names of this run's own, shared with the worker it starts (mentoring.settings.test).
PREFIX = os.environ.setdefault("MENTORING_TEST_PREFIX", f"bench-reminders-{uuid.uuid4().hex[:8]}")
from benchmarks.support.reminder_world import build, daytime_zones  # noqa: E402


def _counting() -> tuple[Any, list[int]]:
    """An execute wrapper counting Django's statements (the query log keeps 9,000)."""
    executed = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed[0] += 1
        return execute(sql, params, many, context)

    return count, executed


def run_in_process(facts: dict[str, Any]) -> dict[str, Any]:
    """Sweep batch after batch in this process until nothing is due."""
    from django.core import mail
    from django.db import connection
    from django.utils import timezone

    from pairs.reminders.sweep import pair_reminders_send

    mail.outbox = []
    count, executed = _counting()
    sent = batches = 0
    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        while True:
            result = pair_reminders_send(now=timezone.now())
            batches += 1
            sent += result.sent
            if not result.more and not result.taken:
                break
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    messages = [(m.to[0], str(m.subject)) for m in mail.outbox]
    return {
        "mode": "in-process",
        **_outcome(facts, sent=sent, messages=messages, queries=executed[0], seconds=seconds),
        "batches": batches,
        "cpu_seconds": round(cpu, 2),
    }


def _outcome(
    facts: dict[str, Any],
    *,
    sent: int,
    messages: list[tuple[str, str]],
    queries: int,
    seconds: float,
) -> dict[str, Any]:
    """The keys both modes report, with the checks for doubles."""
    from django.utils import timezone

    from mentoring.models import Delivery
    from pairs.reminders.sweep import pair_reminders_send

    again = pair_reminders_send(now=timezone.now())
    deliveries = Delivery.objects.count()
    # Nobody in the benchmark is due two reminders with the same subject.
    doubled = sum(n - 1 for n in Counter(messages).values())
    return {
        "benchmark": "reminders",
        "database": facts["database"],
        "mentorships": facts["mentorships"],
        "reminder_rows": facts["reminder_rows"],
        "due": facts["due"],
        "sent": sent,
        "emails": len(messages),
        "deliveries": deliveries,
        "duplicates": doubled + max(len(messages) - deliveries, 0) + again.sent,
        "lost": max(sent - len(set(messages)), 0),
        "seconds": round(seconds, 2),
        "reminders_per_second": round(sent / seconds, 1) if seconds else None,
        "queries_per_reminder": round(queries / max(sent, 1), 2),
        "setup_seconds": facts["setup_seconds"],
        "target_seconds": 60,
    }


def run_worker(facts: dict[str, Any], *, concurrency: int) -> dict[str, Any]:
    """One Celery worker (prefork, ``concurrency`` processes) sends everything due."""
    from django.db import connection

    from mentoring.celery import app
    from pairs.models import PairReminder
    from pairs.tasks import send_pair_reminders_task

    work = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    mail_dir, query_dir = work / "mail", work / "queries"
    mail_dir.mkdir()
    query_dir.mkdir()
    database = urlsplit(os.environ["DATABASE_URL"])._replace(
        path="/" + str(connection.settings_dict["NAME"])
    )
    hostname = f"{PREFIX}@bench"
    env = {
        **os.environ,
        "DATABASE_URL": database.geturl(),
        "EMAIL_URL": f"file://{mail_dir}",
        "BENCH_QUERY_DIR": str(query_dir),
        "MENTORING_TEST_PREFIX": PREFIX,
    }
    log = work / "worker.log"
    worker = subprocess.Popen(  # noqa: S603 - our own fixed command
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "benchmarks.support.reminder_worker",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--queues={PREFIX}.email",
            f"--hostname={hostname}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(lambda: app.control.ping(destination=[hostname], timeout=0.5), worker, log, 120)
        # Cheap to ask every 50 ms: the index of pending rows by due time.
        pending = PairReminder.objects.filter(state="pending", due_at__lte=facts["now"])
        cpu = _tree_cpu(worker.pid)
        started = time.perf_counter()
        send_pair_reminders_task.delay()  # as beat sends it
        _wait(lambda: not pending.exists(), worker, log, 600, every=0.05)
        seconds = time.perf_counter() - started
        cpu = _tree_cpu(worker.pid) - cpu
        # Let the processes finish their last batch (and write their counts).
        _wait(
            lambda: not any((app.control.inspect([hostname]).active() or {}).values()),
            worker,
            log,
            120,
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    queries = sum(int(path.read_text()) for path in query_dir.iterdir() if path.suffix == "")
    messages = _mailbox(mail_dir)
    shutil.rmtree(work, ignore_errors=True)
    sent = PairReminder.objects.filter(state="sent", due_at__lte=facts["now"]).count()
    return {
        "mode": "worker",
        **_outcome(facts, sent=sent, messages=messages, queries=queries, seconds=seconds),
        "worker_processes": concurrency,
        # CPU time the worker's processes used until all were sent (PostgreSQL's aside).
        "worker_cpu_seconds": round(cpu, 2),
    }


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its descendants."""
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        number = int(stat.parent.name)
        parents[number] = int(fields[1])
        used[number] = (int(fields[11]) + int(fields[12])) / tick
    tree, total = [pid], 0.0
    while tree:
        number = tree.pop()
        total += used.get(number, 0.0)
        tree += [child for child, parent in parents.items() if parent == number]
    return total


def _wait(
    probe: Any, worker: subprocess.Popen[bytes], log: Path, timeout: float, every: float = 0.2
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        if worker.poll() is not None:
            break
        time.sleep(every)
    raise SystemExit(
        f"the worker did not get there in {timeout} s; its log ends:\n" + log.read_text()[-3000:]
    )


def _mailbox(folder: Path) -> list[tuple[str, str]]:
    """(To, Subject) of every message the file backend wrote."""
    messages = []
    for path in sorted(folder.rglob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = message_from_bytes(chunk)
                messages.append((str(message["To"]), str(message["Subject"])))
    return messages


def _reset(facts: dict[str, Any]) -> None:
    """Everything due pending again, nothing delivered: the next mode starts afresh."""
    from mentoring.models import Delivery
    from pairs.models import PairReminder

    PairReminder.objects.filter(due_at__lte=facts["now"]).update(
        state="pending", finished_at=None, skip_reason="", claimed_by=None, claimed_until=None
    )
    Delivery.objects.all().delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--programs", type=int, default=10)
    parser.add_argument("--pairs-per-program", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument(
        "--mode",
        choices=["auto", "worker", "in-process"],
        default="auto",
        help="auto: both on PostgreSQL with REDIS_URL set, else in-process",
    )
    parser.add_argument(
        "--concurrency", type=int, default=os.cpu_count() or 1, help="worker processes"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.db import connection
    from django.utils import timezone

    from benchmarks.support.database import throwaway_database

    # Emails to memory in this process, but without the test runner's template
    # instrumentation (it would slow every render down and is not there in production).
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox = []
    services = connection.vendor == "postgresql" and bool(os.environ.get("REDIS_URL"))
    if args.mode == "worker" and not services:
        raise SystemExit("--mode worker needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    modes = ["worker", "in-process"] if args.mode == "auto" and services else [args.mode]
    if modes == ["auto"]:
        modes = ["in-process"]
    with throwaway_database("reminders"):
        now = timezone.now()
        started = time.perf_counter()
        facts: dict[str, Any] = build(
            programs=args.programs,
            pairs_per_program=args.pairs_per_program,
            due=args.due,
            now=now,
            zones=daytime_zones(now),
        )
        facts["setup_seconds"] = round(time.perf_counter() - started, 1)
        facts["database"] = connection.vendor
        facts["now"] = now  # everything due then is the benchmark's; the rest is days away
        for number, mode in enumerate(modes):
            if number:
                _reset(facts)
            if mode == "worker":
                result = run_worker(facts, concurrency=args.concurrency)
            else:
                result = run_in_process(facts)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
