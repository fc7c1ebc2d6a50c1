"""Data rights' Celery tasks: carrying out a deletion request and its emails.

Task names keep the ``mentoring.tasks.`` prefix they had before the privacy app existed,
so messages already queued still find them.
"""

from __future__ import annotations

from django.db import DatabaseError

from mentoring import queues
from mentoring.deferred import DeferredRun
from privacy import erasure


@queues.task(
    name="mentoring.tasks.erase_account_task",
    queue_kind=queues.DEFAULT,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=3,
)
def erase_account_task(request_id: int) -> bool:
    """Carry out a confirmed deletion request (safe to run twice: a done one is skipped).
    A request that keeps failing stays confirmed, listed for site admins to carry out."""
    return erasure.erasure_execute(request_id=request_id).done_now


@queues.task(
    base=DeferredRun, name="mentoring.tasks.send_erasure_confirmation_task", queue_kind=queues.EMAIL
)
def send_erasure_confirmation_task(request_id: int, nonce: str) -> bool:
    return erasure.erasure_confirmation_send(request_id=request_id, nonce=nonce)


@queues.task(
    base=DeferredRun, name="mentoring.tasks.send_erasure_notices_task", queue_kind=queues.EMAIL
)
def send_erasure_notices_task(request_id: int) -> int:
    return erasure.erasure_notices_send(request_id=request_id)


@queues.task(
    base=DeferredRun, name="mentoring.tasks.send_erasure_done_task", queue_kind=queues.EMAIL
)
def send_erasure_done_task(request_id: int, address: str) -> bool:
    return erasure.erasure_done_send(request_id=request_id, address=address)
