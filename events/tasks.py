"""Celery tasks of program events: thin, take ids, safe to run twice.

Named programs.tasks.* (the names queued messages and the beat schedule carry, kept
from when events were part of programs); found by Celery's autodiscovery.
acks_late: a task whose worker dies runs again, and the Delivery records make the rerun
send nothing that already went out.
"""

from __future__ import annotations

from events import notices
from mentoring import queues
from mentoring.deferred import DeferredRun


@queues.task(
    name="programs.tasks.send_event_reminders_task", queue_kind=queues.EMAIL, acks_late=True
)
def send_event_reminders_task() -> int:
    """The periodic sweep (CELERY_BEAT_SCHEDULE): reminders the day before, once each."""
    return notices.event_reminders_send()


@queues.task(
    base=DeferredRun,
    name="programs.tasks.send_event_rsvp_notice_task",
    queue_kind=queues.EMAIL,
    acks_late=True,
)
def send_event_rsvp_notice_task(rsvp_id: int, notice: str, stamp: str) -> bool:
    """Confirm an answer (going, waiting list, promoted, no longer going), once."""
    return notices.event_rsvp_notice_send(rsvp_id=rsvp_id, notice=notice, stamp=stamp)


@queues.task(
    base=DeferredRun,
    name="programs.tasks.send_event_change_notices_task",
    queue_kind=queues.EMAIL,
    acks_late=True,
)
def send_event_change_notices_task(event_id: int, sequence: int) -> int:
    """Tell attendees an event changed or is cancelled, once per person per version."""
    return notices.event_change_notices_send(event_id=event_id, sequence=sequence)
