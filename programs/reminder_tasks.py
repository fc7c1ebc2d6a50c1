"""Celery tasks for profile reminders: thin, take ids, safe to run twice.

Named programs.tasks.* (the names queued messages carry); listed in mentoring/celery.py.
"""

from __future__ import annotations

from mentoring import queues
from mentoring.deferred import DeferredRun
from programs import services


@queues.task(
    base=DeferredRun, name="programs.tasks.send_profile_reminders_task", queue_kind=queues.EMAIL
)
def send_profile_reminders_task(participant_ids: list[int]) -> int:
    """Email a profile reminder to each of these participants who is still due one."""
    return sum(services.profile_reminder_send(participant_id=pid) for pid in participant_ids)
