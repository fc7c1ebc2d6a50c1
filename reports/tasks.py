"""Reports' Celery tasks: dashboard snapshots and the report emails.

Task names keep the ``mentoring.tasks.`` prefix they had before the reports app existed,
so messages already queued and the beat schedule still find them.
"""

from __future__ import annotations

from mentoring import queues
from programs.models import Program
from reports.dashboards import snapshot_take
from reports.emails import hr_monthly_send, progress_weekly_send
from reports.insights import insight_snapshots_take


@queues.task(name="mentoring.tasks.snapshot_program_task", queue_kind=queues.DEFAULT)
def snapshot_program_task(program_id: int) -> int | None:
    """Recompute one program's dashboard snapshot (safe to run twice: same day, one row)."""
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        return None
    return snapshot_take(program=program).pk


@queues.task(name="mentoring.tasks.snapshot_programs_task", queue_kind=queues.DEFAULT)
def snapshot_programs_task() -> int:
    """Nightly: queue a snapshot of every program that is not a draft, and HR's."""
    ids = list(Program.objects.exclude(state=Program.State.DRAFT).values_list("pk", flat=True))
    for program_id in ids:
        snapshot_program_task.delay(program_id)
    snapshot_insights_task.delay()
    return len(ids)


@queues.task(name="mentoring.tasks.snapshot_insights_task", queue_kind=queues.DEFAULT)
def snapshot_insights_task() -> int:
    """HR's grouped counts for every program filter (safe to run twice: it replaces them)."""
    return insight_snapshots_take()


@queues.task(name="mentoring.tasks.send_progress_weekly_task", queue_kind=queues.EMAIL)
def send_progress_weekly_task() -> int:
    """Weekly: each coordinator's progress email (once per program, week and person)."""
    return progress_weekly_send()


@queues.task(name="mentoring.tasks.send_hr_monthly_task", queue_kind=queues.EMAIL)
def send_hr_monthly_task() -> int:
    """Monthly: HR's summary of last month (once per month and person)."""
    return hr_monthly_send()
