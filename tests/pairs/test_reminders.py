"""Reminders and nudges of the mentorship workspace: planned in rows, sent once by the
sweep, at the intended local time, never at night, never to someone who opted out."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from mentoring.models import Delivery
from mentoring.notifications import Kind, notification_preference_set, quiet_adjust
from pairs.checkins.services import (
    checkin_accept,
    checkin_cancel,
    checkin_log,
    checkin_log_past,
    checkin_propose,
    checkin_reschedule,
)
from pairs.models import CheckIn, Mentorship, PairReminder
from pairs.reminders.planning import mentorship_reminders_plan, mentorship_reminders_start
from pairs.reminders.sweep import pair_reminders_send
from programs.models import Participant, Program
from tests.factories import user_create
from tests.factories.programs import mentee_of, mentor_of, mentorship_make, participant_create

pytestmark = pytest.mark.django_db

R = PairReminder.Kind

# A weekday morning in London: no test depends on the wall clock or on quiet hours.
MORNING = dt.datetime(2026, 9, 14, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _eager(eager_celery: None) -> None:
    """Tasks run in-process here, also when the suite runs against Redis."""


@pytest.fixture(autouse=True)
def _morning() -> object:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def _pair_in(program: Program, zone: str, *, started_at: dt.datetime | None = None) -> Mentorship:
    mentor = participant_create(
        program=program,
        role=Participant.Role.MENTOR,
        user=user_create(full_name="Max Mentor", time_zone=zone),
    )
    mentee = participant_create(
        program=program,
        role=Participant.Role.MENTEE,
        user=user_create(full_name="Mia Mentee", time_zone=zone),
    )
    return mentorship_make(program=program, mentor=mentor, mentee=mentee, started_at=started_at)


def _subjects(prefix: str) -> list[str]:
    return [str(m.subject) for m in mail.outbox if str(m.subject).startswith(prefix)]


# -- Exactly once -------------------------------------------------------------------


def test_running_the_sweep_twice_sends_one_email_each(mentorship: Mentorship) -> None:
    later = timezone.now() + dt.timedelta(days=1)

    first = pair_reminders_send(now=later)
    second = pair_reminders_send(now=later)

    assert first.sent == 2
    assert second.sent == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [mentor_of(mentorship).email, mentee_of(mentorship).email]
    )
    assert Delivery.objects.filter(kind="pair-welcome").count() == 2


def test_a_row_whose_sent_mark_was_lost_still_sends_nothing_twice(mentorship: Mentorship) -> None:
    later = timezone.now() + dt.timedelta(days=1)
    pair_reminders_send(now=later)
    # As if a crash had lost the "sent" mark but not the Delivery record.
    PairReminder.objects.filter(kind=R.WELCOME).update(state=PairReminder.State.PENDING)

    pair_reminders_send(now=later)

    assert len(mail.outbox) == 2


def test_planning_the_same_reminder_twice_adds_no_row(mentorship: Mentorship) -> None:
    before = PairReminder.objects.count()
    mentorship_reminders_start(mentorship=mentorship)
    mentorship_reminders_plan(mentorship=mentorship)
    assert PairReminder.objects.count() == before


def test_a_transaction_that_rolls_back_enqueues_nothing(
    mentorship: Mentorship, django_capture_on_commit_callbacks
) -> None:
    mentee = mentee_of(mentorship)

    def failing_request() -> None:
        with transaction.atomic():
            checkin_propose(
                mentorship=mentorship,
                by=mentee,
                scheduled_at=timezone.now() + dt.timedelta(days=3),
            )
            raise RuntimeError("the request failed after the write")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        failing_request()
    assert callbacks == []
    assert mail.outbox == []
    assert not CheckIn.objects.exists()
    assert not PairReminder.objects.filter(check_in__isnull=False).exists()


def test_a_failed_send_leaves_the_reminder_for_the_next_sweep(mentorship: Mentorship) -> None:
    later = timezone.now() + dt.timedelta(days=1)
    with mock.patch(
        "pairs.reminders.sweep.notification_send", side_effect=OSError("mail server down")
    ):
        failed = pair_reminders_send(now=later)
    assert failed.sent == 0
    assert not Delivery.objects.exists()
    assert PairReminder.objects.filter(kind=R.WELCOME, state="pending").count() == 2

    retried = pair_reminders_send(now=later)

    assert retried.sent == 2
    assert len(mail.outbox) == 2


@override_settings(PAIR_REMINDER_BATCH=3)
def test_a_sweep_sends_a_bounded_batch_and_says_more_are_due(program: Program) -> None:
    for _n in range(3):
        _pair_in(program, "Europe/London")
    later = timezone.now() + dt.timedelta(days=1)

    first = pair_reminders_send(now=later)
    assert (first.sent, first.more) == (3, True)
    rest = [pair_reminders_send(now=later) for _n in range(2)]

    assert [r.sent for r in rest] == [3, 0]
    assert len(_subjects("You have a match")) == 6


def test_the_task_queues_the_next_batch_until_all_are_sent(program: Program, settings) -> None:
    from pairs.tasks import send_pair_reminders_task

    settings.PAIR_REMINDER_BATCH = 2
    for _n in range(3):
        _pair_in(program, "Europe/London")
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        send_pair_reminders_task.delay()
    assert len(_subjects("You have a match")) == 6


# -- Every email: text, HTML, unsubscribe ------------------------------------------------


def test_reminder_emails_have_text_html_and_one_click_unsubscribe(mentorship: Mentorship) -> None:
    pair_reminders_send(now=timezone.now() + dt.timedelta(days=1))
    message = mail.outbox[0]
    assert message.body.strip()
    parts = [part.get_content_type() for part in message.message().walk()]
    assert "text/plain" in parts
    assert "text/html" in parts
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in message.body


def test_someone_who_turned_a_kind_off_gets_none_of_it(mentorship: Mentorship) -> None:
    notification_preference_set(user=mentee_of(mentorship), kind=Kind.PAIR_NUDGES, enabled=False)

    result = pair_reminders_send(now=timezone.now() + dt.timedelta(days=1))

    assert result.sent == 1
    assert [m.to for m in mail.outbox] == [[mentor_of(mentorship).email]]
    skipped = PairReminder.objects.get(kind=R.WELCOME, recipient=mentee_of(mentorship))
    assert (skipped.state, skipped.skip_reason) == ("skipped", "opted-out")


def test_an_ended_pair_gets_no_more_nudges(mentorship: Mentorship) -> None:
    from pairs.mentorships import mentorship_end

    mentorship_end(mentorship=mentorship, by=mentee_of(mentorship), reason="schedules")
    result = pair_reminders_send(now=timezone.now() + dt.timedelta(days=60))
    assert result.sent == 0
    assert mail.outbox == []


# -- Quiet hours ---------------------------------------------------------------------------


def test_nothing_is_sent_at_night_in_the_recipients_time_zone(program: Program) -> None:
    zone = zoneinfo.ZoneInfo("Asia/Tokyo")
    # 23:30 in Tokyo: the welcome waits for 08:00 there.
    night = dt.datetime(2026, 9, 10, 23, 30, tzinfo=zone)
    with time_machine.travel(night, tick=False):
        mentorship = _pair_in(program, "Asia/Tokyo")
        assert pair_reminders_send().sent == 0
    welcome = PairReminder.objects.filter(kind=R.WELCOME, mentorship=mentorship).first()
    assert welcome is not None
    assert welcome.due_at == dt.datetime(2026, 9, 11, 8, 0, tzinfo=zone)
    with time_machine.travel(dt.datetime(2026, 9, 11, 7, 59, tzinfo=zone), tick=False):
        assert pair_reminders_send().sent == 0
    with time_machine.travel(dt.datetime(2026, 9, 11, 8, 0, tzinfo=zone), tick=False):
        assert pair_reminders_send().sent == 2


def test_a_late_reminder_found_at_night_waits_for_the_morning(mentorship: Mentorship) -> None:
    user = mentee_of(mentorship)  # Europe/London
    row = PairReminder.objects.get(kind=R.WELCOME, recipient=user)
    night = dt.datetime(2026, 12, 1, 23, 0, tzinfo=dt.UTC)
    result = pair_reminders_send(now=night)
    assert result.sent == 0
    assert result.deferred == result.taken
    row.refresh_from_db()
    assert row.state == "pending"
    assert row.due_at == dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)


def test_quiet_adjust_moves_a_reminder_earlier_rather_than_past_the_meeting() -> None:
    zone = "Europe/Berlin"
    tz = zoneinfo.ZoneInfo(zone)
    meeting = dt.datetime(2026, 6, 10, 8, 30, tzinfo=tz)
    # 24 hours before falls at 08:30 the day before: fine as it is.
    assert quiet_adjust(meeting - dt.timedelta(days=1), zone) == meeting - dt.timedelta(days=1)
    # A reminder due at 23:00 for a 08:30 meeting moves to 20:00 the evening before.
    late = dt.datetime(2026, 6, 9, 23, 0, tzinfo=tz)
    latest = meeting - dt.timedelta(hours=1)
    assert quiet_adjust(late, zone, latest=latest) == dt.datetime(2026, 6, 9, 20, 0, tzinfo=tz)


# -- Daylight-saving changes ------------------------------------------------------------

# The day the clocks change in 2026 (after the change, 10:00 exists and is unambiguous).
DST_DAYS = [
    ("Europe/Berlin", dt.date(2026, 3, 29)),  # spring forward
    ("Europe/Berlin", dt.date(2026, 10, 25)),  # fall back
    ("America/New_York", dt.date(2026, 3, 8)),
    ("America/New_York", dt.date(2026, 11, 1)),
    ("Australia/Sydney", dt.date(2026, 4, 5)),  # summer time ends
    ("Australia/Sydney", dt.date(2026, 10, 4)),  # summer time starts
]


@pytest.mark.parametrize(("zone", "day"), DST_DAYS)
def test_the_reminder_before_a_check_in_fires_once_at_the_same_local_time_across_a_clock_change(
    program: Program, zone: str, day: dt.date
) -> None:
    tz = zoneinfo.ZoneInfo(zone)
    meeting = dt.datetime.combine(day, dt.time(10, 0), tzinfo=tz)
    intended = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(10, 0), tzinfo=tz)
    # The clocks changed in between: 24 real hours before is not 10:00 local.
    assert meeting.astimezone(dt.UTC) - intended.astimezone(dt.UTC) != dt.timedelta(hours=24)
    with time_machine.travel(meeting - dt.timedelta(days=6), tick=False):
        mentorship = _pair_in(program, zone)
        proposed = checkin_propose(
            mentorship=mentorship, by=mentee_of(mentorship), scheduled_at=meeting
        )
        checkin_accept(checkin=proposed, by=mentor_of(mentorship))
        pair_reminders_send()

    sent_at: list[dt.datetime] = []
    for moment in (
        intended - dt.timedelta(hours=2),
        intended - dt.timedelta(minutes=1),
        intended,
        intended + dt.timedelta(minutes=1),
        intended + dt.timedelta(hours=3),
    ):
        with time_machine.travel(moment, tick=False):
            before = len(_subjects("Reminder: check-in"))
            pair_reminders_send()
            if len(_subjects("Reminder: check-in")) > before:
                sent_at.append(moment)

    assert sent_at == [intended]
    reminders = [m for m in mail.outbox if m.subject.startswith("Reminder: check-in")]
    assert len(reminders) == 2  # one each, once
    # The email shows the meeting at 10:00 in the person's own time zone.
    assert all("10:00" in m.body for m in reminders)


@pytest.mark.parametrize(("zone", "day"), DST_DAYS)
def test_the_overdue_nudge_goes_out_at_nine_local_even_when_the_clocks_changed(
    program: Program, zone: str, day: dt.date
) -> None:
    tz = zoneinfo.ZoneInfo(zone)
    program.checkin_cadence_days = 10
    program.save(update_fields=["checkin_cadence_days"])
    # Matched at 09:00 local, 15 days (1.5 cadences) before the day of the change.
    started = dt.datetime.combine(day - dt.timedelta(days=15), dt.time(9, 0), tzinfo=tz)
    with time_machine.travel(started, tick=False):
        mentorship = _pair_in(program, zone)
    nudge = PairReminder.objects.filter(mentorship=mentorship, kind=R.OVERDUE).first()
    assert nudge is not None
    local = nudge.due_at.astimezone(tz)
    assert (local.date(), local.hour, local.minute) == (day, 9, 0)


# -- Check-in reminders -------------------------------------------------------------------


def _scheduled(mentorship: Mentorship, when: dt.datetime) -> CheckIn:
    checkin = checkin_propose(mentorship=mentorship, by=mentee_of(mentorship), scheduled_at=when)
    return checkin_accept(checkin=checkin, by=mentor_of(mentorship))


def test_moving_a_check_in_replans_its_reminder_for_the_new_time(mentorship: Mentorship) -> None:
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    checkin = _scheduled(mentorship, start + dt.timedelta(days=5))
    checkin_reschedule(
        checkin=checkin,
        by=mentee_of(mentorship),
        scheduled_at=start + dt.timedelta(days=7),
        duration_minutes=30,
    )
    pending = PairReminder.objects.filter(check_in=checkin, kind=R.BEFORE, state="pending")
    assert {r.due_at for r in pending} == {start + dt.timedelta(days=6)}

    # At the old reminder time nothing goes out; at the new one, one each.
    assert pair_reminders_send(now=start + dt.timedelta(days=4, minutes=1)).sent == 2  # welcomes
    assert _subjects("Reminder: check-in") == []
    pair_reminders_send(now=start + dt.timedelta(days=6, minutes=1))
    assert len(_subjects("Reminder: check-in")) == 2


def test_a_cancelled_check_in_sends_no_reminder(mentorship: Mentorship) -> None:
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    checkin = _scheduled(mentorship, start + dt.timedelta(days=5))
    checkin_cancel(checkin=checkin, by=mentor_of(mentorship))
    pair_reminders_send(now=start + dt.timedelta(days=5, hours=3))
    assert _subjects("Reminder: check-in") == []
    assert _subjects("Did you meet") == []


def test_the_log_request_goes_only_to_whoever_has_not_logged(mentorship: Mentorship) -> None:
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    when = start + dt.timedelta(days=2)
    checkin = _scheduled(mentorship, when)
    checkin_log(
        checkin=checkin,
        by=mentor_of(mentorship),
        outcome="done",
        now=when + dt.timedelta(minutes=50),
    )
    pair_reminders_send(now=when + dt.timedelta(hours=2))
    asked = [m.to[0] for m in mail.outbox if m.subject.startswith("Did you meet")]
    assert asked == [mentee_of(mentorship).email]


def test_the_first_meeting_nudge_is_skipped_once_a_check_in_is_set_up(
    mentorship: Mentorship,
) -> None:
    start = timezone.now()
    _scheduled(mentorship, start + dt.timedelta(days=10))
    pair_reminders_send(now=start + dt.timedelta(days=8))
    assert _subjects("Time for your first meeting") == []
    row = PairReminder.objects.filter(kind=R.FIRST_MEETING).first()
    assert row is not None
    assert row.skip_reason == "met"


def test_a_pair_that_never_meets_is_nudged_then_escalated_to_coordinators(
    program: Program, coordinator, settings
) -> None:
    settings.CHECKIN_ESCALATE_AFTER_CYCLES = 2
    started = timezone.now()
    mentorship = _pair_in(program, "Europe/London", started_at=started)
    cadence = program.checkin_cadence_days

    pair_reminders_send(now=started + dt.timedelta(days=cadence * 1.5 + 1))
    assert len(_subjects("Time to catch up")) == 2
    assert _subjects("A pair in") == []

    pair_reminders_send(now=started + dt.timedelta(days=cadence * 3 + 1))
    escalations = [m for m in mail.outbox if m.subject.startswith("A pair in")]
    assert [m.to for m in escalations] == [[coordinator.email]]
    assert "Max Mentor" in escalations[0].body
    assert mentorship.pk  # the pair is named, nothing they wrote is


def test_logging_a_meeting_moves_the_overdue_nudge(mentorship: Mentorship) -> None:
    cadence = mentorship.program.checkin_cadence_days
    met = timezone.now() + dt.timedelta(days=cadence)
    with time_machine.travel(met + dt.timedelta(hours=1), tick=False):
        checkin_log_past(
            mentorship=mentorship, by=mentee_of(mentorship), held_at=met, outcome="done"
        )
    nudges = PairReminder.objects.filter(mentorship=mentorship, kind=R.OVERDUE, state="pending")
    assert nudges.count() == 2
    assert all(n.due_at >= met + dt.timedelta(days=cadence * 1.5) for n in nudges)
