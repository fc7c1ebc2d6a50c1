"""Every recurring email goes through the one notification pipeline.

Event answers, changes and reminders, self-match notices and survey invitations
and reminders used to be sent by copies of the sender that drifted: no unsubscribe
link, no List-Unsubscribe header, the server's time zone, and mail to deactivated
accounts. Each goes through ``mentoring.notifications.notification_send`` now, so
each carries what every notification carries.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import dateformat, timezone

from events import notices
from events.models import Event
from events.services import event_rsvp_set
from matching import selfmatch
from matching.models import MatchSettings
from mentoring.models import Delivery, User
from mentoring.notifications import (
    Kind,
    QuietHours,
    notification_enabled,
    notification_preference_set,
    notification_send,
)
from mentoring.sweeps import SweepResult, claim_and_send
from programs.models import Participant, Program
from surveys import services, sweeps
from tests.factories import user_create
from tests.factories.programs import participant_create
from tests.factories.surveys import survey_build

pytestmark = pytest.mark.django_db


def _unsubscribes(message: Any) -> str:
    """The one-click unsubscribe address: in the header and in both bodies."""
    header = message.extra_headers.get("List-Unsubscribe", "")
    assert header.startswith("<http"), message.subject
    assert message.extra_headers.get("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    url = header.strip("<>")
    assert url in message.body, message.subject
    html = next(body for body, kind in message.alternatives if kind == "text/html")
    assert url.replace("&", "&amp;") in html or url in html, message.subject
    return url


def _event(program: Program, **fields: Any) -> Event:
    starts = fields.pop("starts_at", timezone.now() + dt.timedelta(hours=20))
    return Event.objects.create(
        program=program,
        title="Feedback workshop",
        kind=Event.Kind.WORKSHOP,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        location="Room 4.01",
        **fields,
    )


def _going(program: Program, **user_fields: Any) -> Participant:
    person = participant_create(
        program=program, user=user_create(**user_fields), role=Participant.Role.MENTEE
    )
    return person


def test_event_emails_carry_unsubscribe_and_stop_when_turned_off(
    program: Program,
    eager_celery: None,
    django_capture_on_commit_callbacks: Any,
    time_machine: Any,
) -> None:
    time_machine.move_to(DAY)  # daytime in London: the reminder is not held for the night
    event = _event(program)
    kept = _going(program)
    stopped = _going(program)
    assert kept.user is not None
    assert stopped.user is not None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_rsvp_set(event=event, participant=kept, response="going")
    answered = [m for m in mail.outbox if m.to == [kept.user.email]]
    assert answered, "an answer is confirmed by email"
    url = _unsubscribes(answered[0])

    # The link turns off event emails for that person only, in one click (RFC 8058).
    notification_preference_set(user=stopped.user, kind=Kind.EVENTS, enabled=False)
    event_rsvp_set(event=event, participant=stopped, response="going")
    mail.outbox.clear()
    assert notices.event_reminders_send() == 1
    assert [m.to for m in mail.outbox] == [[kept.user.email]]
    _unsubscribes(mail.outbox[0])
    assert Client().post(url).status_code == 200
    kept.user.refresh_from_db()
    assert not notification_enabled(user=kept.user, kind=Kind.EVENTS)


def test_no_event_email_goes_to_a_deactivated_account(program: Program) -> None:
    event = _event(program)
    person = _going(program)
    event_rsvp_set(event=event, participant=person, response="going")
    assert person.user is not None
    User.objects.filter(pk=person.user.pk).update(is_active=False)
    mail.outbox.clear()
    notices.event_reminders_send()
    assert mail.outbox == []


def test_self_match_notices_carry_unsubscribe(program: Program) -> None:
    MatchSettings.objects.create(program=program, self_match=True, self_match_max_requests=3)
    mentee = _going(program)
    mentor = participant_create(program=program, role=Participant.Role.MENTOR, capacity=2)
    outcome = selfmatch.match_request_create(mentee=mentee, mentor_ids=[mentor.pk])
    assert outcome.pending is not None
    mail.outbox.clear()
    sent = selfmatch.match_request_notice_send(
        request_id=outcome.pending.pk, notice=selfmatch.NOTICE_NEW
    )
    assert sent == 1
    assert len(mail.outbox) == 1
    _unsubscribes(mail.outbox[0])


def test_survey_emails_carry_unsubscribe_and_the_persons_time_zone(
    program: Program, coordinator: User
) -> None:
    tokyo = _going(program, time_zone="Asia/Tokyo")
    assert tokyo.user is not None
    survey = survey_build(program, coordinator)
    # Late on the 10th in UTC is already the 11th in Tokyo.
    closes = (timezone.now() + dt.timedelta(days=5)).replace(hour=23, minute=30)
    survey.closes_at = closes
    survey.save()
    services.survey_publish(survey=survey, by=coordinator)
    mail.outbox.clear()
    sweeps.surveys_sweep()
    (message,) = [m for m in mail.outbox if m.to == [tokyo.user.email]]
    _unsubscribes(message)
    local = closes.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    server = closes.astimezone(timezone.get_default_timezone())
    assert local.date() != server.date()
    assert dateformat.format(local, "j") in message.body
    assert f"{dateformat.format(local, 'M')}. {local.day}," in message.body or (
        dateformat.format(local, "F j") in message.body
    )


# -- exactly once and quiet hours, inside the pipeline ---------------------------------

DAY = dt.datetime(2026, 9, 15, 10, 0, tzinfo=dt.UTC)  # 11:00 in London, 19:00 in Tokyo
NIGHT = dt.datetime(2026, 9, 15, 23, 30, tzinfo=dt.UTC)  # 00:30 in London


def _send(person: User, **options: Any) -> bool:
    return notification_send(
        to=person,
        kind=Kind.PROGRESS_REPORTS,
        template="mentoring/erasure_done",  # any email template: this one needs nothing
        context={},
        **options,
    )


def test_once_sends_a_key_once_and_a_failed_send_leaves_it_free() -> None:
    person = user_create(email="once@example.org", time_zone="Europe/London")

    class Broken(Exception):
        pass

    class BrokenMailer:
        def send_messages(self, messages: list[Any]) -> int:
            raise Broken

    with pytest.raises(Broken):
        _send(person, once=("pipeline-test", "k1"), mailer=BrokenMailer())
    assert not Delivery.objects.filter(kind="pipeline-test").exists()  # rolled back
    assert _send(person, once=("pipeline-test", "k1")) is True
    assert _send(person, once=("pipeline-test", "k1")) is False
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(kind="pipeline-test", key="k1").count() == 1


def test_a_periodic_email_waits_out_the_recipients_night_and_claims_nothing() -> None:
    london = user_create(email="london@example.org", time_zone="Europe/London")
    tokyo = user_create(email="tokyo@example.org", time_zone="Asia/Tokyo")
    with pytest.raises(QuietHours) as night:
        _send(london, once=("pipeline-test", "n1"), wait_out_quiet_hours=True, now=NIGHT)
    # The end of London's night (08:00 local, BST) is when to try again.
    assert night.value.until == dt.datetime(2026, 9, 16, 7, 0, tzinfo=dt.UTC)
    assert not Delivery.objects.filter(kind="pipeline-test").exists()
    assert mail.outbox == []
    # 08:30 in Tokyo the same moment: it goes.
    assert _send(tokyo, once=("pipeline-test", "t1"), wait_out_quiet_hours=True, now=NIGHT)
    assert _send(london, once=("pipeline-test", "n1"), wait_out_quiet_hours=True, now=DAY)
    assert [m.to for m in mail.outbox] == [["tokyo@example.org"], ["london@example.org"]]
    # A message someone's own action causes is not held.
    assert _send(london, now=NIGHT)


def test_the_sweep_leaves_a_row_due_while_its_recipient_sleeps() -> None:
    london = user_create(email="sleeper@example.org", time_zone="Europe/London")
    for key in ("a", "b"):
        Delivery.objects.create(kind="pipeline-todo", key=key, sent_at=DAY)

    def send_one(row: Delivery, *, now: dt.datetime) -> bool:
        row.kind = "pipeline-done"
        row.save(update_fields=["kind"])
        return _send(london, once=("pipeline-test", row.key), wait_out_quiet_hours=True, now=now)

    def sweep(now: dt.datetime) -> SweepResult:
        return claim_and_send(
            Delivery.objects.filter(kind="pipeline-todo"),
            order_by=("key",),
            send_one=lambda row: send_one(row, now=now),
            batch=10,
            batches=3,
            label="Pipeline row",
        )

    assert sweep(NIGHT) == SweepResult(sent=0, failed=0, more=False, waiting=2)
    assert Delivery.objects.filter(kind="pipeline-todo").count() == 2  # still due
    assert sweep(DAY) == SweepResult(sent=2, failed=0, more=False, waiting=0)
    assert len(mail.outbox) == 2
