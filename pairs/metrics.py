"""The program goals' metrics, computed in the database.

One function per metric, each a fixed number of queries whatever the program's size,
and :func:`goal_progress_list` that measures every goal of a program against its
target. A value is reported only when at least the minimum group size (the program's,
never below the site's MIN_GROUP_SIZE) of pairs or people stand behind it; below that
the goal says "not enough data yet". Goals are exported and emailed, so a program
cannot lower the site's floor: a mean rating of one pair is that pair's rating.

- cadence share: active pairs that met (a check-in logged as held) within the last
  cadence, over the active pairs past their grace period; a pair that has not met yet
  is left out during its first cadence after being matched and counts as not meeting
  after it (pairs.workspace.Health: on track having met, over all but the on-track
  pairs that never met);
- average satisfaction: mean of the 1-5 ratings given when check-ins were logged
  (only the mean leaves the pair, never a rating);
- completion rate: completed pairs / (completed + ended early);
- participant retention: share of the program's participants found in HR's outcome
  file who are still employed (or left after the program ended);
- mentee promotion rate: share of the program's mentees in HR's file promoted since
  they joined the program.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from mentoring.models import EmployeeRecord, Promotion
from pairs.models import CheckIn, Mentorship
from pairs.workspace import Health, health_annotate
from programs.models import Participant, Program, ProgramGoal

Metric = ProgramGoal.Metric


@dataclass(frozen=True)
class Measure:
    """A metric's value and how many pairs or people it stands on."""

    value: float | None  # a share 0..1, or a 1-5 score for satisfaction
    n: int


@dataclass(frozen=True)
class GoalProgress:
    goal: ProgramGoal
    measure: Measure
    enough: bool
    display: str  # the value as shown ("72%", "4.1"), empty when not enough data
    progress_percent: int | None  # of the target, capped at 100
    met: bool

    @property
    def value(self) -> float | None:
        return self.measure.value if self.enough else None


def cadence_share(*, program: Program, now: dt.datetime | None = None) -> Measure:
    """Share of the active pairs past their grace period that met within the last
    cadence. One query."""
    rows = health_annotate(
        Mentorship.objects.filter(program=program, state=Mentorship.State.ACTIVE),
        cadence_days=program.checkin_cadence_days,
        now=now,
    ).values("pk", "health", "met_count")
    meeting = total = 0
    for row in rows:
        if row["health"] == Health.ON_TRACK and not row["met_count"]:
            continue  # matched less than a cadence ago and not met yet: in its grace period
        total += 1
        meeting += row["health"] == Health.ON_TRACK
    return Measure(meeting / total if total else None, total)


def avg_satisfaction(*, program: Program) -> Measure:
    row = CheckIn.objects.filter(mentorship__program=program, status=CheckIn.Status.DONE).aggregate(
        mentor_sum=Sum("mentor_rating"),
        mentor_n=Count("mentor_rating"),
        mentee_sum=Sum("mentee_rating"),
        mentee_n=Count("mentee_rating"),
        pairs=Count(
            "mentorship",
            distinct=True,
            filter=Q(mentor_rating__isnull=False) | Q(mentee_rating__isnull=False),
        ),
    )
    n = (row["mentor_n"] or 0) + (row["mentee_n"] or 0)
    total = (row["mentor_sum"] or 0) + (row["mentee_sum"] or 0)
    # The people behind it: two per pair that rated at least once.
    return Measure(total / n if n else None, 2 * (row["pairs"] or 0))


def completion_rate(*, program: Program) -> Measure:
    row = Mentorship.objects.filter(program=program).aggregate(
        completed=Count("pk", filter=Q(state=Mentorship.State.COMPLETED)),
        ended=Count("pk", filter=Q(state=Mentorship.State.ENDED)),
    )
    closed = row["completed"] + row["ended"]
    return Measure(row["completed"] / closed if closed else None, closed)


def _records(program: Program, role: str | None = None) -> Exists:
    people = Participant.objects.annotate(key=Lower("email")).filter(
        program=program, key=OuterRef("key"), joined_at__isnull=False
    )
    if role:
        people = people.filter(role=role)
    return Exists(people)


def retention_rate(*, program: Program, today: dt.date | None = None) -> Measure:
    today = today or timezone.localdate()
    # Leaving after the program ended does not count against it.
    horizon = min(today, program.ends_on) if program.ends_on else today
    row = (
        EmployeeRecord.objects.annotate(key=Lower("email"))
        .filter(_records(program))
        .aggregate(
            n=Count("pk"),
            stayed=Count("pk", filter=Q(left_on__isnull=True) | Q(left_on__gt=horizon)),
        )
    )
    return Measure(row["stayed"] / row["n"] if row["n"] else None, row["n"])


def promotion_rate(*, program: Program) -> Measure:
    since = program.starts_on or dt.date(1970, 1, 1)
    row = (
        EmployeeRecord.objects.annotate(key=Lower("email"))
        .filter(_records(program, Participant.Role.MENTEE))
        .annotate(
            was_promoted=Exists(
                Promotion.objects.filter(employee=OuterRef("pk"), promoted_on__gte=since)
            )
        )
        .aggregate(n=Count("pk"), promoted=Count("pk", filter=Q(was_promoted=True)))
    )
    return Measure(row["promoted"] / row["n"] if row["n"] else None, row["n"])


def metric_measure(*, program: Program, metric: str, now: dt.datetime | None = None) -> Measure:
    now = now or timezone.now()
    if metric == Metric.CADENCE_SHARE:
        return cadence_share(program=program, now=now)
    if metric == Metric.AVG_SATISFACTION:
        return avg_satisfaction(program=program)
    if metric == Metric.COMPLETION_RATE:
        return completion_rate(program=program)
    if metric == Metric.RETENTION_RATE:
        return retention_rate(program=program, today=timezone.localdate(now))
    if metric == Metric.PROMOTION_RATE:
        return promotion_rate(program=program)
    raise ValueError(f"unknown metric: {metric}")


def format_value(metric: str, value: float) -> str:
    if metric in ProgramGoal.PERCENT_METRICS:
        return f"{round(100 * value)}%"
    return f"{value:.1f}"


def goal_progress(goal: ProgramGoal, measure: Measure, *, minimum: int) -> GoalProgress:
    enough = measure.value is not None and measure.n >= minimum
    if not enough or measure.value is None:
        return GoalProgress(goal, measure, False, "", None, False)
    # Percent targets are stored as 0-100, satisfaction as the 1-5 score itself.
    value = Decimal(str(measure.value)) * (100 if goal.is_percent else 1)
    target = goal.target_value
    progress = 100 if target <= 0 else int(min(Decimal(100), 100 * value / target))
    return GoalProgress(
        goal, measure, True, format_value(goal.metric, measure.value), progress, value >= target
    )


def goal_progress_list(*, program: Program, now: dt.datetime | None = None) -> list[GoalProgress]:
    """Every goal of the program with its measured value: one query per goal's metric."""
    goals = list(program.goals.all())
    return [
        goal_progress(
            goal,
            metric_measure(program=program, metric=goal.metric, now=now),
            minimum=max(int(settings.MIN_GROUP_SIZE), program.min_group_size),
        )
        for goal in goals
    ]
