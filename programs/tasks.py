"""Celery tasks of the programs app: thin, take ids, safe to run twice."""

from __future__ import annotations

import logging

from mentoring import queues
from programs import services

logger = logging.getLogger(__name__)


@queues.task(name="programs.tasks.send_invitations_task", queue_kind=queues.EMAIL)
def send_invitations_task(participant_ids: list[int]) -> int:
    """The invitation sweep for these ids only, queued after enrolment: a shortcut.
    Lost, it costs one INVITATION_SWEEP_INTERVAL: the beat sweep sends them then."""
    return services.invitations_send(participant_ids=participant_ids)


@queues.task(name="programs.tasks.send_due_invitations_task", queue_kind=queues.EMAIL)
def send_due_invitations_task() -> int:
    """The periodic sweep (CELERY_BEAT_SCHEDULE): every invitation still to send, one
    bounded batch; a full batch queues the next at once, so a backlog drains quickly."""
    result = services.invitations_sweep()
    if result.more:
        try:
            send_due_invitations_task.delay()
        except Exception:
            logger.exception("Queueing the next invitation sweep failed; beat's next one will")
    return result.sent
