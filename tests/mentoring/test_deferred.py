"""Notices whose task message is lost are sent anyway (mentoring.deferred).

A check-in proposal's notice, an RSVP's confirmation or a self-match request existed
only as a message in the broker: a broker that lost it lost the email for good. Now
the transaction that decides the notice records it, the task's run removes the
record, and a sweep queues again whatever is still recorded after the retry
interval. The tests lose the message on purpose: the transaction commits but no
task runs (Celery is not eager and nothing consumes the queue).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from mentoring.deferred import deferred_tasks_resend
from mentoring.models import DeferredTask
from pairs.checkins.services import checkin_propose
from pairs.models import Mentorship

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost_messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Every task handed to the broker is dropped on the floor (and listed)."""
    from celery import Task

    dropped: list[tuple[str, Any]] = []

    def drop(self: Task, args: Any = None, kwargs: Any = None, **options: Any) -> None:
        dropped.append((self.name, args))

    monkeypatch.setattr(Task, "apply_async", drop)
    return dropped


def _propose(mentorship: Mentorship, captured: Any) -> None:
    mentee = mentorship.mentee.user
    assert mentee is not None
    with captured(execute=True):
        checkin_propose(
            mentorship=mentorship,
            by=mentee,
            scheduled_at=timezone.now() + dt.timedelta(days=3),
        )


def test_a_lost_notice_is_sent_by_the_sweep_once(
    mentorship: Mentorship,
    lost_messages: list[tuple[str, Any]],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    eager_celery: None,
) -> None:
    _propose(mentorship, django_capture_on_commit_callbacks)
    assert [name for name, _args in lost_messages] == ["programs.tasks.send_checkin_notice_task"]
    assert mail.outbox == []
    (row,) = DeferredTask.objects.all()
    assert row.name == "programs.tasks.send_checkin_notice_task"

    # Within the retry interval the sweep leaves it (the message may just be queued).
    assert deferred_tasks_resend() == 0

    # After it, the sweep queues it again; this time the worker runs it.
    monkeypatch.undo()
    later = timezone.now() + dt.timedelta(seconds=settings.DEFERRED_TASK_RETRY_AFTER + 1)
    assert deferred_tasks_resend(now=later) == 1
    mentor = mentorship.mentor.user
    assert mentor is not None
    assert [m.to for m in mail.outbox] == [[mentor.email]]
    # The run removed the record: nothing is queued again, nothing is sent twice.
    assert not DeferredTask.objects.exists()
    assert deferred_tasks_resend(now=later + dt.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1


def test_a_rolled_back_decision_records_nothing(
    mentorship: Mentorship, lost_messages: list[tuple[str, Any]]
) -> None:
    from django.db import transaction

    mentee = mentorship.mentee.user
    assert mentee is not None
    with transaction.atomic():
        checkin_propose(
            mentorship=mentorship, by=mentee, scheduled_at=timezone.now() + dt.timedelta(days=3)
        )
        transaction.set_rollback(True)
    assert not DeferredTask.objects.exists()
    assert lost_messages == []


def test_a_task_that_keeps_failing_is_given_up_after_the_most_attempts(
    mentorship: Mentorship,
    lost_messages: list[tuple[str, Any]],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.DEFERRED_TASK_MAX_ATTEMPTS = 3
    _propose(mentorship, django_capture_on_commit_callbacks)
    now = timezone.now()
    step = dt.timedelta(seconds=settings.DEFERRED_TASK_RETRY_AFTER + 1)
    queued = [deferred_tasks_resend(now=now + step * n) for n in range(1, 6)]
    # Queued once by the transaction, then twice more by the sweep: three in all.
    assert queued == [1, 1, 0, 0, 0]
    assert len(lost_messages) == 3
    assert DeferredTask.objects.get().attempts == 3


def test_the_sweep_runs_every_minute(settings: Any) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["resend-deferred-tasks"]
    assert entry["task"] == "mentoring.tasks.resend_deferred_tasks_task"
    assert entry["schedule"] <= 60
