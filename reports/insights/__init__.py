"""HR's cross-program numbers: participation and outcomes, as suppressed aggregates.

The package: ``rates`` (shares with intervals), ``counts`` (filters, period, grouped
counts and their nightly snapshot), ``tables`` (one suppressed table per section),
``outcomes`` (retention and promotion) and ``sections`` (participation, engagement,
satisfaction, diversity); their public names are importable from here.

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

from reports.insights.counts import (
    MONTHS_SHOWN,
    NO_DEPARTMENT,
    Counts,
    Filters,
    consenting_rows,
    counts_compute,
    default_period,
    department_names,
    insight_snapshot_get,
    insight_snapshots_take,
    min_group_size,
    month_end,
    months_before,
    outcome_rows,
    pair_rows,
    people_rows,
    program_count,
    took_part,
    with_minimum,
)
from reports.insights.outcomes import (
    OutcomeRow,
    Outcomes,
    outcomes,
)
from reports.insights.rates import (
    Z95,
    Rate,
    rate_of,
    wilson,
)
from reports.insights.sections import (
    PAIR_KEYS,
    ROLE_KEYS,
    STATUS_KEYS,
    Diversity,
    Engagement,
    MonthRow,
    Participation,
    Satisfaction,
    activity_for,
    diversity,
    engagement,
    participation,
    satisfaction,
)
from reports.insights.tables import (
    Row,
    department_row,
)

__all__ = [
    "MONTHS_SHOWN",
    "NO_DEPARTMENT",
    "PAIR_KEYS",
    "ROLE_KEYS",
    "STATUS_KEYS",
    "Z95",
    "Counts",
    "Diversity",
    "Engagement",
    "Filters",
    "MonthRow",
    "OutcomeRow",
    "Outcomes",
    "Participation",
    "Rate",
    "Row",
    "Satisfaction",
    "activity_for",
    "consenting_rows",
    "counts_compute",
    "default_period",
    "department_names",
    "department_row",
    "diversity",
    "engagement",
    "insight_snapshot_get",
    "insight_snapshots_take",
    "min_group_size",
    "month_end",
    "months_before",
    "outcome_rows",
    "outcomes",
    "pair_rows",
    "participation",
    "people_rows",
    "program_count",
    "rate_of",
    "satisfaction",
    "took_part",
    "wilson",
    "with_minimum",
]
