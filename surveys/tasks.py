"""Celery tasks of the surveys app: thin, take ids, safe to run twice.

acks_late, and the Delivery records make a rerun send nothing that already went out.
"""

from __future__ import annotations

from mentoring import queues
from surveys import sweeps


@queues.task(name="surveys.tasks.send_surveys_sweep_task", queue_kind=queues.EMAIL, acks_late=True)
def send_surveys_sweep_task() -> dict[str, int]:
    """The periodic sweep (CELERY_BEAT_SCHEDULE): invitations, reminders, closing."""
    return sweeps.surveys_sweep()


@queues.task(
    name="surveys.tasks.send_survey_invitations_task", queue_kind=queues.EMAIL, acks_late=True
)
def send_survey_invitations_task(survey_id: int) -> dict[str, int]:
    """Right after publishing: invite whoever is due now, without waiting for beat."""
    return sweeps.surveys_sweep(survey_id=survey_id)
