"""HR's cross-program numbers: participation and outcomes, as suppressed aggregates.

Everything is counted in the database (one query per section, whatever the size),
nightly into an InsightSnapshot (people, pairs, self-descriptions, outcomes of the
default period) or an ActivityMonth (check-ins and NPS), or live when no fresh one
fits; either way every count passes through :mod:`mentoring.suppression` before
anyone sees it, so no shown number describes fewer people than the minimum group
size and no hidden one can be worked out by subtraction.

Every section is counted by department and suppressed as one department x category
table with its margins. The whole organisation is the table's column totals; a view
filtered by department shows that department's row of the same table, never a table
suppressed on its own: two differently suppressed views of the same numbers (all
departments, and each department alone) could be subtracted to recover a hidden one.
Figures that are not counts of people (check-ins held, averages, NPS) follow the
count of the people behind them: shown exactly where that count is shown.

Outcomes compare participants with colleagues who did not take part, over a period:
the people employed on its first day, how many were still employed on its last day
(retention) and how many were promoted during it (promotion), each as a rate with a
95% Wilson interval and the count it stands on. Non-participants are also shown
reweighted to the participants' department mix ("same department mix"), because
departments differ in both participation and attrition.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring import activity
from mentoring.models import EmployeeRecord, InsightSnapshot, ProgramSnapshot, Promotion
from mentoring.suppression import suppress_breakdown, suppress_table
from pairs.models import Mentorship
from programs.models import EventRsvp, Participant, Program

Z95 = 1.959964


@dataclass(frozen=True)
class Rate:
    """A share of a group: None everywhere when the group is hidden."""

    n: int | None
    k: int | None
    low: float | None = None
    high: float | None = None

    @property
    def value(self) -> float | None:
        if self.n is None or self.k is None or self.n == 0:
            return None
        return self.k / self.n

    @property
    def percent(self) -> float | None:
        value = self.value
        return None if value is None else round(100 * value, 1)

    @property
    def low_percent(self) -> float | None:
        return None if self.low is None else round(100 * self.low, 1)

    @property
    def high_percent(self) -> float | None:
        return None if self.high is None else round(100 * self.high, 1)

    @property
    def span_percent(self) -> float | None:
        """The interval's width, for drawing it."""
        if self.low is None or self.high is None:
            return None
        return round(100 * (self.high - self.low), 1)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of k successes in n trials."""
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def _rate(k: int, n: int | None) -> Rate:
    if n is None:
        return Rate(None, None)
    low, high = wilson(k, n)
    return Rate(n, k, low, high)


NO_DEPARTMENT = ""  # the department key of people and records without one


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    program_ids: tuple[int, ...] = ()
    department: str = ""
    # The minimum group size once looked up (with_minimum), so that a page of five
    # sections asks for it once.
    minimum: int | None = None


def min_group_size(filters: Filters) -> int:
    """The site's minimum, raised by the strictest program in view."""
    if filters.minimum is not None:
        return filters.minimum
    programs = Program.objects.all()
    if filters.program_ids:
        programs = programs.filter(pk__in=filters.program_ids)
    strictest = max(programs.values_list("min_group_size", flat=True), default=0)
    return max(settings.MIN_GROUP_SIZE, strictest)


def with_minimum(filters: Filters) -> Filters:
    return replace(filters, minimum=min_group_size(filters))


# -- the period: whole months ------------------------------------------------------------

MONTHS_SHOWN = 12  # the default period: this month and the eleven before


