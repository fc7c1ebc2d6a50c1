"""Retention and promotion of participants against colleagues who did not take part."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from mentoring.suppression import suppress_table
from reports.insights.counts import Counts, Filters, min_group_size, outcome_rows
from reports.insights.rates import Z95, Rate, rate_of

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
            OutcomeRow(
                label, rate_of(sums(True, 1), overall[0]), rate_of(sums(False, 1), overall[1])
            )
        )
        promotion.append(
            OutcomeRow(
                label, rate_of(sums(True, 2), overall[0]), rate_of(sums(False, 2), overall[1])
            )
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
                label, rate_of(mine[1], table.cells[i][0]), rate_of(theirs[1], table.cells[i][1])
            )
        )
        promotion.append(
            OutcomeRow(
                label, rate_of(mine[2], table.cells[i][0]), rate_of(theirs[2], table.cells[i][1])
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
