"""A mentor's last place under concurrent requests, on PostgreSQL with real row locks.

Each thread has its own connection and transaction, as two web workers would; a
barrier releases them together so they race for the same last place.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence

import pytest
from django.core import mail
from django.db import close_old_connections, connection

from matching import selfmatch
from matching.models import MatchRequest
from pairs.mentorships import mentorship_create
from programs.models import Participant, Program
from tests.conftest import skip_or_fail
from tests.matching.conftest import person

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("the concurrency tests need PostgreSQL (set DATABASE_URL)")


def race(jobs: Sequence[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Run every job in its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(job())
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
    return results, errors


def test_two_mentees_racing_for_a_mentors_last_place_exactly_one_gets_it(
    selfmatch_program: Program, mentors: list[Participant], eager_celery: None
) -> None:
    mentor = mentors[0]
    # One place taken by an active mentorship, one left.
    first = person(selfmatch_program, Participant.Role.MENTEE, "Early Bird")
    mentorship_create(
        program=selfmatch_program, mentor=mentor, mentee=first, source="manual", by=None
    )
    racers = [
        person(selfmatch_program, Participant.Role.MENTEE, f"Racer {n}", interests=["python"])
        for n in range(2)
    ]

    results, errors = race(
        [
            functools.partial(selfmatch.match_request_create, mentee=mentee, mentor_ids=[mentor.pk])
            for mentee in racers
        ]
    )

    assert errors == []
    outcomes = [r for r in results if isinstance(r, selfmatch.RequestOutcome)]
    assert len(outcomes) == 2
    winners = [o for o in outcomes if o.pending is not None]
    losers = [o for o in outcomes if o.pending is None]
    assert len(winners) == 1
    assert len(losers) == 1
    # The other is told clearly, and their request is recorded as passed over.
    assert "Mentor 1 has no free place left" in losers[0].message()
    assert MatchRequest.objects.filter(mentor=mentor, state="pending").count() == 1
    assert MatchRequest.objects.filter(mentor=mentor, state="skipped").count() == 1
    # Only the winner's mentor heard about a request.
    assert [m.to for m in mail.outbox] == [[mentor.user.email if mentor.user else ""]]


def test_accepting_while_another_mentee_races_for_the_place_keeps_capacity(
    selfmatch_program: Program, mentors: list[Participant], eager_celery: None
) -> None:
    mentor = mentors[0]
    mentor.capacity = 1
    mentor.save(update_fields=["capacity"])
    asker = person(selfmatch_program, Participant.Role.MENTEE, "Asker", interests=["python"])
    outcome = selfmatch.match_request_create(mentee=asker, mentor_ids=[mentor.pk])
    assert outcome.pending is not None
    late = person(selfmatch_program, Participant.Role.MENTEE, "Late", interests=["python"])
    assert mentor.user is not None
    by = mentor.user
    request = outcome.pending

    results, errors = race(
        [
            lambda: selfmatch.match_request_answer(request=request, accept=True, by=by),
            lambda: selfmatch.match_request_create(mentee=late, mentor_ids=[mentor.pk]),
        ]
    )

    assert errors == []
    late_outcome = next(r for r in results if isinstance(r, selfmatch.RequestOutcome))
    assert late_outcome.pending is None
    assert MatchRequest.objects.get(mentee=late).state == "skipped"
    assert mentor.mentorships_as_mentor.filter(state="active").count() == 1
