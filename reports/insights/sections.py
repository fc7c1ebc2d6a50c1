"""Participation, engagement, satisfaction and diversity, each as one suppressed table."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Exists,
    OuterRef,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import EventRsvp
from mentoring.suppression import suppress_breakdown
from pairs.models import Mentorship
from programs.models import Participant, Program
from reports import activity
from reports.dashboards import SNAPSHOT_FRESH
from reports.insights.counts import (
    Counts,
    Filters,
    consenting_rows,
    min_group_size,
    pair_rows,
    people_rows,
    program_count,
)
from reports.insights.tables import department_row
from reports.models import ProgramSnapshot

# -- participation -------------------------------------------------------------------


@dataclass(frozen=True)
class Participation:
    minimum: int
    programs: int
    roles: list[tuple[str, int | None]]
    statuses: list[tuple[str, int | None]]
    mentorships_active: int | None
    mentorships_ended_early: int | None
    mentorships_completed: int | None


ROLE_KEYS = tuple(Participant.Role.values)
STATUS_KEYS = tuple(Participant.Status.values)
PAIR_KEYS = (Mentorship.State.ACTIVE, Mentorship.State.ENDED, Mentorship.State.COMPLETED)


def participation(filters: Filters, counts: Counts | None = None) -> Participation:
    """Participants by role and by status, pairs by state (a pair counts in its
    mentee's department): three department tables, from the snapshot or three queries."""
    minimum = min_group_size(filters)
    roles: dict[str, list[int]] = defaultdict(lambda: [0] * len(ROLE_KEYS))
    statuses: dict[str, list[int]] = defaultdict(lambda: [0] * len(STATUS_KEYS))
    for department, role, status, n in counts.people if counts else people_rows(filters):
        roles[department][ROLE_KEYS.index(role)] += n
        statuses[department][STATUS_KEYS.index(status)] += n
    states: dict[str, list[int]] = defaultdict(lambda: [0] * len(PAIR_KEYS))
    for department, state, n in counts.pairs if counts else pair_rows(filters):
        states[department][PAIR_KEYS.index(state)] += n
    role_row = department_row(roles, len(ROLE_KEYS), filters.department, minimum)
    status_row = department_row(statuses, len(STATUS_KEYS), filters.department, minimum)
    pair_row = department_row(states, len(PAIR_KEYS), filters.department, minimum)
    role_labels = dict(Participant.Role.choices)
    status_labels = dict(Participant.Status.choices)
    return Participation(
        minimum=minimum,
        programs=counts.programs if counts else program_count(filters),
        roles=[(str(role_labels[k]), role_row.cells[i]) for i, k in enumerate(ROLE_KEYS)],
        statuses=[(str(status_labels[k]), status_row.cells[i]) for i, k in enumerate(STATUS_KEYS)],
        mentorships_active=pair_row.cells[0],
        mentorships_ended_early=pair_row.cells[1],
        mentorships_completed=pair_row.cells[2],
    )


# -- engagement, satisfaction and diversity ----------------------------------------------


def activity_for(filters: Filters, *, now: dt.datetime | None = None) -> activity.Months:
    """The period's activity by department and month: the stored rows of every program
    whose snapshot is fresh, the others counted live. Two to four queries."""
    now = now or timezone.now()
    programs = Program.objects.exclude(state=Program.State.DRAFT)
    if filters.program_ids:
        programs = programs.filter(pk__in=filters.program_ids)
    fresh_snapshot = ProgramSnapshot.objects.filter(
        program=OuterRef("pk"), computed_at__gte=now - SNAPSHOT_FRESH
    )
    states = dict(programs.annotate(fresh=Exists(fresh_snapshot)).values_list("pk", "fresh"))
    return activity.activity_months(
        fresh_programs=[pk for pk, fresh in states.items() if fresh],
        stale_programs=[pk for pk, fresh in states.items() if not fresh],
        first=activity.month_of(filters.start),
        last=activity.month_of(filters.end),
    )


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    held: int | None  # check-ins held; hidden with the pairs behind them
    pairs: int | None


@dataclass(frozen=True)
class Engagement:
    minimum: int
    months: list[MonthRow]
    events_attended: int | None


def engagement(filters: Filters, months: activity.Months | None = None) -> Engagement:
    """Check-ins held per month, shown only where the pairs that met that month are
    (one department x month table of pairs), and event attendance. The months of the
    period count whole: a period from 15 March counts all of March."""
    minimum = min_group_size(filters)
    months = months if months is not None else activity_for(filters)
    columns = sorted({month for (_d, month), cell in months.cells.items() if cell.checkins_held})
    pairs: dict[str, list[int]] = defaultdict(lambda: [0] * len(columns))
    held: dict[str, list[int]] = defaultdict(lambda: [0] * len(columns))
    for (department, month), cell in months.cells.items():
        if cell.checkins_held:
            pairs[department][columns.index(month)] = cell.pairs_met
            held[department][columns.index(month)] = cell.checkins_held
    row = department_row(pairs, len(columns), filters.department, minimum)
    raw_held = (
        held[filters.department]
        if filters.department
        else [sum(h[i] for h in held.values()) for i in range(len(columns))]
    )
    shown = [
        MonthRow(
            month=month,
            held=raw_held[i] if row.cells[i] is not None else None,
            pairs=row.cells[i],
        )
        for i, month in enumerate(columns)
        if row.raw[i]
    ]
    rsvps = EventRsvp.objects.filter(
        attended=True,
        event__starts_at__date__gte=filters.start,
        event__starts_at__date__lte=filters.end,
    )
    if filters.program_ids:
        rsvps = rsvps.filter(event__program_id__in=filters.program_ids)
    attended = rsvps.values("user").distinct().count()
    return Engagement(minimum, shown, suppress_breakdown([attended], minimum=minimum).cells[0])


@dataclass(frozen=True)
class Satisfaction:
    minimum: int
    rating: float | None  # average 1-5 rating given when logging check-ins
    rating_pairs: int | None  # the most pairs that rated in one month of the period
    nps: int | None  # across the programs' surveys
    nps_answers: int | None


def satisfaction(filters: Filters, months: activity.Months | None = None) -> Satisfaction:
    """Average check-in rating and NPS over the months of the period.

    The rating is shown once at least the minimum number of pairs rated in one month
    of the period (pairs are counted per month; the same pair in two months is not two
    pairs, so the busiest month is the count that is sure). NPS follows the number of
    answers, one department x answers table (anonymous answers have no department).
    """
    minimum = min_group_size(filters)
    months = months if months is not None else activity_for(filters)
    cells = [
        cell
        for (department, _month), cell in months.cells.items()
        if not filters.department or department == filters.department
    ]
    total = activity.Cell()
    for cell in cells:
        total.add(cell)
    by_month: dict[dt.date, int] = defaultdict(int)
    for (department, month), cell in months.cells.items():
        if not filters.department or department == filters.department:
            by_month[month] += cell.rating_pairs
    pairs = max(by_month.values(), default=0)
    rating = (
        round(total.rating_sum / total.rating_n, 2) if total.rating_n and pairs >= minimum else None
    )
    answers: dict[str, list[int]] = defaultdict(lambda: [0])
    for (department, _month), cell in months.cells.items():
        answers[department][0] += cell.nps_answers
    answered = department_row(
        {d: n for d, n in answers.items() if n[0]}, 1, filters.department, minimum
    ).cells[0]
    shown = answered is not None and answered > 0
    return Satisfaction(
        minimum,
        rating,
        pairs if rating is not None else None,
        round(100 * (total.nps_promoters - total.nps_detractors) / total.nps_answers)
        if shown
        else None,
        answered if shown else None,
    )


@dataclass(frozen=True)
class Diversity:
    minimum: int
    consented: int | None
    gender: list[tuple[str, int | None]]
    ethnicity: list[tuple[str, int | None]]


def diversity(filters: Filters, counts: Counts | None = None) -> Diversity:
    """Participants by self-described gender and by ethnicity: only people who consented
    to their use (consenting_rows, from the snapshot or one query); each breakdown is
    one department x answer table."""
    minimum = min_group_size(filters)
    rows = counts.consenting if counts else consenting_rows(filters)

    def breakdown(index: int) -> tuple[list[tuple[str, int | None]], int | None]:
        labels = sorted({row[index] for row in rows if row[index]})
        keys = [*labels, ""] if any(not row[index] for row in rows) else labels
        if not keys:
            return [], 0
        table: dict[str, list[int]] = defaultdict(lambda: [0] * len(keys))
        for row in rows:
            table[row[0]][keys.index(row[index])] += row[3]
        line = department_row(table, len(keys), filters.department, minimum)
        if not any(line.raw):
            return [], 0
        return [(k or _("Not described"), line.cells[i]) for i, k in enumerate(keys)], line.total

    gender, total = breakdown(1)
    ethnicity, _total = breakdown(2)
    return Diversity(minimum, total, gender, ethnicity)
