"""HR's cross-program numbers: participation and outcomes, as suppressed aggregates.

Everything is counted in the database (one query per section, whatever the size)
and every count passes through :mod:`mentoring.suppression` before anyone sees it,
so no shown number describes fewer people than the minimum group size and no hidden
one can be worked out by subtraction.

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
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from mentoring.models import EmployeeRecord, Promotion
from mentoring.suppression import suppress_breakdown, suppress_table
from programs.models import Mentorship, Participant, Program

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


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    program_ids: tuple[int, ...] = ()
    department: str = ""


def min_group_size(filters: Filters) -> int:
    """The site's minimum, raised by the strictest program in view."""
    programs = Program.objects.all()
    if filters.program_ids:
        programs = programs.filter(pk__in=filters.program_ids)
    strictest = max(programs.values_list("min_group_size", flat=True), default=0)
    return max(settings.MIN_GROUP_SIZE, strictest)


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


def _participants(filters: Filters, role: str | None = None) -> Exists:
    people = Participant.objects.annotate(key=Lower("email")).filter(
        key=OuterRef("email"), joined_at__isnull=False, joined_at__date__lte=filters.end
    )
    if filters.program_ids:
        people = people.filter(program_id__in=filters.program_ids)
    if role:
        people = people.filter(role=role)
    return Exists(people)


def outcomes(filters: Filters) -> Outcomes:
    """Retention and promotion of participants beside non-participants, by department."""
    minimum = min_group_size(filters)
    base = EmployeeRecord.objects.filter(
        Q(hired_on__isnull=True) | Q(hired_on__lte=filters.start),
        Q(left_on__isnull=True) | Q(left_on__gt=filters.start),
    )
    if filters.department:
        base = base.filter(department=filters.department)
    rows = (
        base.annotate(
            took_part=_participants(filters),
            promoted=Exists(
                Promotion.objects.filter(
                    employee=OuterRef("pk"),
                    promoted_on__gte=filters.start,
                    promoted_on__lte=filters.end,
                )
            ),
        )
        .values("department", "took_part")
        .annotate(
            n=Count("pk"),
            stayed=Count("pk", filter=Q(left_on__isnull=True) | Q(left_on__gt=filters.end)),
            # PostgreSQL has no SUM over booleans; count the promoted rows instead.
            promoted_n=Count("pk", filter=Q(promoted=True)),
        )
        .order_by("department", "took_part")
    )
    cells: dict[str, dict[bool, tuple[int, int, int]]] = defaultdict(dict)
    for row in rows:
        cells[row["department"] or _("No department")][bool(row["took_part"])] = (
            row["n"],
            row["stayed"],
            int(row["promoted_n"] or 0),
        )
    if not cells:
        return Outcomes(False, minimum, [], [], None, None)
    departments = sorted(cells)
    counts = [
        [cells[d].get(True, (0, 0, 0))[0], cells[d].get(False, (0, 0, 0))[0]] for d in departments
    ]
    # One table with its margins: the "all departments" row is its column totals, so
    # nothing shown anywhere gives a hidden department back by subtraction.
    table = suppress_table(counts, minimum=minimum)
    overall = table.column_totals

    def sums(took_part: bool, index: int) -> int:
        return sum(cells[d].get(took_part, (0, 0, 0))[index] for d in departments)

    retention = [
        OutcomeRow(
            _("All departments"),
            _rate(sums(True, 1), overall[0]),
            _rate(sums(False, 1), overall[1]),
        )
    ]
    promotion = [
        OutcomeRow(
            _("All departments"),
            _rate(sums(True, 2), overall[0]),
            _rate(sums(False, 2), overall[1]),
        )
    ]
    for i, department in enumerate(departments):
        mine = cells[department].get(True, (0, 0, 0))
        theirs = cells[department].get(False, (0, 0, 0))
        retention.append(
            OutcomeRow(
                department, _rate(mine[1], table.cells[i][0]), _rate(theirs[1], table.cells[i][1])
            )
        )
        promotion.append(
            OutcomeRow(
                department, _rate(mine[2], table.cells[i][0]), _rate(theirs[2], table.cells[i][1])
            )
        )
    # Only departments whose both cells are shown: a hidden one must not leak through
    # the reweighted rate or the number of people it stands on.
    shown_both = [
        d
        for i, d in enumerate(departments)
        if table.cells[i][0] is not None and table.cells[i][1] is not None
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


def participation(filters: Filters) -> Participation:
    minimum = min_group_size(filters)
    people = Participant.objects.all()
    pairs = Mentorship.objects.all()
    programs = Program.objects.exclude(state=Program.State.DRAFT)
    if filters.program_ids:
        people = people.filter(program_id__in=filters.program_ids)
        pairs = pairs.filter(program_id__in=filters.program_ids)
        programs = programs.filter(pk__in=filters.program_ids)
    if filters.department:
        people = people.filter(department=filters.department)
        pairs = pairs.filter(mentee__department=filters.department)
    roles = dict(people.values_list("role").annotate(n=Count("pk")).values_list("role", "n"))
    statuses = dict(people.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    role_keys = list(Participant.Role.values)
    status_keys = list(Participant.Status.values)
    role_counts = suppress_breakdown([roles.get(k, 0) for k in role_keys], minimum=minimum)
    status_counts = suppress_breakdown([statuses.get(k, 0) for k in status_keys], minimum=minimum)
    pair_totals = pairs.aggregate(
        active=Count("pk", filter=Q(state=Mentorship.State.ACTIVE)),
        ended=Count("pk", filter=Q(state=Mentorship.State.ENDED)),
        completed=Count("pk", filter=Q(state=Mentorship.State.COMPLETED)),
    )
    pair_counts = suppress_breakdown(
        [pair_totals["active"], pair_totals["ended"], pair_totals["completed"]], minimum=minimum
    )
    role_labels = dict(Participant.Role.choices)
    status_labels = dict(Participant.Status.choices)
    return Participation(
        minimum=minimum,
        programs=programs.count(),
        roles=[(str(role_labels[k]), role_counts.cells[i]) for i, k in enumerate(role_keys)],
        statuses=[
            (str(status_labels[k]), status_counts.cells[i]) for i, k in enumerate(status_keys)
        ],
        mentorships_active=pair_counts.cells[0],
        mentorships_ended_early=pair_counts.cells[1],
        mentorships_completed=pair_counts.cells[2],
    )
