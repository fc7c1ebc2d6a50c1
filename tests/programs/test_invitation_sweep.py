"""Invitations whose tasks were lost: the sweep finds them in the database and sends
each once; a sender that died holding a claim leaves nothing behind it.

The enqueued batch tasks never run in these tests (their on_commit callbacks are not
executed), which is the state a worker killed mid-import leaves: people enrolled as
invited, no email sent, no task left in any queue.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from mentoring.celery import app
from mentoring.models import Delivery, User
from programs import services
from programs.models import Participant, Program
from programs.services import Invitee
from programs.tasks import send_invitations_task
from tests.conftest import skip_or_fail
from tests.factories.programs import participant_create, program_create


def _enrol(program: Program, coordinator: User, count: int) -> list[Participant]:
    # No on_commit capture: the invitation tasks are queued nowhere, as if lost.
    return services.participants_invite(
        program=program,
        invitees=[Invitee(email=f"person{n}@example.org", role="mentee") for n in range(count)],
        by=coordinator,
    )


def _each_once(people: list[Participant]) -> None:
    recipients = Counter(message.to[0] for message in mail.outbox)
    assert recipients == Counter(p.email for p in people)
    assert not Participant.objects.filter(
        pk__in=[p.pk for p in people], invited_at__isnull=True
    ).exists()


@pytest.mark.django_db
def test_invitations_whose_tasks_were_lost_go_out_once_at_the_next_sweep(
    program: Program, coordinator: User
) -> None:
    people = _enrol(program, coordinator, 30)
    assert mail.outbox == []

    assert services.invitations_send() == 30
    _each_once(people)

    assert services.invitations_send() == 0
    assert len(mail.outbox) == 30


@pytest.mark.django_db
def test_a_clean_import_whose_invitation_tasks_were_lost_is_invited_by_the_sweep(
    program: Program, coordinator: User
) -> None:
    from programs import imports

    rows = "\n".join(f"person{n}@example.org,mentee" for n in range(12))
    created = imports.participant_import_create(
        program=program,
        by=coordinator,
        file_name="people.csv",
        data=f"email,role\n{rows}\n".encode(),
    )
    applied = imports.participant_import_apply(participant_import=created, by=coordinator)
    assert applied.status == "applied"
    assert mail.outbox == []

    assert services.invitations_send() == 12
    assert services.invitations_send() == 0
    _each_once(list(Participant.objects.filter(program=program)))


@pytest.mark.django_db
def test_the_batch_task_sends_its_own_people_only_and_once(
    program: Program, coordinator: User
) -> None:
    people = _enrol(program, coordinator, 5)

    assert send_invitations_task([p.pk for p in people[:2]]) == 2
    assert send_invitations_task([p.pk for p in people[:2]]) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people[:2])
    # The sweep takes the rest.
    assert services.invitations_send() == 3
    _each_once(people)


@pytest.mark.django_db
def test_a_sweep_is_bounded_and_the_next_one_goes_on_where_it_stopped(
    program: Program, coordinator: User
) -> None:
    people = _enrol(program, coordinator, 7)

    assert services.invitations_send(limit=5) == 5
    assert len(mail.outbox) == 5
    assert services.invitations_send(limit=5) == 2
    _each_once(people)


@pytest.mark.django_db
def test_a_resent_invitation_goes_out_again_once_with_its_new_link(
    program: Program, coordinator: User
) -> None:
    (person,) = _enrol(program, coordinator, 1)
    assert services.invitations_send() == 1
    first_link = mail.outbox[0].body

    services.participant_invitation_resend(participant=person, by=coordinator)

    assert services.invitations_send() == 1
    assert services.invitations_send() == 0
    assert len(mail.outbox) == 2
    assert mail.outbox[1].body != first_link
    assert Delivery.objects.filter(kind="invitation").count() == 2


@pytest.mark.django_db
def test_the_sweep_sends_no_stale_or_closed_or_withdrawn_invitation(
    program: Program, coordinator: User
) -> None:
    expired, withdrawn, due = _enrol(program, coordinator, 3)
    Participant.objects.filter(pk=expired.pk).update(
        invite_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    services.participant_status_set(
        participant=withdrawn, status=Participant.Status.WITHDRAWN, by=coordinator
    )
    closed = program_create(coordinators=[coordinator])
    (in_closed,) = _enrol(closed, coordinator, 1)
    services.program_transition(program=closed, to_state=Program.State.CLOSED, by=coordinator)

    assert services.invitations_send() == 1
    assert [m.to[0] for m in mail.outbox] == [due.email]
    in_closed.refresh_from_db()
    assert in_closed.invited_at is None


@pytest.mark.django_db
def test_a_failed_send_is_retried_by_the_next_sweep_and_the_batch_goes_on(
    program: Program, coordinator: User, settings
) -> None:
    people = _enrol(program, coordinator, 3)
    first = people[0]
    settings.MAILERS = {"default": {"BACKEND": "tests.programs.refusing_mail.EmailBackend"}}
    settings.REFUSED_RECIPIENTS = [first.email]

    assert services.invitations_send() == 2
    first.refresh_from_db()
    assert first.invited_at is None
    assert not Delivery.objects.filter(kind="invitation", key__startswith=f"{first.pk}:").exists()

    settings.REFUSED_RECIPIENTS = []
    assert services.invitations_send() == 1
    assert services.invitations_send() == 0
    _each_once(people)


def test_beat_runs_the_invitation_sweep_every_minute_or_so() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["send-invitations"]
    assert entry["task"] in app.tasks
    assert float(entry["schedule"]) <= 60  # type: ignore[arg-type]


@pytest.mark.django_db
def test_the_sweep_task_queues_itself_again_while_a_full_batch_was_due(
    program: Program, coordinator: User, settings
) -> None:
    from programs.tasks import send_due_invitations_task

    settings.INVITATION_SWEEP_BATCH = 4
    people = _enrol(program, coordinator, 10)
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        send_due_invitations_task()
    finally:
        app.conf.task_always_eager = before
    _each_once(people)


# -- PostgreSQL: a sender that died holding its claim --------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_claim_held_by_a_sender_that_died_is_sent_once_by_the_next_sweep(
    program: Program, coordinator: User
) -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("row locks held by another session need PostgreSQL (set DATABASE_URL)")
    # Enrolled, their tasks lost (on_commit would run them here: made row by row).
    held, other = (
        participant_create(
            program=program,
            status=Participant.Status.INVITED,
            invite_nonce=f"nonce{n}",
            invite_expires_at=timezone.now() + dt.timedelta(days=30),
        )
        for n in range(2)
    )
    key = f"{held.pk}:{held.invite_nonce}"
    # Another worker claimed ``held`` (locked the row, wrote its Delivery) and is
    # handing the email to the mail server: its transaction is still open.
    worker = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        worker.connect()
        worker.set_autocommit(False)
        with worker.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM programs_participant WHERE id = %s FOR UPDATE", [held.pk]
            )
            cursor.execute(
                "INSERT INTO mentoring_delivery (kind, key, sent_at) VALUES (%s, %s, now())",
                ["invitation", key],
            )

        # The sweep neither waits for it nor sends the claimed one a second time.
        assert services.invitations_send() == 1
        assert [m.to[0] for m in mail.outbox] == [other.email]
    finally:
        # The worker dies before its commit: its connection drops, the claim with it.
        worker.close()

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):
        assert services.invitations_send() == 1
        assert services.invitations_send() == 0
    _each_once([held, other])
    assert Delivery.objects.filter(kind="invitation", key=key).count() == 1


@pytest.mark.django_db
def test_a_worker_killed_mid_sweep_repeats_no_invitation_it_had_sent(
    program: Program, coordinator: User, settings
) -> None:
    from tests.programs.refusing_mail import WorkerKilled

    people = _enrol(program, coordinator, 8)
    settings.MAILERS = {"default": {"BACKEND": "tests.programs.refusing_mail.EmailBackend"}}
    settings.KILL_AFTER_SENDS = 3
    with pytest.raises(WorkerKilled):
        services.invitations_send()
    assert len(mail.outbox) == 3

    settings.KILL_AFTER_SENDS = None
    assert services.invitations_send() == 5
    _each_once(people)
