"""Celery tasks of matching: thin, take ids, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from matching import runs


@shared_task(name="matching.tasks.run_match_task", acks_late=True)
def run_match_task(run_id: int) -> str:
    """Solve a queued run; a run already claimed or finished is left alone."""
    run = runs.match_run_execute(run_id=run_id)
    return run.status if run is not None else "missing"


@shared_task(name="matching.tasks.send_match_introduction_task", acks_late=True)
def send_match_introduction_task(mentorship_id: int) -> int:
    return runs.match_introduction_send(mentorship_id=mentorship_id)