def months_before(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months before ``month`` (after, if negative)."""
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return months_before(month, -1) - dt.timedelta(days=1)


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve months, this one until today."""
    return months_before(today.replace(day=1), MONTHS_SHOWN - 1), today


# -- grouped counts: counted now, or read from the nightly snapshot ----------------------


@dataclass
class Counts:
    """Grouped counts before suppression: each section suppresses them as it shows
    them, whether they were counted now or read from an InsightSnapshot. Rows are
    lists (they go through JSON): people [department, role, status, n]; pairs
    [department, state, n]; consenting [department, gender, ethnicity, n]; outcomes
    [department, took part, employed on the first day, still employed on the last,
    promoted] for the period ``start`` .. ``end``."""

    people: list[list[Any]]
    pairs: list[list[Any]]
    programs: int
    consenting: list[list[Any]]
    outcomes: list[list[Any]]
    start: dt.date
    end: dt.date
    departments: list[str] = field(default_factory=list)
    computed_at: dt.datetime | None = None  # None: counted now

    def outcomes_for(self, filters: Filters) -> list[list[Any]] | None:
        """The outcome cells, when they cover the filters' period."""
        return self.outcomes if (self.start, self.end) == (filters.start, filters.end) else None


def _scoped(queryset: QuerySet[Any], filters: Filters, field_name: str) -> QuerySet[Any]:
    if filters.program_ids:
        return queryset.filter(**{f"{field_name}__in": filters.program_ids})
    return queryset


def people_rows(filters: Filters) -> list[list[Any]]:
    people = _scoped(Participant.objects.all(), filters, "program_id")
    return [
        [department or NO_DEPARTMENT, role, status, n]
        for department, role, status, n in people.values_list("department", "role", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ]


def pair_rows(filters: Filters) -> list[list[Any]]:
    pairs = _scoped(Mentorship.objects.all(), filters, "program_id")
    return [
        [department or NO_DEPARTMENT, state, n]
        for department, state, n in pairs.values_list("mentee__department", "state")
        .annotate(n=Count("pk"))
        .order_by()
    ]


def program_count(filters: Filters) -> int:
    programs = Program.objects.exclude(state=Program.State.DRAFT)
    return _scoped(programs, filters, "pk").count()


def consenting_rows(filters: Filters) -> list[list[Any]]:
    """Consenting people by (department, gender, ethnicity), each person once per
    department however many programs they joined."""
    people = Participant.objects.filter(
        joined_at__isnull=False, user__profile__demographics_consent_at__isnull=False
    )
    return [
        [department or NO_DEPARTMENT, gender, ethnicity, n]
        for department, gender, ethnicity, n in _scoped(people, filters, "program_id")
        .values_list("department", "user__profile__gender", "user__profile__ethnicity")
        .annotate(n=Count("user", distinct=True))
        .order_by()
    ]


def outcome_rows(filters: Filters) -> list[list[Any]]:
    """HR's file by department and whether the person took part, over the period."""
    base = EmployeeRecord.objects.filter(
        Q(hired_on__isnull=True) | Q(hired_on__lte=filters.start),
        Q(left_on__isnull=True) | Q(left_on__gt=filters.start),
    )
    promoted = Promotion.objects.filter(
        promoted_on__gte=filters.start, promoted_on__lte=filters.end
    ).values("employee_id")
    rows = (
        base.annotate(took_part=_took_part(filters))
        .values("department", "took_part")
        .annotate(
            n=Count("pk"),
            stayed=Count("pk", filter=Q(left_on__isnull=True) | Q(left_on__gt=filters.end)),
            promoted_n=Count("pk", filter=Q(pk__in=promoted)),
        )
        .order_by()
    )
    return [
        [
            row["department"] or NO_DEPARTMENT,
            bool(row["took_part"]),
            row["n"],
            row["stayed"],
            int(row["promoted_n"] or 0),
        ]
        for row in rows
    ]


def department_names() -> list[str]:
    """Every department named in HR's file or by a participant, to filter by."""
    # Each side made distinct first: a dozen names to merge, not 40,000 rows.
    records = (
        EmployeeRecord.objects.exclude(department="")
        .order_by()
        .values_list("department")
        .distinct()
    )
    people = (
        Participant.objects.exclude(department="").order_by().values_list("department").distinct()
    )
    return sorted(d for (d,) in records.union(people))


def counts_compute(filters: Filters, *, departments: bool = False) -> Counts:
    """Every grouped count of the filters' program scope, now: six or seven queries."""
    return Counts(
        people=people_rows(filters),
        pairs=pair_rows(filters),
        programs=program_count(filters),
        consenting=consenting_rows(filters),
        outcomes=outcome_rows(filters),
        start=filters.start,
        end=filters.end,
        departments=department_names() if departments else [],
    )


def insight_snapshots_take(*, now: dt.datetime | None = None) -> int:
    """Store HR's grouped counts for every program filter (every program together,
    and each program that is not a draft), outcomes over the default period; replaces
    every earlier snapshot. A few queries per program."""
    now = now or timezone.now()
    start, end = default_period(timezone.localdate(now))
    scopes: list[int | None] = [
        None,
        *Program.objects.exclude(state=Program.State.DRAFT).values_list("pk", flat=True),
    ]
    rows = []
    for program_id in scopes:
        filters = Filters(start, end, (program_id,) if program_id else ())
        counts = counts_compute(filters, departments=program_id is None)
        data = asdict(counts)
        for key in ("start", "end", "computed_at"):
            data.pop(key)
        rows.append(
            InsightSnapshot(program_id=program_id, start=start, end=end, computed_at=now, data=data)
        )
    with transaction.atomic():
        InsightSnapshot.objects.all().delete()
        InsightSnapshot.objects.bulk_create(rows)
    return len(rows)


def insight_snapshot_get(
    *, program_id: int | None, now: dt.datetime | None = None
) -> Counts | None:
    """The grouped counts of a fresh snapshot of this program filter, if there is one."""
    from mentoring.dashboards import SNAPSHOT_FRESH

    now = now or timezone.now()
    snapshots = InsightSnapshot.objects.filter(computed_at__gte=now - SNAPSHOT_FRESH)
    if program_id is None:
        snapshots = snapshots.filter(program__isnull=True)
    else:
        snapshots = snapshots.filter(program_id=program_id)
    snapshot = snapshots.order_by("-computed_at").first()
    if snapshot is None:
        return None
    return Counts(
        **snapshot.data,
        start=snapshot.start,
        end=snapshot.end,
        computed_at=snapshot.computed_at,
    )


# -- one table per section, one row per view ---------------------------------------------


@dataclass(frozen=True)
class Row:
    """The view's line of a suppressed department x category table: the department's
    row (a department is filtered) or the column totals (all departments)."""

    cells: tuple[int | None, ...]
    total: int | None
    raw: tuple[int, ...]  # the counts before suppression, for figures that follow them


def _department_row(counts: dict[str, list[int]], width: int, department: str, minimum: int) -> Row:
    """Suppress ``counts`` (department -> one count per category) as one table and
    return the line the view shows."""
    departments = sorted(counts)
    if department and department not in counts:
        return Row((0,) * width, 0, (0,) * width)  # nobody there: zeros describe nobody
    if not departments:
        return Row((0,) * width, 0, (0,) * width)
    table = suppress_table([counts[d] for d in departments], minimum=minimum)
    if department:
        i = departments.index(department)
        return Row(table.cells[i], table.row_totals[i], tuple(counts[department]))
    raw = tuple(sum(counts[d][c] for d in departments) for c in range(width))
    return Row(table.column_totals, table.grand_total, raw)


# -- outcomes --------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    label: str
    participants: Rate
    others: Rate


@dataclass(frozen=True)
class Outcomes:
    has_data: bool
    minimum: int
    retention: list[OutcomeRow]
    promotion: list[OutcomeRow]
    # Non-participants reweighted to the participants' department mix.
    retention_standardised: Rate | None
    promotion_standardised: Rate | None


def _took_part(filters: Filters) -> ExpressionWrapper:
    """Whether an employee record's email is a participant's who had joined by the end.

    An uncorrelated ``IN (subquery)``: the database hashes the participants' emails
    once, where a correlated EXISTS looked them up again for every employee.
    """
    # Joined before the end day was over, in the site's time zone (a range on the
    # column, not a date conversion of every row).
    after_end = dt.datetime.combine(
        filters.end + dt.timedelta(days=1), dt.time(), activity.site_zone()
    )
    people = Participant.objects.filter(joined_at__isnull=False, joined_at__lt=after_end)
    if filters.program_ids:
        people = people.filter(program_id__in=filters.program_ids)
    emails = people.annotate(key=Lower("email")).values("key")
    return ExpressionWrapper(Q(email__in=emails), output_field=BooleanField())


def outcomes(filters: Filters, counts: Counts | None = None) -> Outcomes:
    """Retention and promotion of participants beside non-participants, by department
    (all departments are counted; a department view shows its rows of the one table)."""
    minimum = min_group_size(filters)
    rows = counts.outcomes_for(filters) if counts else None
    cells: dict[str, dict[bool, tuple[int, int, int]]] = defaultdict(dict)
    for department, took_part, n, stayed, promoted in (
        rows if rows is not None else outcome_rows(filters)
    ):
        cells[department][bool(took_part)] = (n, stayed, promoted)
    if not cells or (filters.department and filters.department not in cells):
        return Outcomes(False, minimum, [], [], None, None)
    departments = sorted(cells)
    sizes = [
        [cells[d].get(True, (0, 0, 0))[0], cells[d].get(False, (0, 0, 0))[0]] for d in departments
    ]
    # One table with its margins: the "all departments" row is its column totals, so
    # nothing shown anywhere gives a hidden department back by subtraction.
    table = suppress_table(sizes, minimum=minimum)
    overall = table.column_totals

    def sums(took_part: bool, index: int) -> int:
        return sum(cells[d].get(took_part, (0, 0, 0))[index] for d in departments)

    retention, promotion = [], []
    if not filters.department:
        label = _("All departments")
        retention.append(
            OutcomeRow(label, _rate(sums(True, 1), overall[0]), _rate(sums(False, 1), overall[1]))
        )
        promotion.append(
            OutcomeRow(label, _rate(sums(True, 2), overall[0]), _rate(sums(False, 2), overall[1]))
        )
    shown = [
        (i, d)
        for i, d in enumerate(departments)
        if d == filters.department or not filters.department
    ]
    for i, department in shown:
        mine = cells[department].get(True, (0, 0, 0))
        theirs = cells[department].get(False, (0, 0, 0))
        label = department or _("No department")
        retention.append(
            OutcomeRow(
                label, _rate(mine[1], table.cells[i][0]), _rate(theirs[1], table.cells[i][1])
            )
        )
        promotion.append(
            OutcomeRow(
                label, _rate(mine[2], table.cells[i][0]), _rate(theirs[2], table.cells[i][1])
            )
        )
    # Only departments whose both cells are shown: a hidden one must not leak through
    # the reweighted rate or the number of people it stands on.
    shown_both = [
        d for i, d in shown if table.cells[i][0] is not None and table.cells[i][1] is not None
    ]
    return Outcomes(
        True,
        minimum,
        retention,
        promotion,
        _standardised(cells, shown_both, 1, minimum),
        _standardised(cells, shown_both, 2, minimum),
    )


def _standardised(
    cells: dict[str, dict[bool, tuple[int, int, int]]],
    departments: Sequence[str],
    index: int,
    minimum: int,
) -> Rate | None:
    """Non-participants' rate with each department weighted by its share of participants
    (only the given departments with enough of both), with a normal-approximation
    interval."""
    used = [
        d
        for d in departments
        if cells[d].get(True, (0, 0, 0))[0] >= minimum
        and cells[d].get(False, (0, 0, 0))[0] >= minimum
    ]
    weight_total = sum(cells[d][True][0] for d in used)
    if not used or weight_total < minimum:
        return None
    value = variance = 0.0
    others = 0
    for d in used:
        w = cells[d][True][0] / weight_total
        n, k = cells[d][False][0], cells[d][False][index]
        p = k / n
        value += w * p
        variance += w * w * p * (1 - p) / n
        others += n
    half = Z95 * math.sqrt(variance)
    return Rate(others, round(value * others), max(0.0, value - half), min(1.0, value + half))


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
    role_row = _department_row(roles, len(ROLE_KEYS), filters.department, minimum)
    status_row = _department_row(statuses, len(STATUS_KEYS), filters.department, minimum)
    pair_row = _department_row(states, len(PAIR_KEYS), filters.department, minimum)
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
    from mentoring.dashboards import SNAPSHOT_FRESH

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
    row = _department_row(pairs, len(columns), filters.department, minimum)
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
    answered = _department_row(
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
        line = _department_row(table, len(keys), filters.department, minimum)
        if not any(line.raw):
            return [], 0
        return [(k or _("Not described"), line.cells[i]) for i, k in enumerate(keys)], line.total

    gender, total = breakdown(1)
    ethnicity, _total = breakdown(2)
    return Diversity(minimum, total, gender, ethnicity)
