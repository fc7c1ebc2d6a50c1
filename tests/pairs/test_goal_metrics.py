"""The cadence goal and the pairs that need attention, on hand-made histories.

Each history is a program with a 14-day cadence, pairs matched (published) a given
number of days before NOW and check-ins held a given number of days before NOW, as
defined in docs/dashboards.md ("Goal metrics" and "Pairs that need attention").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from pairs import metrics
from pairs.models import CheckIn, Mentorship
from pairs.workspace import Health, health_annotate, needing_attention, pair_health_counts
from programs.models import Program, ProgramGoal
from reports import dashboards
from tests.factories.programs import mentorship_make, program_create

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC)
CADENCE = 14


@pytest.fixture(autouse=True)
def _eager(eager_celery: None) -> None:
    """Pairs are made through the service, which plans reminders."""


@pytest.fixture(autouse=True)
def clock() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def program(settings) -> Program:
    settings.MIN_GROUP_SIZE = 2
    return program_create(checkin_cadence_days=CADENCE, min_group_size=2)


def _history(program: Program, matched_days_ago: float, *met_days_ago: float) -> Mentorship:
    """A pair matched so many days ago, with a check-in held at each of met_days_ago."""
    pair = mentorship_make(program=program, started_at=NOW - dt.timedelta(days=matched_days_ago))
    for days in met_days_ago:
        at = NOW - dt.timedelta(days=days)
        CheckIn.objects.create(
            mentorship=pair, status=CheckIn.Status.DONE, scheduled_at=at, logged_at=at
        )
    return pair


def _cadence_goal(
    program: Program, target: int = 80, now: dt.datetime = NOW
) -> metrics.GoalProgress:
    ProgramGoal.objects.get_or_create(
        program=program,
        metric=ProgramGoal.Metric.CADENCE_SHARE,
        defaults={"target_value": Decimal(target), "target_on": dt.date(2026, 12, 1)},
    )
    (row,) = metrics.goal_progress_list(program=program, now=now)
    return row


# -- Share of pairs meeting at the expected cadence -------------------------------------


def test_cadence_metric_pairs_published_today_that_never_met_are_not_a_target_met(
    program, clock
) -> None:
    for _ in range(9):
        _history(program, 0)
    assert metrics.cadence_share(program=program, now=NOW) == metrics.Measure(None, 0)
    row = _cadence_goal(program)
    assert not row.enough
    assert not row.met
    assert row.display == ""
    # After their first cycle, still not met: they count, as not meeting.
    later = NOW + dt.timedelta(days=CADENCE + 1)
    clock.move_to(later)
    assert metrics.cadence_share(program=program, now=later) == metrics.Measure(0.0, 9)
    row = _cadence_goal(program, now=later)
    assert row.display == "0%"
    assert not row.met


def test_cadence_metric_on_a_mixed_history(program) -> None:
    _history(program, 60, 40, 3)  # met 3 days ago: meeting
    _history(program, 60, 20)  # last met 20 days ago: not meeting
    _history(program, 60)  # never met in 60 days: not meeting
    _history(program, 5)  # matched 5 days ago, not met yet: in its grace period, left out
    _history(program, 5, 1)  # matched 5 days ago, met yesterday: meeting
    _history(program, 15)  # matched 15 days ago, never met: grace over, not meeting
    ended = _history(program, 60, 2)
    Mentorship.objects.filter(pk=ended.pk).update(state=Mentorship.State.COMPLETED, ended_at=NOW)
    assert metrics.cadence_share(program=program, now=NOW) == metrics.Measure(2 / 5, 5)
    row = _cadence_goal(program, target=50)
    assert row.display == "40%"
    assert row.progress_percent == 80
    assert not row.met


def test_cadence_metric_grace_period_is_one_cadence_from_matching(program) -> None:
    _history(program, CADENCE)  # exactly one cadence ago: still in its grace period
    _history(program, CADENCE + 0.5)  # just past it, never met: not meeting
    _history(program, CADENCE + 0.5, CADENCE)  # met exactly one cadence ago: meeting
    assert metrics.cadence_share(program=program, now=NOW) == metrics.Measure(1 / 2, 2)


# -- Pairs that need attention: the badge and the at-risk list --------------------------


def _health_of(program: Program) -> dict[int, str]:
    rows = health_annotate(
        Mentorship.objects.filter(program=program, state=Mentorship.State.ACTIVE),
        cadence_days=CADENCE,
        now=NOW,
    ).values_list("pk", "health")
    return dict(rows)


def test_health_on_track_pairs_with_warning_signs_are_not_at_risk(program) -> None:
    pair = _history(program, 60, 50, 4)
    CheckIn.objects.filter(mentorship=pair).update(mentor_rating=5, mentee_rating=5)
    CheckIn.objects.filter(mentorship=pair, scheduled_at__gte=NOW - dt.timedelta(days=5)).update(
        mentor_rating=2, mentee_rating=2
    )  # ratings falling
    CheckIn.objects.create(
        mentorship=pair,
        status=CheckIn.Status.MISSED,
        scheduled_at=NOW - dt.timedelta(days=10),
        logged_at=NOW,
    )
    proposal = CheckIn.objects.create(
        mentorship=pair, status=CheckIn.Status.PROPOSED, scheduled_at=NOW + dt.timedelta(days=2)
    )
    CheckIn.objects.filter(pk=proposal.pk).update(created_at=NOW - dt.timedelta(days=3))
    assert _health_of(program)[pair.pk] == Health.ON_TRACK
    rows, total = dashboards.at_risk_list(program=program, now=NOW)
    assert (rows, total) == ([], 0)


def test_health_a_pair_just_due_is_at_risk_even_with_a_zero_score(program) -> None:
    pair = _history(program, 60, CADENCE + 0.1)  # due, and its score rounds to 0
    rows, total = dashboards.at_risk_list(program=program, now=NOW)
    assert total == 1
    assert [(row.mentorship.pk, row.health, row.score) for row in rows] == [
        (pair.pk, Health.DUE, 0)
    ]


def test_health_the_at_risk_list_and_the_badges_share_one_definition(program) -> None:
    _history(program, 60, 3)  # on track
    _history(program, 5)  # on track: first cycle
    _history(program, 60, 18)  # due
    _history(program, 60, 30)  # overdue
    _history(program, 90)  # inactive
    on_track_with_missed = _history(program, 60, 2)
    CheckIn.objects.create(
        mentorship=on_track_with_missed,
        status=CheckIn.Status.MISSED,
        scheduled_at=NOW - dt.timedelta(days=8),
        logged_at=NOW,
    )
    health = _health_of(program)
    attention = {pk for pk, state in health.items() if state != Health.ON_TRACK}
    selected = needing_attention(
        health_annotate(
            Mentorship.objects.filter(program=program, state=Mentorship.State.ACTIVE),
            cadence_days=CADENCE,
            now=NOW,
        )
    )
    assert set(selected.values_list("pk", flat=True)) == attention
    rows, total = dashboards.at_risk_list(program=program, now=NOW)
    assert {row.mentorship.pk for row in rows} == attention
    assert all(row.health == health[row.mentorship.pk] for row in rows)
    counts = pair_health_counts(program=program, now=NOW)
    assert total == sum(counts[state] for state in Health.NEEDS_ATTENTION) == 3
