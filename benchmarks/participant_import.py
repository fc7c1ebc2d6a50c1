"""Benchmark: upload, check and apply a 10,000-row participant CSV import.

Runs on the configured database (DATABASE_URL; SQLite when unset) inside a throwaway
database it creates and destroys, never the real one. Prints one JSON object per
measurement, one per line:

    {"benchmark": "participant_import", "rows": 10000, "phase": "check", "seconds": 1.23,
     "database": "postgresql"}

Phases, as they happen in production for a file this large:
- upload: the request: decode, parse to count rows, store the file (the check is queued);
- check: the check task: every row, plus one query for who is enrolled and one for
  who already has an account;
- preview: upload + check, what the coordinator waits for before seeing the preview;
- apply: the click (claim the import) plus the apply task: the re-check and the one
  transaction that creates every participant.
The invitation emails are not part of "apply": they are queued after the commit and a
worker sends them; here the queueing is recorded instead (``invitations_queued``).
``--send-invitations`` adds a "send_invitations" phase: the worker's time to send
them all, to Django's in-memory mailbox.

    DATABASE_URL=postgresql:///mentoring_ci .venv/bin/python benchmarks/participant_import.py
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings.test")


def csv_build(rows: int) -> bytes:
    """A realistic export: every column filled, a third mentors, some accents."""
    departments = ["Engineering", "Sales", "Finance", "People", "Operations", "Legal"]
    zones = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Singapore"]
    lines = ["name,email,role,department,job title,manager's email,location,time zone"]
    for n in range(rows):
        role = "mentor" if n % 3 == 0 else "mentee"
        lines.append(
            f"Përson {n} Ñame,person{n}@example.com,{role},{departments[n % 6]},"
            f"Engineer {n % 7},manager{n % 50}@example.com,Office {n % 12},{zones[n % 4]}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def run(rows: int, *, send_invitations: bool = False) -> list[dict[str, Any]]:
    from django.db import connection

    from mentoring.models import User
    from programs import imports
    from programs.import_tasks import apply_participant_import_task, check_participant_import_task
    from programs.imports import services as import_services
    from programs.models import Participant, ParticipantImport, Program
    from programs.services import enrolment

    queued_invitations: list[int] = []
    queued_tasks: list[str] = []
    # What would go to the broker after each commit is recorded, not sent.
    enrolment._enqueue_invitations = queued_invitations.extend  # type: ignore[assignment]
    import_services._enqueue_check = lambda import_id: queued_tasks.append("check")  # type: ignore[assignment]
    import_services._enqueue_apply = lambda import_id, by_id: queued_tasks.append("apply")  # type: ignore[assignment]

    coordinator = User.objects.create_user("bench.coordinator@example.com", full_name="Bench")
    program = Program.objects.create(
        name="Benchmark program", is_evergreen=True, state=Program.State.ENROLLING
    )
    program.coordinators.add(coordinator)
    # A program that already has people, some of whom have accounts, like a real one.
    User.objects.bulk_create(
        User(email=f"person{n}@example.com", full_name=f"Existing {n}") for n in range(0, rows, 10)
    )
    Participant.objects.bulk_create(
        Participant(program=program, email=f"earlier{n}@example.com", role="mentee")
        for n in range(500)
    )
    content = csv_build(rows)
    database = connection.vendor
    results: list[dict[str, Any]] = []

    def record(phase: str, seconds: float, **extra: Any) -> None:
        results.append(
            {
                "benchmark": "participant_import",
                "rows": rows,
                "phase": phase,
                "seconds": round(seconds, 3),
                "database": database,
                **extra,
            }
        )

    started = time.perf_counter()
    participant_import = imports.participant_import_create(
        program=program, by=coordinator, file_name="bench.csv", data=content
    )
    upload = time.perf_counter() - started
    record("upload", upload, bytes=len(content))

    started = time.perf_counter()
    status = check_participant_import_task(participant_import.pk)
    check = time.perf_counter() - started
    if status != ParticipantImport.Status.READY:
        raise SystemExit(f"the benchmark file did not check out: {status}")
    record("check", check)
    record("preview", upload + check)

    participant_import.refresh_from_db()
    started = time.perf_counter()
    imports.participant_import_apply(participant_import=participant_import, by=coordinator)
    status = apply_participant_import_task(participant_import.pk, coordinator.pk)
    apply = time.perf_counter() - started
    created = Participant.objects.filter(program=program).count() - 500
    if status != ParticipantImport.Status.APPLIED or created != rows:
        raise SystemExit(f"the benchmark file was not applied: {status}, {created} created")
    record("apply", apply, invitations_queued=len(queued_invitations))
    record("total", upload + check + apply, target_seconds=20)

    if send_invitations:
        from django.core import mail

        from programs.tasks import send_invitations_task

        # Worker time, not the coordinator's: the emails go to memory here.
        started = time.perf_counter()
        for start in range(0, len(queued_invitations), 200):
            send_invitations_task(queued_invitations[start : start + 200])
        record("send_invitations", time.perf_counter() - started, emails=len(mail.outbox))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--send-invitations",
        action="store_true",
        help="also time a worker sending every invitation email (to memory)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.test.utils import setup_test_environment, teardown_test_environment

    from benchmarks.support.database import throwaway_database

    setup_test_environment()
    try:
        with throwaway_database("import"):
            for result in run(args.rows, send_invitations=args.send_invitations):
                print(json.dumps(result), flush=True)
    finally:
        teardown_test_environment()


if __name__ == "__main__":
    main()
