"""The reminders benchmark's data set: programs of pairs, check-ins and reminder rows
(some due now, most due later), for people in zones where it is daytime while the
benchmark runs (benchmarks/reminders.py).

In benchmarks/support/ (not benchmarks/), so that `make bench` does not run it as a benchmark.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

# Zones around the world; the benchmark picks those where it is early afternoon now.
ZONE_CHOICES = [
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Noumea",
    "Pacific/Auckland",
]


def daytime_zones(now: dt.datetime, count: int = 4) -> list[str]:
    """The ``count`` zones whose local time is nearest 13:00: hours from the quiet
    hours (NOTIFY_QUIET_*) on either side, however long the benchmark runs."""

    def distance(name: str) -> float:
        local = now.astimezone(zoneinfo.ZoneInfo(name))
        return abs(local.hour + local.minute / 60 - 13)

    return sorted(ZONE_CHOICES, key=distance)[:count]


def build(
    *, programs: int, pairs_per_program: int, due: int, now: dt.datetime, zones: list[str]
) -> dict[str, int]:
    from mentoring.models import User
    from pairs.models import CheckIn, Mentorship, PairReminder
    from pairs.reminders.planning import checkin_slot
    from programs.models import Participant, Program

    people = 2 * pairs_per_program
    User.objects.bulk_create(
        (
            User(
                email=f"p{n}@example.com", full_name=f"Person {n}", time_zone=zones[n % len(zones)]
            )
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
                    started_at=now - dt.timedelta(days=30 + i % 60),
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
                scheduled_at=now + dt.timedelta(hours=20),
                sequence=1,
            )
            for i in range(half(n_before))
        ]
        + [
            CheckIn(
                mentorship_id=mentorships[half(n_before) + i][0],
                status=CheckIn.Status.SCHEDULED,
                scheduled_at=now - dt.timedelta(hours=2),
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
                due_at=now - dt.timedelta(minutes=1 + len(rows) % 50),
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
                    due_at=now - dt.timedelta(minutes=1 + len(rows) % 50),
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
            due_at=now + dt.timedelta(days=1 + n % 30),
        )
        for n, (pk, _mentor_user, mentee_user) in enumerate(mentorships[:90_000])
    ]
    PairReminder.objects.bulk_create(rows + later, batch_size=5000)
    return {
        "mentorships": len(mentorship_ids),
        "due": PairReminder.objects.filter(state="pending", due_at__lte=now).count(),
        "reminder_rows": PairReminder.objects.count(),
    }
