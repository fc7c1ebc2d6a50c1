"""Celery tasks of the CSV participant import: thin, take ids, safe to run twice.

Named programs.tasks.* (the names queued messages carry); listed in mentoring/celery.py.
"""

from __future__ import annotations

from mentoring import queues
from mentoring.deferred import DeferredRun
from mentoring.models import User
from programs import imports
from programs.models import ParticipantImport

__all__ = ["apply_participant_import_task", "check_participant_import_task"]


@queues.task(
    base=DeferredRun, name="programs.tasks.check_participant_import_task", queue_kind=queues.DEFAULT
)
def check_participant_import_task(import_id: int) -> str:
    """Check a large uploaded file; only an import still "checking" is touched."""
    participant_import = (
        ParticipantImport.objects.select_related("program").filter(pk=import_id).first()
    )
    if participant_import is None:
        return "missing"
    return imports.participant_import_check(participant_import=participant_import).status


@queues.task(
    base=DeferredRun, name="programs.tasks.apply_participant_import_task", queue_kind=queues.DEFAULT
)
def apply_participant_import_task(import_id: int, by_id: int) -> str:
    """Apply a large clean file; only an import claimed as "applying" is touched."""
    by = User.objects.filter(pk=by_id).first()
    participant_import = imports.participant_import_apply_claimed(import_id=import_id, by=by)
    return participant_import.status if participant_import else "missing"
