"""The one bounded claim-and-send sweep that periodic senders run (docs/outbound.md).

A sweep reads a bounded batch of due ids without locks, then handles each id in a
short transaction of its own: the row is locked with SELECT ... FOR UPDATE SKIP
LOCKED and filtered by ``due`` again (a second sweep skips it; a row sent meanwhile
is no longer due), and the sender is called with it. The sender writes its
mentoring.Delivery claim, sends and marks the row; the commit that follows makes all
of it count at once. One transaction per message keeps the duplicate window to the
one message in flight when a worker dies.

A recipient's quiet hours (mentoring.notifications.QuietHours, raised by
``notification_send(wait_out_quiet_hours=True)``) roll back that row's transaction too
and pass it over for this sweep: it stays due, is not a failure, and goes out at the
first sweep after the night.

A sender that raises anything else rolls back its own row only: it is logged, left due for the
next sweep and not tried again in this one. Rows another sender holds are passed over
for the rest of the sweep too, so a sweep never waits on them nor walks through them
batch after batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model, QuerySet

from mentoring.notifications import QuietHours

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    sent: int  # what the senders reported as sent now
    failed: int  # rows whose sender raised: left due for the next sweep
    # The sweep stopped at its bound (batch x batches) with rows still due (other than
    # those that failed or another sender holds): the caller may queue the next at once.
    more: bool
    waiting: int = 0  # rows whose recipient is in their quiet hours: left due


def claim_and_send[M: Model](
    due: QuerySet[M],
    *,
    order_by: Sequence[str],
    send_one: Callable[[M], bool],
    batch: int,
    batches: int,
    label: str,
    select_related: Sequence[str] = (),
    steps: int = 1,
    lock: Callable[[int], M | None] | None = None,
    give_up_after: int | None = None,
) -> SweepResult:
    """Send what ``due`` holds, at most ``batch`` x ``batches`` rows, in ``order_by``.

    ``send_one`` gets the locked row inside its transaction; it claims, sends, marks
    the row so that ``due`` no longer holds it, and says whether a message went.

    - ``steps``: the most transactions one row gets in a sweep, for a row that takes
      several messages, one per transaction (a match introduction emails two people):
      the row is locked again while ``due`` still holds it.
    - ``lock``: locks and returns the row (or None to pass it over) instead of the
      SKIP LOCKED select, for rows whose writers lock another row first.
    - ``give_up_after``: stop after this many failures in a row (the mail server is
      down: the rest waits for the next sweep rather than failing one by one).
    - ``label`` names the row in the log ("Event reminder 12 failed ...").
    """

    def locked(pk: int) -> M | None:
        if lock is not None:
            return lock(pk)
        rows = due.select_for_update(skip_locked=True, of=("self",))
        if select_related:
            rows = rows.select_related(*select_related)
        return rows.filter(pk=pk).first()

    passed: set[int] = set()  # failed, waiting, or held by another sender: not again
    sent = failed = failed_in_a_row = waiting = 0
    for _batch in range(batches):
        ids = list(
            due.exclude(pk__in=passed).order_by(*order_by).values_list("pk", flat=True)[:batch]
        )
        for pk in ids:
            for step in range(steps):
                try:
                    with transaction.atomic():
                        row = locked(pk)
                        if row is None:
                            # Another sender has it, or it is done (sent meanwhile, or
                            # by the steps before).
                            if step == 0:
                                passed.add(pk)
                            break
                        sent += send_one(row)
                except QuietHours:
                    passed.add(pk)
                    waiting += 1
                    break
                except Exception:
                    passed.add(pk)
                    failed += 1
                    failed_in_a_row += 1
                    logger.exception("%s %s failed; retried at the next sweep", label, pk)
                    if give_up_after is not None and failed_in_a_row >= give_up_after:
                        return SweepResult(sent=sent, failed=failed, waiting=waiting, more=False)
                    break
                failed_in_a_row = 0
        if len(ids) < batch:
            return SweepResult(sent=sent, failed=failed, waiting=waiting, more=False)
    more = due.exclude(pk__in=passed).exists()
    return SweepResult(sent=sent, failed=failed, waiting=waiting, more=more)
