"""Benchmark: the pair reminder sweep over 100,000 mentorships with 10,000 reminders due.

Runs on the configured database (DATABASE_URL; SQLite when unset) inside a throwaway
database it creates and destroys, never the real one. Builds 10 programs of 10,000
pairs each (20,000 people), check-ins, and reminder rows: 10,000 due now (reminders
before a check-in, "log your check-in" requests with one-click links, overdue nudges
and welcomes) and 90,000 due later. Then runs the sweep in this process, as one
worker would (bounded batches of PAIR_REMINDER_BATCH, the next one at once while
more are due), with emails rendered in full (text, HTML, unsubscribe links) and
delivered to Django's in-memory mailbox. A second full sweep afterwards must send
nothing. Prints one JSON object per line:

    {"benchmark": "reminders", "mentorships": 100000, "due": 10000, "sent": 10000,
     "duplicates": 0, "seconds": 41.2, "queries_per_reminder": 5.1, ...}

    DATABASE_URL=postgresql:///mentoring_ci .venv/bin/python benchmarks/reminders.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings.test")

# A weekday at noon UTC: daytime in every recipient's zone, so quiet hours hold nothing.
NOW = dt.datetime(2026, 9, 15, 12, 0, tzinfo=dt.UTC)
ZONES = ["Europe/London", "Europe/Berlin", "Africa/Lagos", "Europe/Helsinki"]


def build(*, programs: int, pairs_per_program: int, due: int) -> dict[str, int]:
    from mentoring.models import User
    from programs.models import CheckIn, Mentorship, PairReminder, Participant, Program
    from programs.pair_reminders import checkin_slot

    people = 2 * pairs_per_program
    User.objects.bulk_create(
        (
            User(email=f"p{n}@example.com", full_name=f"Person {n}", time_zone=ZONES[n % 4])
            for n in range(people)
        ),
        batch_size=5000,
    )
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    coordinator = User.objects.create(email="coordinator@example.com", full_name="Cora")
    for p in range(programs):
        program = Program.objects.create(
            name=f"Program {p}", is_evergreen=True, state=Program.State.RUNNING
        )
        program.coordinators.add(coordinator)
        Participant.objects.bulk_create(
            (
                Participant(
                    program=program,
                    user_id=user_ids[n],
                    email=f"p{n}@example.com",
                    full_name=f"Person {n}",
                    role=Participant.Role.MENTOR if n % 2 == 0 else Participant.Role.MENTEE,
                    status=Participant.Status.ACTIVE,
                )
                for n in range(people)
            ),
            batch_size=5000,
        )
        by_user = dict(Participant.objects.filter(program=program).values_list("user_id", "pk"))
        Mentorship.objects.bulk_create(
            (
                Mentorship(
                    program=program,
                    mentor_id=by_user[user_ids[2 * i]],
                    mentee_id=by_user[user_ids[2 * i + 1]],
                    source=Mentorship.Source.MANUAL,
                    started_at=NOW - dt.timedelta(days=30 + i % 60),
                )
                for i in range(pairs_per_program)
            ),
            batch_size=5000,
        )
    mentorships = list(
        Mentorship.objects.order_by("pk").values_list("pk", "mentor__user_id", "mentee__user_id")
    )
    mentorship_ids = [m[0] for m in mentorships]

    # The due reminders: 40% before a check-in, 30% "log it", 20% overdue, 10% welcome.
    n_before, n_log, n_overdue = due * 4 // 10, due * 3 // 10, due * 2 // 10
    n_welcome = due - n_before - n_log - n_overdue
    half = lambda n: (n + 1) // 2  # noqa: E731 - one check-in serves both people
    checkins = CheckIn.objects.bulk_create(
        [
            CheckIn(
                mentorship_id=mentorships[i][0],
                status=CheckIn.Status.SCHEDULED,
                scheduled_at=NOW + dt.timedelta(hours=20),
                sequence=1,
            )
            for i in range(half(n_before))
        ]
        + [
            CheckIn(
                mentorship_id=mentorships[half(n_before) + i][0],
                status=CheckIn.Status.SCHEDULED,
                scheduled_at=NOW - dt.timedelta(hours=2),
                sequence=1,
            )
            for i in range(half(n_log))
        ],
        batch_size=5000,
    )
    by_mentorship = {m[0]: m for m in mentorships}
    rows: list[PairReminder] = []

    def add(kind: str, index: int, slot: str, check_in: Any = None) -> None:
        pk, mentor_user, mentee_user = mentorships[index]
        recipient = mentor_user if len(rows) % 2 == 0 else mentee_user
        rows.append(
            PairReminder(
                kind=kind,
                mentorship_id=pk,
                check_in=check_in,
                recipient_id=recipient,
                slot=slot,
                due_at=NOW - dt.timedelta(minutes=1 + len(rows) % 50),
            )
        )

    for number, checkin in enumerate(checkins):
        kind = PairReminder.Kind.BEFORE if number < half(n_before) else PairReminder.Kind.LOG
        _pk, mentor_user, mentee_user = by_mentorship[checkin.mentorship_id]
        for recipient in (mentor_user, mentee_user):
            rows.append(
                PairReminder(
                    kind=kind,
                    mentorship_id=checkin.mentorship_id,
                    check_in=checkin,
                    recipient_id=recipient,
                    slot=checkin_slot(checkin),
                    due_at=NOW - dt.timedelta(minutes=1 + len(rows) % 50),
                )
            )
    offset = len(checkins)
    for i in range(n_overdue):
        add(PairReminder.Kind.OVERDUE, offset + i, f"m{mentorships[offset + i][0]}@bench")
    offset += n_overdue
    for i in range(n_welcome):
        add(PairReminder.Kind.WELCOME, offset + i, f"m{mentorships[offset + i][0]}")
    # Everything else is due later: the sweep must not even look at it.
    later = [
        PairReminder(
            kind=PairReminder.Kind.FIRST_MEETING,
            mentorship_id=pk,
            recipient_id=mentee_user,
            slot=f"m{pk}",
            due_at=NOW + dt.timedelta(days=1 + n % 30),
        )
        for n, (pk, _mentor_user, mentee_user) in enumerate(mentorships[:90_000])
    ]
    PairReminder.objects.bulk_create(rows + later, batch_size=5000)
    return {
        "mentorships": len(mentorship_ids),
        "due": PairReminder.objects.filter(state="pending", due_at__lte=NOW).count(),
        "reminder_rows": PairReminder.objects.count(),
    }


def _sweep_until_done() -> tuple[int, int, int]:
    """Sweep batch after batch until nothing is due: (sent, batches, queries)."""
    from django.db import connection

    from programs.pair_reminders import pair_reminders_send

    executed = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal executed
        executed += 1
        return execute(sql, params, many, context)

    sent = sweeps = 0
    # Counted with a wrapper: Django's query log keeps only the last 9,000.
    with connection.execute_wrapper(count):
        while True:
            result = pair_reminders_send(now=NOW)
            sweeps += 1
            sent += result.sent
            if not result.more and not result.taken:
                break
    return sent, sweeps, executed


def run(*, programs: int, pairs_per_program: int, due: int) -> dict[str, Any]:
    from django.core import mail
    from django.db import connection

    from mentoring.models import Delivery
    from programs.pair_reminders import pair_reminders_send

    started = time.perf_counter()
    facts = build(programs=programs, pairs_per_program=pairs_per_program, due=due)
    setup_seconds = time.perf_counter() - started

    mail.outbox = []
    started = time.perf_counter()
    sent, sweeps, query_count = _sweep_until_done()
    emails = len(mail.outbox)
    seconds = time.perf_counter() - started
    again = pair_reminders_send(now=NOW)
    keys = Delivery.objects.values("kind", "key").distinct().count()
    return {
        "benchmark": "reminders",
        "database": connection.vendor,
        "mentorships": facts["mentorships"],
        "reminder_rows": facts["reminder_rows"],
        "due": facts["due"],
        "sent": sent,
        "emails": emails,
        "duplicates": emails - keys + again.sent,
        "seconds": round(seconds, 2),
        "reminders_per_second": round(sent / seconds, 1) if seconds else None,
        "queries_per_reminder": round(query_count / max(sent, 1), 2),
        "batches": sweeps,
        "setup_seconds": round(setup_seconds, 1),
        "target_seconds": 60,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--programs", type=int, default=10)
    parser.add_argument("--pairs-per-program", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=10_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.db import connection

    # Emails to memory, but without the test runner's template instrumentation (it
    # would slow every render down and is not there in production).
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox = []
    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        None if connection.vendor == "sqlite" else f"test_bench_reminders_{os.getpid()}"
    )
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        result = run(programs=args.programs, pairs_per_program=args.pairs_per_program, due=args.due)
        print(json.dumps(result), flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
