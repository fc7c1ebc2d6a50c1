"""Schedules: who is invited when, each email once, at most two reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from pairs.models import CheckIn, Mentorship
from programs.models import Participant
from surveys import questions as survey_questions
from surveys import services, sweeps
from surveys.models import Invitation, Survey
from tests.factories.surveys import answers_for, survey_build, survey_open

pytestmark = pytest.mark.django_db


def test_publishing_invites_everyone_once_even_if_the_sweep_runs_twice(
    program, coordinator, crowd, eager_celery
) -> None:
    survey = survey_open(program, coordinator)
    assert Invitation.objects.filter(survey=survey).count() == 13
    assert len(mail.outbox) == 13
    assert sweeps.surveys_sweep() == {"closed": 0, "created": 0, "sent": 0, "reminded": 0}
    assert len(mail.outbox) == 13
    message = mail.outbox[0]
    assert survey.title in message.subject
    assert "/surveys/answer/" in message.body


def test_the_audience_decides_who_is_invited(program, coordinator, crowd) -> None:
    survey = survey_open(program, coordinator, audience="mentees")
    roles = set(Invitation.objects.filter(survey=survey).values_list("role", flat=True))
    assert roles == {Participant.Role.MENTEE}


def test_at_most_two_reminders_go_to_people_who_have_not_answered(
    program, coordinator, crowd, time_machine
) -> None:
    # Daytime in UTC, the crowd's zone: reminders wait out the night.
    time_machine.move_to(timezone.now().replace(hour=11, minute=0))
    survey = survey_open(program, coordinator)
    answered = Invitation.objects.get(survey=survey, participant=crowd["mentor"][0])
    services.response_submit(invitation=answered, answers=answers_for(survey, "mentor"))
    mail.outbox.clear()
    for _day in range(12):
        time_machine.shift(dt.timedelta(days=1))
        sweeps.surveys_sweep()
    reminded = [m for m in mail.outbox if m.subject.startswith("Reminder")]
    assert len(reminded) == 12 * 2
    assert answered.participant.email not in {m.to[0] for m in reminded}
    assert Invitation.objects.filter(survey=survey, reminders_sent=2).count() == 12


def test_no_reminders_when_the_survey_says_none(program, coordinator, crowd, time_machine) -> None:
    time_machine.move_to(timezone.now())
    survey = survey_build(program, coordinator)
    survey.reminder_count = 0
    survey.save()
    services.survey_publish(survey=survey, by=coordinator)
    sweeps.surveys_sweep()
    mail.outbox.clear()
    time_machine.shift(dt.timedelta(days=10))
    sweeps.surveys_sweep()
    assert mail.outbox == []


def test_a_survey_past_its_closing_date_closes_and_stops_reminding(
    program, coordinator, crowd, time_machine
) -> None:
    time_machine.move_to(timezone.now())
    survey = survey_open(program, coordinator)
    mail.outbox.clear()
    assert survey.closes_at is not None
    time_machine.move_to(survey.closes_at + dt.timedelta(hours=1))
    result = sweeps.surveys_sweep()
    assert result["closed"] == 1
    survey.refresh_from_db()
    assert survey.state == Survey.State.CLOSED
    assert mail.outbox == []


def test_program_start_schedule_waits_for_its_day(
    program, coordinator, crowd, time_machine
) -> None:
    survey = survey_build(program, coordinator)
    survey.trigger = Survey.Trigger.PROGRAM_START
    survey.offset_days = 30
    survey.closes_at = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    survey.save()
    time_machine.move_to(dt.datetime(2026, 9, 20, 12, tzinfo=dt.UTC))
    services.survey_publish(survey=survey, by=coordinator)
    assert sweeps.surveys_sweep()["created"] == 0
    time_machine.move_to(dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC))
    assert sweeps.surveys_sweep()["created"] == 13


def _pair(program, crowd, **fields) -> Mentorship:
    return Mentorship.objects.create(
        program=program, mentor=crowd["mentor"][0], mentee=crowd["mentee"][0], **fields
    )


def test_match_schedule_invites_both_people_of_a_pair_after_n_days(
    program, coordinator, crowd, time_machine
) -> None:
    time_machine.move_to(timezone.now())
    pair = _pair(program, crowd, started_at=timezone.now())
    survey = survey_build(program, coordinator, starter="match_30_days")
    survey.trigger = Survey.Trigger.MATCH_STARTED
    survey.closes_at = timezone.now() + dt.timedelta(days=60)
    survey.save()
    services.survey_publish(survey=survey, by=coordinator)
    assert sweeps.surveys_sweep()["created"] == 0
    time_machine.shift(dt.timedelta(days=30, minutes=1))
    assert sweeps.surveys_sweep()["created"] == 2
    assert set(Invitation.objects.values_list("mentorship_id", "occasion")) == {
        (pair.pk, f"m{pair.pk}")
    }
    assert sweeps.surveys_sweep()["created"] == 0


def test_closing_schedule_invites_when_a_mentorship_ends(program, coordinator, crowd) -> None:
    survey = survey_build(program, coordinator)
    survey.trigger = Survey.Trigger.MENTORSHIP_CLOSED
    survey.save()
    services.survey_publish(survey=survey, by=coordinator)
    pair = _pair(program, crowd, started_at=timezone.now() - dt.timedelta(days=40))
    assert sweeps.surveys_sweep()["created"] == 0
    Mentorship.objects.filter(pk=pair.pk).update(
        state=Mentorship.State.ENDED, ended_at=timezone.now()
    )
    assert sweeps.surveys_sweep()["created"] == 2
    assert Invitation.objects.filter(occasion=f"m{pair.pk}:end").count() == 2


def test_every_kth_checkin_invites_the_pair_once_per_round(program, coordinator, crowd) -> None:
    survey = survey_build(program, coordinator, starter="checkin_pulse")
    survey.trigger = Survey.Trigger.EVERY_KTH_CHECKIN
    survey.checkin_every = 2
    survey.save()
    services.survey_publish(survey=survey, by=coordinator)
    pair = _pair(program, crowd, started_at=timezone.now())

    def held(count: int) -> None:
        for _n in range(count):
            CheckIn.objects.create(
                mentorship=pair,
                status=CheckIn.Status.DONE,
                scheduled_at=timezone.now() - dt.timedelta(days=1),
                logged_at=timezone.now(),
            )

    held(1)
    assert sweeps.surveys_sweep()["created"] == 0  # one meeting: not yet
    CheckIn.objects.create(
        mentorship=pair,
        status=CheckIn.Status.MISSED,
        scheduled_at=timezone.now(),
        logged_at=timezone.now(),
    )
    assert sweeps.surveys_sweep()["created"] == 0  # a missed one does not count
    held(1)
    assert sweeps.surveys_sweep()["created"] == 2  # the second: both people asked
    assert sweeps.surveys_sweep()["created"] == 0  # once per round
    held(2)
    assert sweeps.surveys_sweep()["created"] == 2  # the fourth: the next round
    assert Invitation.objects.filter(occasion=f"m{pair.pk}:c4").count() == 2


def test_publishing_needs_questions_and_a_future_closing_date(program, coordinator) -> None:
    survey = services.survey_create(program=program, by=coordinator, title="Blank")
    with pytest.raises(services.SurveyError, match="at least one question"):
        services.survey_publish(survey=survey, by=coordinator)
    survey_questions.question_create(
        survey=survey, by=coordinator, text="How is it?", kind="rating"
    )
    with pytest.raises(services.SurveyError, match="closing date"):
        services.survey_publish(survey=survey, by=coordinator)
    survey.refresh_from_db()
    assert survey.state == Survey.State.DRAFT


def test_questions_are_locked_once_published(program, coordinator, crowd) -> None:
    survey = survey_open(program, coordinator)
    with pytest.raises(services.SurveyError):
        survey_questions.question_create(survey=survey, by=coordinator, text="Late", kind="text")


def test_a_worker_killed_mid_sweep_repeats_no_invitation_it_had_sent(
    program, coordinator, crowd, settings
) -> None:
    from collections import Counter

    from tests.programs.refusing_mail import WorkerKilled

    survey = survey_build(program, coordinator)
    services.survey_publish(survey=survey, by=coordinator)  # its task lost: nothing sent
    settings.MAILERS = {"default": {"BACKEND": "tests.programs.refusing_mail.EmailBackend"}}
    settings.KILL_AFTER_SENDS = 4
    with pytest.raises(WorkerKilled):
        sweeps.surveys_sweep()
    assert len(mail.outbox) == 4

    settings.KILL_AFTER_SENDS = None
    sweeps.surveys_sweep()

    # Each person once: the four sent before the kill were recorded as they went.
    recipients = Counter(m.to[0] for m in mail.outbox)
    assert len(recipients) == 13
    assert set(recipients.values()) == {1}
