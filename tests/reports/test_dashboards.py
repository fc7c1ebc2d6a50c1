"""The coordinator's program dashboard: access, numbers, goals, the at-risk list and nudges."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from mentoring.models import EmployeeRecord, NotificationPreference, Promotion
from mentoring.notifications import Kind
from pairs import metrics
from pairs.models import CheckIn, Mentorship
from programs.models import Participant, Program, ProgramGoal
from reports import dashboards
from reports.models import ProgramSnapshot
from tests.factories.programs import mentee_of, mentorship_make, participant_create, program_create

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 9, 14, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _eager(eager_celery: None) -> None:
    """Tasks run in-process here, also when the suite runs against Redis."""


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def program(coordinator) -> Program:
    return program_create(name="Leadership 2026", coordinators=[coordinator], min_group_size=2)


def _met(pair: Mentorship, days_ago: float, *, rating: int | None = None) -> CheckIn:
    at = NOW - dt.timedelta(days=days_ago)
    return CheckIn.objects.create(
        mentorship=pair,
        status=CheckIn.Status.DONE,
        scheduled_at=at,
        logged_at=at,
        mentee_rating=rating,
        mentor_rating=rating,
    )


def _pair(program: Program, days_ago: int = 60) -> Mentorship:
    return mentorship_make(program=program, started_at=NOW - dt.timedelta(days=days_ago))


def _url(program: Program, name: str = "program_dashboard") -> str:
    return reverse(name, args=[program.pk])


# -- Access -----------------------------------------------------------------------------


def test_only_the_programs_coordinators_open_the_dashboard_report_and_csv(
    client, program, coordinator, hr, staff, outsider, other_coordinator
) -> None:
    pair = _pair(program)
    cases = (
        (coordinator, 200),
        (hr, 403),
        (staff, 403),
        (mentee_of(pair), 403),
        (outsider, 404),
        (other_coordinator, 404),
    )
    for user, status in cases:
        client.force_login(user)
        assert client.get(_url(program)).status_code == status, user
        assert client.get(_url(program, "program_report")).status_code == status, user
        assert client.get(_url(program) + "?export=funnel").status_code == status, user
        nudge = reverse("pair_nudge", args=[program.pk, pair.pk])
        assert client.post(nudge).status_code in ((302,) if status == 200 else (status,))
    # Only the coordinator's click sent anything: one email to each of the pair.
    assert len(mail.outbox) == 2


def test_an_unknown_export_is_not_found(client, program, coordinator) -> None:
    client.force_login(coordinator)
    assert client.get(_url(program) + "?export=secrets").status_code == 404


# -- Numbers -------------------------------------------------------------------------------


def test_funnel_counts_each_step(program) -> None:
    thriving = _pair(program)
    _met(thriving, 3)
    met_long_ago = _pair(program, days_ago=200)
    _met(met_long_ago, 150)
    _pair(program)  # matched, never met
    waiting = participant_create(program=program, role=Participant.Role.MENTEE)
    Participant.objects.filter(pk=waiting.pk).update(profile_completed_at=NOW)
    funnel = dashboards.funnel_counts(program=program, now=NOW)
    assert funnel == {
        "invited": 7,
        "profile_complete": 1,
        "matched": 6,
        "first_checkin": 4,
        "active": 2,
    }


def test_checkins_per_week_cover_twelve_weeks_and_count_only_held_ones(program) -> None:
    pair = _pair(program, days_ago=120)
    _met(pair, 1)
    _met(pair, 2)
    _met(pair, 15)
    _met(pair, 200)  # before the window
    CheckIn.objects.create(
        mentorship=pair,
        status=CheckIn.Status.MISSED,
        scheduled_at=NOW - dt.timedelta(days=1),
        logged_at=NOW,
    )
    weeks = dashboards.checkins_weekly(program=program, now=NOW)
    assert len(weeks) == 12
    assert weeks[-1]["week_on"] == "2026-09-14"  # a Monday
    # NOW is Monday 10:00: one and two days ago fall in the previous week.
    assert weeks[-2]["held"] == 2
    assert weeks[-4]["held"] == 1  # Sunday 30 August: the week of 24 August
    assert sum(w["held"] for w in weeks) == 3


def test_goals_are_computed_once_enough_people_stand_behind_them(program, settings) -> None:
    settings.MIN_GROUP_SIZE = 2  # the site's floor; the program asks for 2 as well
    ProgramGoal.objects.create(
        program=program,
        metric=ProgramGoal.Metric.CADENCE_SHARE,
        target_value=Decimal(50),
        target_on=dt.date(2026, 12, 1),
    )
    ProgramGoal.objects.create(
        program=program,
        metric=ProgramGoal.Metric.AVG_SATISFACTION,
        target_value=Decimal(4),
        target_on=dt.date(2026, 12, 1),
    )
    ProgramGoal.objects.create(
        program=program,
        metric=ProgramGoal.Metric.PROMOTION_RATE,
        target_value=Decimal(10),
        target_on=dt.date(2026, 12, 1),
    )
    on_track = _pair(program)
    _met(on_track, 2, rating=5)
    late = _pair(program)
    _met(late, 40, rating=3)
    _pair(program)
    _pair(program)
    # Two of the mentees are in HR's file; one was promoted.
    for i, pair in enumerate((on_track, late)):
        Participant.objects.filter(pk=pair.mentee_id).update(joined_at=NOW)
        record = EmployeeRecord.objects.create(email=pair.mentee.email.upper(), department="Ops")
        if i == 0:
            Promotion.objects.create(employee=record, promoted_on=dt.date(2026, 9, 1))
    rows = {row.goal.metric: row for row in metrics.goal_progress_list(program=program, now=NOW)}
    cadence = rows[ProgramGoal.Metric.CADENCE_SHARE]
    assert cadence.enough
    assert cadence.display == "25%"
    assert cadence.progress_percent == 50
    satisfaction = rows[ProgramGoal.Metric.AVG_SATISFACTION]
    assert satisfaction.display == "4.0"
    assert satisfaction.met
    promotion = rows[ProgramGoal.Metric.PROMOTION_RATE]
    assert promotion.measure.n == 2
    assert promotion.display == "50%"
    assert promotion.met

    Program.objects.filter(pk=program.pk).update(min_group_size=5)
    program.refresh_from_db()
    rows = {row.goal.metric: row for row in metrics.goal_progress_list(program=program, now=NOW)}
    assert not rows[ProgramGoal.Metric.PROMOTION_RATE].enough
    assert rows[ProgramGoal.Metric.PROMOTION_RATE].display == ""

    # A program cannot go below the site's floor: with it at 5, a program asking for 2
    # still hides the two mentees' promotion rate (and the two pairs' mean rating).
    settings.MIN_GROUP_SIZE = 5
    Program.objects.filter(pk=program.pk).update(min_group_size=2)
    program.refresh_from_db()
    rows = {row.goal.metric: row for row in metrics.goal_progress_list(program=program, now=NOW)}
    assert not rows[ProgramGoal.Metric.PROMOTION_RATE].enough
    assert not rows[ProgramGoal.Metric.AVG_SATISFACTION].enough
    assert not rows[ProgramGoal.Metric.CADENCE_SHARE].enough  # four pairs, five needed


def test_the_goal_list_shows_the_computed_value(client, program, coordinator, settings) -> None:
    settings.MIN_GROUP_SIZE = 2
    ProgramGoal.objects.create(
        program=program,
        metric=ProgramGoal.Metric.COMPLETION_RATE,
        target_value=Decimal(80),
        target_on=dt.date(2026, 12, 1),
    )
    for state in (Mentorship.State.COMPLETED, Mentorship.State.COMPLETED, Mentorship.State.ENDED):
        pair = _pair(program)
        Mentorship.objects.filter(pk=pair.pk).update(state=state, ended_at=NOW)
    client.force_login(coordinator)
    page = client.get(reverse("programs:goal_list", args=[program.pk])).content.decode()
    assert "67%: 83% of target" in page
    overview = client.get(reverse("programs:program_overview", args=[program.pk]))
    assert "67%: 83% of target" in overview.content.decode()


# -- At risk and nudges -----------------------------------------------------------------


def test_the_at_risk_list_scores_its_components(program) -> None:
    fine = _pair(program)
    _met(fine, 2, rating=4)
    fading = _pair(program, days_ago=100)
    _met(fading, 50, rating=5)
    _met(fading, 45, rating=2)  # falling
    CheckIn.objects.create(
        mentorship=fading,
        status=CheckIn.Status.MISSED,
        scheduled_at=NOW - dt.timedelta(days=10),
        logged_at=NOW,
    )
    waiting = _pair(program)
    _met(waiting, 14.2)  # just due: a pair on track is never at risk
    proposal = CheckIn.objects.create(
        mentorship=waiting, status=CheckIn.Status.PROPOSED, scheduled_at=NOW + dt.timedelta(days=2)
    )
    CheckIn.objects.filter(pk=proposal.pk).update(created_at=NOW - dt.timedelta(days=3))
    rows, total = dashboards.at_risk_list(program=program, now=NOW)
    assert total == 2
    assert [row.mentorship.pk for row in rows] == [fading.pk, waiting.pk]
    top = rows[0]
    assert top.days_since == 45
    assert top.missed == 1
    assert top.ratings_falling
    # 45 days at a 14-day cadence: (45/14 - 1) * 20 = 44; +15 missed, +15 falling.
    assert top.score == 44 + 15 + 15
    assert rows[1].unanswered == 1
    assert rows[1].score == 10


def test_a_nudge_goes_to_both_once_a_day_with_no_private_words(
    client, program, coordinator
) -> None:
    pair = _pair(program)
    CheckIn.objects.create(
        mentorship=pair,
        status=CheckIn.Status.DONE,
        scheduled_at=NOW - dt.timedelta(days=30),
        logged_at=NOW,
        notes="CANARY-private",
    )
    client.force_login(coordinator)
    url = reverse("pair_nudge", args=[program.pk, pair.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted([pair.mentor.email, pair.mentee.email])
    assert all("CANARY" not in m.body for m in mail.outbox)
    assert all(m.extra_headers.get("List-Unsubscribe") for m in mail.outbox)


def test_the_dashboard_query_count_does_not_grow_with_pairs(
    client, program, coordinator, django_assert_max_num_queries
) -> None:
    client.force_login(coordinator)
    ProgramGoal.objects.create(
        program=program,
        metric=ProgramGoal.Metric.AVG_SATISFACTION,
        target_value=Decimal(4),
        target_on=dt.date(2026, 12, 1),
    )
    for days in (3, 30):
        _met(_pair(program), days, rating=4)
    with django_assert_max_num_queries(40) as few:
        assert client.get(_url(program)).status_code == 200
    for n in range(20):
        pair = _pair(program, days_ago=90)
        _met(pair, n + 15, rating=1 + n % 5)  # past one cadence: at risk
        _met(pair, n * 3 + 40, rating=5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_url(program))
    assert response.status_code == 200
    assert response.content.decode().count('action="/programs/') >= 20


# -- Snapshots and CSV ----------------------------------------------------------------------


def test_refresh_stores_a_snapshot_that_the_dashboard_then_reads(
    client, program, coordinator, django_capture_on_commit_callbacks
) -> None:
    _met(_pair(program), 3)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(program, "program_dashboard_refresh"))
    snapshot = ProgramSnapshot.objects.get(program=program)
    assert snapshot.data["funnel"]["first_checkin"] == 2
    # A later meeting is not seen while the snapshot is fresh...
    _met(_pair(program), 1)
    assert dashboards.dashboard_get(program=program).data["funnel"]["first_checkin"] == 2
    # ... and is once it is stale.
    later = NOW + dashboards.SNAPSHOT_FRESH + dt.timedelta(minutes=1)
    board = dashboards.dashboard_get(program=program, now=later)
    assert not board.from_snapshot
    assert board.data["funnel"]["first_checkin"] == 4


def test_every_table_exports_as_csv(client, program, coordinator) -> None:
    _met(_pair(program, days_ago=90), 40)
    client.force_login(coordinator)
    for table in ("funnel", "health", "checkins", "surveys", "goals", "at_risk"):
        response = client.get(_url(program) + f"?export={table}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0], table
    at_risk = client.get(_url(program) + "?export=at_risk").content.decode()
    assert "overdue" in at_risk or "inactive" in at_risk


# -- Progress emails ------------------------------------------------------------------------


def test_the_weekly_email_goes_to_each_coordinator_once_a_week(
    program, coordinator, other_coordinator
) -> None:
    from reports import emails as report_emails

    program.coordinators.add(other_coordinator)
    Program.objects.filter(pk=program.pk).update(state=Program.State.RUNNING)
    _met(_pair(program), 3)
    NotificationPreference.objects.create(
        user=other_coordinator, kind=Kind.PROGRESS_REPORTS, enabled=False
    )
    assert report_emails.progress_weekly_send(now=NOW) == 1
    assert report_emails.progress_weekly_send(now=NOW + dt.timedelta(days=2)) == 0
    message = mail.outbox[0]
    assert message.to == [coordinator.email]
    assert "Leadership 2026" in message.subject
    assert "First check-in held: 2" in message.body
    assert f"/programs/{program.pk}/dashboard/" in message.body
    assert isinstance(message, EmailMultiAlternatives)
    assert message.alternatives[0][1] == "text/html"
    # The next week brings the next email.
    assert report_emails.progress_weekly_send(now=NOW + dt.timedelta(days=7)) == 1


def test_hrs_monthly_summary_hides_small_groups_and_goes_out_once(program, hr) -> None:
    from reports import emails as report_emails

    Program.objects.filter(pk=program.pk).update(state=Program.State.RUNNING, min_group_size=5)
    pair = _pair(program, days_ago=40)
    _met(pair, 20)  # one pair met last month: too few to show
    assert report_emails.hr_monthly_send(now=NOW) == 1
    assert report_emails.hr_monthly_send(now=NOW) == 0
    body = mail.outbox[0].body
    assert "August 2026" in mail.outbox[0].subject
    assert "Check-ins held: \u2013" in body
    assert "Active pairs: \u2013" in body


# -- HR dashboard additions -------------------------------------------------------------------


def test_hr_sees_consented_diversity_and_engagement_suppressed(client, hr) -> None:
    from programs.models import Profile
    from reports import insights

    program = program_create(name="Wide", min_group_size=2)
    for i in range(7):
        person = participant_create(program=program, role=Participant.Role.MENTEE)
        Participant.objects.filter(pk=person.pk).update(joined_at=NOW)
        assert person.user is not None
        consented = i < 6
        Profile.objects.update_or_create(
            user=person.user,
            defaults={
                "gender": ("Woman" if i < 5 else "Non-binary") if consented else "",
                "demographics_consent_at": NOW if consented else None,
            },
        )
    filters = insights.Filters(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    result = insights.diversity(filters)
    # 5 women shown; the single non-binary person is hidden and so is the complement
    # needed to hide them; the person without consent is not counted at all.
    assert dict(result.gender) == {"Woman": None, "Non-binary": None}
    assert result.consented == 6
    client.force_login(hr)
    page = client.get(reverse("insights_dashboard")).content.decode()
    assert "Participants by gender" in page
    assert "Check-ins held per month" not in page  # no check-ins yet


def test_a_lost_monday_run_is_caught_up_later_in_the_week_once(
    program, coordinator, django_assert_max_num_queries
) -> None:
    from reports import emails as report_emails

    Program.objects.filter(pk=program.pk).update(state=Program.State.RUNNING)
    monday_early = NOW.replace(hour=6)  # before REPORT_EMAIL_HOUR (8): not due yet
    assert report_emails.progress_weekly_send(now=monday_early) == 0
    assert report_emails.hr_monthly_send(now=NOW.replace(day=1, hour=6)) == 0
    # Monday's 8 o'clock run was lost; Tuesday's first hourly run sends it.
    tuesday = NOW + dt.timedelta(days=1)
    assert report_emails.progress_weekly_send(now=tuesday) == 1
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    # Every later run of the week finds it sent, computing nothing.
    with django_assert_max_num_queries(4):
        assert report_emails.progress_weekly_send(now=tuesday + dt.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1


def test_the_report_sweeps_run_every_hour(settings) -> None:
    from celery.schedules import crontab

    for name in ("send-progress-weekly", "send-hr-monthly"):
        schedule = settings.CELERY_BEAT_SCHEDULE[name]["schedule"]
        assert isinstance(schedule, crontab)
        assert schedule.hour == set(range(24))  # type: ignore[attr-defined]
        assert schedule.day_of_week == set(range(7))  # type: ignore[attr-defined]
