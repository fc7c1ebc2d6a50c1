"""Celery tasks of the mentorship workspace: thin, take ids, safe to run twice.

Named programs.tasks.* (the names queued messages and the beat schedule carry, kept from
when they lived in programs); found by autodiscovery.
acks_late so a task whose worker died runs again (its Delivery records make the rerun
send nothing twice).
"""

from __future__ import annotations

from mentoring import queues
from mentoring.deferred import DeferredRun
from pairs.checkins.notices import checkin_notice_send
from pairs.reminders.sweep import pair_reminders_send


@queues.task(
    name="programs.tasks.send_pair_reminders_task", queue_kind=queues.EMAIL, acks_late=True
)
def send_pair_reminders_task() -> int:
    """The sweep (every PAIR_REMINDER_INTERVAL seconds, CELERY_BEAT_SCHEDULE): one bounded
    batch. When the batch is full, the next one is queued as soon as this one is
    claimed, so the worker's other processes send it meanwhile (a backlog drains at
    the pace of every process, and each sweep takes rows of its own)."""
    result = pair_reminders_send(when_full=send_pair_reminders_task.delay)
    return result.sent


@queues.task(
    base=DeferredRun,
    name="programs.tasks.send_checkin_notice_task",
    queue_kind=queues.EMAIL,
    acks_late=True,
)
def send_checkin_notice_task(
    checkin_id: int, notice: str, sequence: int, user_ids: list[int]
) -> int:
    """Proposals, invitations, updates and cancellations of one check-in version."""
    return checkin_notice_send(
        checkin_id=checkin_id, notice=notice, sequence=sequence, user_ids=user_ids
    )
