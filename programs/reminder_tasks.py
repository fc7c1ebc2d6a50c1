"""Celery tasks for profile reminders: thin, take ids, safe to run twice.

Imported at the end of programs/tasks.py so Celery's autodiscovery registers them.
"""

from __future__ import annotations

from celery import shared_task

from mentoring.deferred import DeferredRun
from programs import services


# Named under programs.tasks so the "*.tasks.send_*" route puts it on the email queue.
@shared_task(base=DeferredRun, name="programs.tasks.send_profile_reminders_task")
def send_profile_reminders_task(participant_ids: list[int]) -> int:
    """Email a profile reminder to each of these participants who is still due one."""
    return sum(services.profile_reminder_send(participant_id=pid) for pid in participant_ids)
