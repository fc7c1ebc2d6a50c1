"""The sweep's claims: parallel sweeps take disjoint batches, a claim left by a sweep
that is gone is taken over, and a sweep never sends a row another sweep took over.

The claim is what spreads a backlog over a worker's processes; exactly once never
rests on it (the conditional UPDATE and the unique Delivery do that), so these tests
check both: who sent what, and that everything went out once.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator

import pytest
import time_machine
from django.core import mail
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentoring.models import Delivery
from pairs.models import PairReminder
from pairs.reminders.sweep import CLAIM_LOCK_CLASS, pair_reminders_send
from programs.models import Program
from tests.conftest import skip_or_fail
from tests.factories.programs import mentorship_make

R = PairReminder.Kind
SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
# A weekday morning in London: daytime for everyone below, so quiet hours hold nothing.
MORNING = dt.datetime(2026, 9, 14, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _morning() -> Iterator[None]:
    with time_machine.travel(MORNING, tick=False):
        yield


def _welcomes(program: Program, pairs: int) -> list[int]:
    """``pairs`` new pairs; only their welcome emails are due (two per pair)."""
    for _n in range(pairs):
        mentorship_make(program=program)
    PairReminder.objects.exclude(kind=R.WELCOME).delete()
    return list(PairReminder.objects.values_list("pk", flat=True))


def _sent_once(due: int) -> None:
    """Every due row sent, one email and one Delivery each."""
    assert PairReminder.objects.filter(state="sent").count() == due
    assert Delivery.objects.filter(kind="pair-welcome").count() == due
    recipients = Counter(message.to[0] for message in mail.outbox)
    assert len(recipients) == due
    assert set(recipients.values()) == {1}


@pytest.fixture
def live_claim() -> Iterator[int]:
    """A claim token whose sweep is alive: on PostgreSQL its advisory lock is held
    (here by the test's own session); SQLite cannot tell either way."""
    token = 4242
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [CLAIM_LOCK_CLASS, token])
    yield token
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [CLAIM_LOCK_CLASS, token])


@pytest.mark.django_db
def test_rows_a_running_sweep_claimed_are_left_to_it_until_its_claim_expires(
    program: Program, live_claim: int
) -> None:
    ids = _welcomes(program, 3)
    later = timezone.now() + dt.timedelta(days=1)
    held = ids[:4]
    PairReminder.objects.filter(pk__in=held).update(
        claimed_by=live_claim, claimed_until=later + dt.timedelta(minutes=5)
    )

    first = pair_reminders_send(now=later)

    assert (first.taken, first.sent) == (2, 2)
    assert set(PairReminder.objects.filter(state="pending").values_list("pk", flat=True)) == set(
        held
    )
    # Its claim ran out (the sweep hangs, say): the next sweep takes the rows over.
    second = pair_reminders_send(now=later + dt.timedelta(minutes=6))

    assert second.sent == 4
    _sent_once(6)


@pytest.mark.django_db
def test_a_sweep_sends_nothing_of_what_another_sweep_took_over(program: Program) -> None:
    _welcomes(program, 2)
    later = timezone.now() + dt.timedelta(days=1)

    def taken_over() -> None:
        # Between this sweep's claim and its sends, another sweep takes every row.
        PairReminder.objects.update(claimed_by=777)

    result = pair_reminders_send(now=later, limit=4, when_full=taken_over)

    assert (result.taken, result.sent) == (4, 0)
    assert mail.outbox == []
    assert not Delivery.objects.exists()
    assert PairReminder.objects.filter(state="pending", claimed_by=777).count() == 4


@pytest.mark.django_db
def test_each_reminder_costs_two_statements_whatever_the_batch_size(program: Program) -> None:
    """The claim and the preloading cost the same for any batch; each reminder then
    costs its conditional UPDATE and its Delivery INSERT."""
    _welcomes(program, 6)
    later = timezone.now() + dt.timedelta(days=1)
    counts = []
    for limit in (4, 8):
        with CaptureQueriesContext(connection) as queries:
            assert pair_reminders_send(now=later, limit=limit).sent == limit
        # The savepoints stand for the per-reminder transactions inside the test's own.
        counts.append(sum(not q["sql"].startswith(SAVEPOINTS) for q in queries.captured_queries))

    assert counts[1] - counts[0] == 2 * 4
    assert counts[0] <= 2 * 4 + 8


# -- PostgreSQL: real sessions, real row locks ---------------------------------------


@pytest.fixture
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("the concurrent sweep tests need PostgreSQL (set DATABASE_URL)")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_postgresql")
def test_two_sweeps_at_once_send_disjoint_batches_and_every_reminder_once(
    program: Program,
) -> None:
    due = len(_welcomes(program, 8))  # 16
    later = timezone.now() + dt.timedelta(days=1)
    claimed = threading.Barrier(2)
    results = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            # Both sweeps hold their claims before either sends a thing.
            results.append(
                pair_reminders_send(now=later, limit=6, when_full=lambda: claimed.wait(30))
            )
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=sweep) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    # Disjoint: each sent the 6 rows it claimed, none skipped as someone else's.
    assert [(r.taken, r.sent) for r in results] == [(6, 6), (6, 6)]
    rest = pair_reminders_send(now=later)
    assert (rest.taken, rest.sent) == (4, 4)
    _sent_once(due)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_postgresql")
def test_rows_claimed_by_a_sweep_that_died_are_taken_over_at_once(program: Program) -> None:
    due = len(_welcomes(program, 3))
    later = timezone.now() + dt.timedelta(days=1)
    # Claimed for hours by a sweep whose process is gone (nobody holds its lock).
    PairReminder.objects.update(claimed_by=99, claimed_until=later + dt.timedelta(hours=3))

    result = pair_reminders_send(now=later)

    assert result.sent == due
    _sent_once(due)
