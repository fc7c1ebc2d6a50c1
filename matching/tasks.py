"""Celery tasks of matching: thin, take ids, safe to run twice.

acks_late so a task whose worker died runs again, and the Delivery records make the
rerun send nothing twice.
"""

from __future__ import annotations

from matching import runs, selfmatch
from mentoring import queues
from mentoring.deferred import DeferredRun


@queues.task(name="matching.tasks.run_match_task", queue_kind=queues.MATCHING, acks_late=True)
def run_match_task(run_id: int) -> str:
    """Solve a queued run; a run already claimed or finished is left alone."""
    run = runs.match_run_execute(run_id=run_id)
    return run.status if run is not None else "missing"


@queues.task(
    name="matching.tasks.send_match_introduction_task", queue_kind=queues.EMAIL, acks_late=True
)
def send_match_introduction_task(mentorship_id: int) -> int:
    """Introduce one new pair, queued at publishing: a shortcut to the sweep below."""
    return runs.match_introduction_send(mentorship_id=mentorship_id)


@queues.task(
    name="matching.tasks.send_due_match_introductions_task", queue_kind=queues.EMAIL, acks_late=True
)
def send_due_match_introductions_task() -> int:
    """The periodic sweep (CELERY_BEAT_SCHEDULE): pairs whose introduction task was lost."""
    return runs.match_introductions_send()


@queues.task(
    base=DeferredRun,
    name="matching.tasks.send_match_request_notice_task",
    queue_kind=queues.EMAIL,
    acks_late=True,
)
def send_match_request_notice_task(request_id: int, notice: str) -> int:
    """Email one self-match request's notice (new, declined, expired, accepted), once."""
    return selfmatch.match_request_notice_send(request_id=request_id, notice=notice)


@queues.task(
    name="matching.tasks.expire_match_requests_task", queue_kind=queues.DEFAULT, acks_late=True
)
def expire_match_requests_task() -> int:
    """The periodic sweep (CELERY_BEAT_SCHEDULE): unanswered requests pass to the next choice."""
    return selfmatch.match_requests_expire()
