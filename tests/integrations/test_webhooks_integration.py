"""Webhooks through a real Celery worker (PostgreSQL + Redis): sent after commit,
retried by the beat sweep once due, and replayed, to a receiver on 127.0.0.1; the
check-in and survey events from their services' commits."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest
from django.db import transaction
from django.utils import timezone

from integrations import webhooks
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.tasks import send_due_webhooks_task
from mentoring.models import User
from pairs.checkins.services import checkin_log_past
from programs import services
from programs.models import Participant, Program
from programs.services import Invitee
from surveys import services as survey_services
from tests.factories.programs import mentee_of, mentorship_make
from tests.factories.surveys import people, survey_open
from tests.integration import wait_for
from tests.integrations.conftest import Receiver

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

Status = WebhookDelivery.Status


def test_the_worker_delivers_retries_and_replays(
    celery_worker_process: subprocess.Popen[str],
    program: Program,
    coordinator: User,
    receiver: Receiver,
) -> None:
    receiver.statuses = [503, 200]
    endpoint = webhooks.webhook_endpoint_create(
        program=program,
        url=receiver.url,
        events=[WebhookEndpoint.Event.PARTICIPANT_ENROLLED],
        by=coordinator,
    )
    with transaction.atomic():
        services.participants_invite(
            program=program,
            invitees=[Invitee(email="ivy@example.org", role="mentee")],
            by=coordinator,
        )
    worker = celery_worker_process
    failed_once = wait_for(
        lambda: WebhookDelivery.objects.filter(attempts=1, status=Status.PENDING).first(),
        worker=worker,
    )
    assert failed_once.response_code == 503
    assert failed_once.next_attempt_at is not None
    assert failed_once.next_attempt_at > timezone.now()
    # Time passes (the retry's due time is a column), and beat's sweep runs.
    WebhookDelivery.objects.filter(pk=failed_once.pk).update(next_attempt_at=timezone.now())
    send_due_webhooks_task.delay()
    delivered = wait_for(
        lambda: WebhookDelivery.objects.filter(pk=failed_once.pk, status=Status.SUCCEEDED).first(),
        worker=worker,
    )
    assert delivered.attempts == 2
    with transaction.atomic():
        webhooks.webhook_delivery_replay(delivery=delivered, by=coordinator)
    wait_for(
        lambda: WebhookDelivery.objects.filter(
            replay_of=delivered, status=Status.SUCCEEDED
        ).first(),
        worker=worker,
    )
    bodies = [json.loads(r.body) for r in receiver.requests]
    assert len(bodies) == 3
    assert {b["id"] for b in bodies} == {str(delivered.event_id)}
    assert all(
        webhooks.signature_header(
            secret=endpoint.secret,
            body=r.body,
            timestamp=int(r.headers["X-Mentoring-Signature"].split(",")[0][2:]),
        )
        == r.headers["X-Mentoring-Signature"]
        for r in receiver.requests
    )


def test_the_worker_delivers_checkin_and_survey_events_after_commit(
    celery_worker_process: subprocess.Popen[str],
    program: Program,
    coordinator: User,
    receiver: Receiver,
) -> None:
    webhooks.webhook_endpoint_create(
        program=program,
        url=receiver.url,
        events=[WebhookEndpoint.Event.CHECKIN_LOGGED, WebhookEndpoint.Event.SURVEY_CLOSED],
        by=coordinator,
    )
    pair = mentorship_make(program=program)
    people(program, Participant.Role.MENTEE, 5)
    survey = survey_open(program, coordinator, audience="mentees")
    with transaction.atomic():
        checkin = checkin_log_past(
            mentorship=pair,
            by=mentee_of(pair),
            held_at=timezone.now() - dt.timedelta(days=1),
            outcome="done",
            notes="Only for the two of us",
        )
        survey_services.survey_close(survey=survey, by=coordinator)
        # Inside the transaction nothing is queued yet, so nothing can arrive.
        assert WebhookDelivery.objects.filter(status=Status.PENDING).count() == 2
    wait_for(
        lambda: WebhookDelivery.objects.filter(status=Status.SUCCEEDED).count() == 2 or None,
        worker=celery_worker_process,
    )
    bodies = {json.loads(r.body)["event"]: json.loads(r.body) for r in receiver.requests}
    assert bodies["checkin.logged"]["data"]["checkin"]["id"] == checkin.pk
    assert bodies["survey.closed"]["data"]["survey"]["invited"] == 6
    assert all(b"Only for the two of us" not in r.body for r in receiver.requests)
