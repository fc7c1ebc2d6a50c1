"""Celery tasks of the core app: thin wrappers that call a service by name or id."""

from __future__ import annotations

from django.db import DatabaseError

from mentoring import queues, services
from mentoring.deferred import DeferredRun


@queues.task(name="mentoring.tasks.record_heartbeat_task", queue_kind=queues.DEFAULT)
def record_heartbeat_task(name: str = "beat") -> str:
    beat = services.heartbeat_record(name=name)
    return beat.beat_at.isoformat()


@queues.task(name="mentoring.tasks.resend_deferred_tasks_task", queue_kind=queues.DEFAULT)
def resend_deferred_tasks_task() -> int:
    """Every minute: queue again the deferred tasks whose message was lost."""
    from mentoring.deferred import deferred_tasks_resend

    return deferred_tasks_resend()


@queues.task(name="mentoring.tasks.snapshot_program_task", queue_kind=queues.DEFAULT)
def snapshot_program_task(program_id: int) -> int | None:
    """Recompute one program's dashboard snapshot (safe to run twice: same day, one row)."""
    from mentoring.dashboards import snapshot_take
    from programs.models import Program

    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        return None
    return snapshot_take(program=program).pk


@queues.task(name="mentoring.tasks.snapshot_programs_task", queue_kind=queues.DEFAULT)
def snapshot_programs_task() -> int:
    """Nightly: queue a snapshot of every program that is not a draft, and HR's."""
    from programs.models import Program

    ids = list(Program.objects.exclude(state=Program.State.DRAFT).values_list("pk", flat=True))
    for program_id in ids:
        snapshot_program_task.delay(program_id)
    snapshot_insights_task.delay()
    return len(ids)


@queues.task(name="mentoring.tasks.snapshot_insights_task", queue_kind=queues.DEFAULT)
def snapshot_insights_task() -> int:
    """HR's grouped counts for every program filter (safe to run twice: it replaces them)."""
    from mentoring.insights import insight_snapshots_take

    return insight_snapshots_take()


@queues.task(name="mentoring.tasks.send_progress_weekly_task", queue_kind=queues.EMAIL)
def send_progress_weekly_task() -> int:
    """Weekly: each coordinator's progress email (once per program, week and person)."""
    from mentoring.reports import progress_weekly_send

    return progress_weekly_send()


@queues.task(name="mentoring.tasks.send_hr_monthly_task", queue_kind=queues.EMAIL)
def send_hr_monthly_task() -> int:
    """Monthly: HR's summary of last month (once per month and person)."""
    from mentoring.reports import hr_monthly_send

    return hr_monthly_send()


# -- data rights (mentoring.erasure) ---------------------------------------------------


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
    from mentoring.erasure import erasure_execute

    return erasure_execute(request_id=request_id).done_now


@queues.task(
    base=DeferredRun, name="mentoring.tasks.send_erasure_confirmation_task", queue_kind=queues.EMAIL
)
def send_erasure_confirmation_task(request_id: int, nonce: str) -> bool:
    from mentoring.erasure import erasure_confirmation_send

    return erasure_confirmation_send(request_id=request_id, nonce=nonce)


@queues.task(
    base=DeferredRun, name="mentoring.tasks.send_erasure_notices_task", queue_kind=queues.EMAIL
)
def send_erasure_notices_task(request_id: int) -> int:
    from mentoring.erasure import erasure_notices_send

    return erasure_notices_send(request_id=request_id)


@queues.task(
    base=DeferredRun, name="mentoring.tasks.send_erasure_done_task", queue_kind=queues.EMAIL
)
def send_erasure_done_task(request_id: int, address: str) -> bool:
    from mentoring.erasure import erasure_done_send

    return erasure_done_send(request_id=request_id, address=address)
