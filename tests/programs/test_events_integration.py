"""The waiting list under concurrent answers, on PostgreSQL with real row locks.

Each thread has its own database connection and its own transaction, as two web
workers would; a barrier releases them together so they race for the last places.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence

import pytest
from django.core import mail
from django.db import close_old_connections, connection
from django.utils import timezone

from events.models import Event, EventRsvp
from events.selectors import waiting_position
from events.services import event_rsvp_set
from programs.models import Participant, Program
from tests.conftest import skip_or_fail
from tests.factories.programs import participant_create

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("the concurrency tests need PostgreSQL (set DATABASE_URL)")


def race(jobs: Sequence[Callable[[], object]]) -> list[BaseException]:
    """Run every job in its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            job()
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return errors


def make_event(program: Program, capacity: int) -> Event:
    starts = timezone.now() + dt.timedelta(days=2)
    return Event.objects.create(
        program=program,
        title="Last places",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        capacity=capacity,
    )


def answer_job(event: Event, participant: Participant, response: str) -> Callable[[], object]:
    return lambda: event_rsvp_set(
        event=Event.objects.get(pk=event.pk), participant=participant, response=response
    )


def waiting_in_order(event: Event) -> list[EventRsvp]:
    return list(
        EventRsvp.objects.filter(event=event, status="waiting").order_by("waitlisted_at", "id")
    )


def test_people_racing_for_the_last_places_fill_exactly_the_capacity(
    program: Program, eager_celery: None
) -> None:
    event = make_event(program, capacity=5)
    already = [participant_create(program=program) for _n in range(3)]
    for participant in already:
        event_rsvp_set(event=event, participant=participant, response="going")
    racers = [participant_create(program=program) for _n in range(12)]

    errors = race([answer_job(event, p, "going") for p in racers])

    assert errors == []
    assert EventRsvp.objects.filter(event=event, status="going").count() == 5
    waiting = waiting_in_order(event)
    assert len(waiting) == 10
    # A queue without gaps or ties: positions 1..10, in the order people got in.
    assert [waiting_position(rsvp) for rsvp in waiting] == list(range(1, 11))
    stamps = [rsvp.waitlisted_at for rsvp in waiting if rsvp.waitlisted_at is not None]
    assert len(stamps) == 10
    assert stamps == sorted(stamps)
    # One answer per person, whatever the race.
    assert EventRsvp.objects.filter(event=event).count() == 15
    # Everyone heard: 5 confirmations and 10 waiting-list emails.
    subjects = [m.subject for m in mail.outbox]
    assert sum("You're going" in s for s in subjects) == 5
    assert sum("Waiting list" in s for s in subjects) == 10


def test_places_freed_at_the_same_time_go_to_the_first_people_waiting(
    program: Program, eager_celery: None
) -> None:
    event = make_event(program, capacity=4)
    going = [participant_create(program=program) for _n in range(4)]
    queued = [participant_create(program=program) for _n in range(6)]
    for participant in (*going, *queued):
        event_rsvp_set(event=event, participant=participant, response="going")
    first_in_line = [r.user_id for r in waiting_in_order(event)]
    newcomers = [participant_create(program=program) for _n in range(3)]

    # Three people leave while three others ask for a place and one answers twice.
    jobs = [answer_job(event, p, "not_going") for p in going[:3]]
    jobs += [answer_job(event, p, "going") for p in newcomers]
    jobs += [answer_job(event, queued[0], "going"), answer_job(event, queued[0], "going")]
    errors = race(jobs)

    assert errors == []
    going_now = set(
        EventRsvp.objects.filter(event=event, status="going").values_list("user_id", flat=True)
    )
    assert len(going_now) == 4
    # The freed places went to the three who waited longest, not to the newcomers.
    assert going_now == {going[3].user_id, *first_in_line[:3]}
    waiting = waiting_in_order(event)
    assert [r.user_id for r in waiting][:3] == first_in_line[3:]
    assert {r.user_id for r in waiting[3:]} == {p.user_id for p in newcomers}
    assert [waiting_position(r) for r in waiting] == list(range(1, 7))
