"""Celery tasks of the programs app: thin, take ids, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from programs import services


@shared_task(name="programs.tasks.send_invitations_task")
def send_invitations_task(participant_ids: list[int]) -> int:
    """Email each not-yet-sent invitation among these ids exactly once."""
    return sum(services.invitation_send(participant_id=pid) for pid in participant_ids)


# Registers the CSV import's tasks with Celery (autodiscovery imports this module only).
from programs import import_tasks  # noqa: E402, F401

# Registers the profile reminder task with Celery (autodiscovery imports this module only).
from programs.reminder_tasks import send_profile_reminders_task  # noqa: E402, F401

# Registers the event tasks (reminders, answer and change notices) with Celery.
# isort: split
from programs import event_tasks  # noqa: E402, F401

# Registers the mentorship workspace's tasks (reminder sweep, check-in notices).
# isort: split
from programs import workspace_tasks  # noqa: E402, F401
