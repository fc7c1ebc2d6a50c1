"""The one claim-and-send sweep (mentoring.sweeps), on rows of its own.

The rows are mentoring.Delivery records of a kind of their own: "due" while their
kind is ``todo``; sending one writes it down and marks it ``done``.
"""

from __future__ import annotations

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import QuerySet

from mentoring.models import Delivery
from mentoring.sweeps import SweepResult, claim_and_send
from tests.conftest import skip_or_fail

TODO = "sweep-test-todo"
DONE = "sweep-test-done"


def _rows(*keys: str) -> list[Delivery]:
    return [
        Delivery.objects.create(kind=TODO, key=key, sent_at="2030-01-01T00:00Z") for key in keys
    ]


def _due() -> QuerySet[Delivery]:
    return Delivery.objects.filter(kind=TODO)


class Sender:
    """Marks each row done and remembers it; raises for the keys in ``broken``."""

    def __init__(self, *, broken: tuple[str, ...] = ()) -> None:
        self.broken = set(broken)
        self.sent: list[str] = []
        self.tried: list[str] = []

    def __call__(self, row: Delivery) -> bool:
        self.tried.append(row.key)
        row.kind = DONE
        row.save(update_fields=["kind"])
        if row.key in self.broken:
            raise ConnectionError("mail server down")
        self.sent.append(row.key)
        return True


def _sweep(send: Sender, *, batch: int = 10, batches: int = 10, **options: object) -> SweepResult:
    return claim_and_send(
        _due(),
        order_by=("key",),
        send_one=send,
        batch=batch,
        batches=batches,
        label="Test row",
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.django_db
def test_a_sweep_sends_at_most_its_bound_and_says_more_is_due() -> None:
    _rows(*"abcdefg")
    send = Sender()

    assert _sweep(send, batch=2, batches=3) == SweepResult(sent=6, failed=0, more=True)
    assert send.sent == list("abcdef")

    assert _sweep(send, batch=2, batches=3) == SweepResult(sent=1, failed=0, more=False)
    assert send.sent == list("abcdefg")
    assert not _due().exists()


@pytest.mark.django_db
def test_a_sweep_that_ends_its_bound_exactly_when_nothing_is_left_says_no_more() -> None:
    _rows(*"abcd")
    assert _sweep(Sender(), batch=2, batches=2) == SweepResult(sent=4, failed=0, more=False)


@pytest.mark.django_db
def test_a_failing_row_rolls_back_alone_and_is_retried_at_the_next_sweep_only() -> None:
    _rows(*"abcde")
    send = Sender(broken=("b",))

    # Small batches: the failed row, still due, would come first in every batch.
    assert _sweep(send, batch=2, batches=5) == SweepResult(sent=4, failed=1, more=False)
    assert send.sent == list("acde")
    assert send.tried.count("b") == 1
    # Its mark rolled back with it: still due.
    assert list(_due().values_list("key", flat=True)) == ["b"]

    send.broken.clear()
    assert _sweep(send) == SweepResult(sent=1, failed=0, more=False)
    assert send.sent == list("acdeb")


@pytest.mark.django_db
def test_failed_rows_do_not_count_as_more() -> None:
    _rows(*"abc")
    result = _sweep(Sender(broken=("a", "b", "c")), batch=1, batches=3)
    assert result == SweepResult(sent=0, failed=3, more=False)


@pytest.mark.django_db
def test_a_sweep_gives_up_after_so_many_failures_in_a_row() -> None:
    _rows(*"abcde")
    send = Sender(broken=("a", "b", "c", "d"))

    assert _sweep(send, give_up_after=2) == SweepResult(sent=0, failed=2, more=False)
    assert send.tried == ["a", "b"]


@pytest.mark.django_db
def test_a_success_between_failures_starts_the_count_again() -> None:
    _rows(*"abcde")
    send = Sender(broken=("a", "c", "e"))

    assert _sweep(send, give_up_after=2) == SweepResult(sent=2, failed=3, more=False)
    assert send.sent == ["b", "d"]


@pytest.mark.django_db
def test_a_row_of_several_messages_gets_one_transaction_each_in_one_sweep() -> None:
    _rows("pair")
    seen: list[int] = []

    def one_side(locked: Delivery) -> bool:
        # One message a call, recorded as a Delivery; the row is done after the second.
        seen.append(len(seen) + 1)
        Delivery.objects.claim(kind="sweep-test-message", key=f"{locked.key}:{len(seen)}")
        if len(seen) == 2:
            locked.kind = DONE
            locked.save(update_fields=["kind"])
        return True

    result = claim_and_send(
        _due(), order_by=("pk",), send_one=one_side, batch=10, batches=1, label="Pair", steps=3
    )
    assert result == SweepResult(sent=2, failed=0, more=False)
    assert seen == [1, 2]  # no third call: the row was no longer due


@pytest.mark.django_db
def test_a_failing_second_message_keeps_the_first_one_sent() -> None:
    _rows("pair")
    calls: list[int] = []

    def one_side(locked: Delivery) -> bool:
        calls.append(1)
        if len(calls) == 2:
            raise ConnectionError("mail server down")
        return Delivery.objects.claim(kind="sweep-test-message", key=f"{locked.key}:1")

    result = claim_and_send(
        _due(), order_by=("pk",), send_one=one_side, batch=10, batches=1, label="Pair", steps=2
    )
    assert result == SweepResult(sent=1, failed=1, more=False)
    # The first message's transaction committed on its own: its record stays.
    assert Delivery.objects.filter(kind="sweep-test-message", key="pair:1").exists()
    assert _due().exists()


@pytest.mark.django_db
def test_a_custom_lock_decides_which_rows_are_handled() -> None:
    _rows(*"abc")
    send = Sender()

    def lock(pk: int) -> Delivery | None:
        return _due().exclude(key="b").select_for_update().filter(pk=pk).first()

    assert _sweep(send, lock=lock) == SweepResult(sent=2, failed=0, more=False)
    assert send.sent == ["a", "c"]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_another_transaction_is_passed_over_without_waiting() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("row locks held by another session need PostgreSQL (set DATABASE_URL)")
    held, *_others = _rows(*"abcd")
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        other.connect()
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM mentoring_delivery WHERE id = %s FOR UPDATE", [held.pk])
        send = Sender()

        # One row a batch: the held row, first in order, takes the first batch's
        # place and is not read again batch after batch.
        assert _sweep(send, batch=1, batches=3) == SweepResult(sent=2, failed=0, more=True)
        assert send.sent == ["b", "c"]
        # A full batch, and only the held row left: its holder is on it, not "more".
        assert _sweep(send, batch=2, batches=1) == SweepResult(sent=1, failed=0, more=False)
        assert send.sent == ["b", "c", "d"]
    finally:
        other.close()  # the holder goes away without sending: its lock with it

    assert _sweep(send) == SweepResult(sent=1, failed=0, more=False)
    assert send.sent == ["b", "c", "d", "a"]
