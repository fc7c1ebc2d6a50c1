"""Celery tasks of matching: thin, take ids, safe to run twice.

Named send_* so the email queue takes them; acks_late so a task whose worker died
runs again, and the Delivery records make the rerun send nothing twice.
"""

from __future__ import annotations

from celery import shared_task

from matching import selfmatch


@shared_task(name="matching.tasks.send_match_request_notice_task", acks_late=True)
def send_match_request_notice_task(request_id: int, notice: str) -> int:
    """Email one self-match request's notice (new, declined, expired, accepted), once."""
    return selfmatch.match_request_notice_send(request_id=request_id, notice=notice)


@shared_task(name="matching.tasks.expire_match_requests_task", acks_late=True)
def expire_match_requests_task() -> int:
    """The periodic sweep (CELERY_BEAT_SCHEDULE): unanswered requests pass to the next choice."""
    return selfmatch.match_requests_expire()
