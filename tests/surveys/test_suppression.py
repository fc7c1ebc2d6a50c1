"""Property tests of small-group suppression (mentoring.suppression).

Over random tables and minimums: no shown count describes fewer people than the
minimum, and no hidden count can be worked out from the shown ones, checked two
ways: no line with a shown total has exactly one hidden entry, and a linear
program (knowing every shown value, every line's sum and that a hidden count is
at least 1, since zeros are shown) cannot pin any hidden count to a single value.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from mentoring.suppression import Breakdown, Table, suppress_breakdown, suppress_table

minimums = st.integers(min_value=2, max_value=8)
counts = st.integers(min_value=0, max_value=15)
tables = st.integers(min_value=1, max_value=4).flatmap(
    lambda n_cols: st.lists(
        st.lists(counts, min_size=n_cols, max_size=n_cols), min_size=1, max_size=4
    )
)


def _grid(table: Table) -> list[list[int | None]]:
    rows: list[list[int | None]] = [
        [*cells, total] for cells, total in zip(table.cells, table.row_totals, strict=True)
    ]
    rows.append([*table.column_totals, table.grand_total])
    return rows


def _true_grid(counts: list[list[int]]) -> list[list[int]]:
    rows = [[*row, sum(row)] for row in counts]
    rows.append([sum(column) for column in zip(*rows, strict=True)])
    return rows


def _derivable(
    shown: list[list[int | None]], lines: list[list[tuple[int, int]]], floor: int = 1
) -> list[tuple[int, int]]:
    """Hidden entries whose value is the same in every table that agrees with the
    shown values and with each line (its last entry is the sum of the others), and
    whose hidden entries are at least 1 (zeros are always shown), found by
    minimising and maximising each with linprog (line sums have whole-number
    corners, so the linear program's answer is the whole-number one)."""
    unknown = sorted({cell for line in lines for cell in line if shown[cell[0]][cell[1]] is None})
    if not unknown:
        return []
    index = {cell: i for i, cell in enumerate(unknown)}
    equations, rhs = [], []
    for line in lines:
        row = np.zeros(len(unknown))
        constant = 0.0
        for position, cell in enumerate(line):
            sign = -1.0 if position == len(line) - 1 else 1.0
            if cell in index:
                row[index[cell]] += sign
            else:
                constant += sign * float(shown[cell[0]][cell[1]])  # type: ignore[arg-type]
        if row.any():
            equations.append(row)
            rhs.append(-constant)
    found = []
    for cell, i in index.items():
        objective = np.zeros(len(unknown))
        objective[i] = 1.0
        low = linprog(objective, A_eq=equations, b_eq=rhs, bounds=(floor, None), method="highs")
        high = linprog(-objective, A_eq=equations, b_eq=rhs, bounds=(floor, None), method="highs")
        assert low.status == 0, "the true table must be feasible"
        # Unbounded above (status 3) means it certainly is not pinned down.
        if high.status == 0 and abs(-high.fun - low.fun) < 1e-6:
            found.append(cell)
    return found


def _table_lines(n_rows: int, n_cols: int) -> list[list[tuple[int, int]]]:
    """The lines of a grid whose last column and last row are the totals."""
    return [[(r, c) for c in range(n_cols)] for r in range(n_rows)] + [
        [(r, c) for r in range(n_rows)] for c in range(n_cols)
    ]


@settings(max_examples=300, deadline=None)
@given(counts=tables, minimum=minimums)
def test_no_shown_table_cell_counts_fewer_people_than_the_minimum(
    counts: list[list[int]], minimum: int
) -> None:
    table = suppress_table(counts, minimum=minimum)
    for row in _grid(table):
        for value in row:
            assert value is None or value == 0 or value >= minimum


@settings(max_examples=300, deadline=None)
@given(counts=tables, minimum=minimums)
def test_no_line_with_a_shown_total_has_exactly_one_hidden_cell(
    counts: list[list[int]], minimum: int
) -> None:
    grid = _grid(suppress_table(counts, minimum=minimum))
    lines = [list(row) for row in grid] + [list(column) for column in zip(*grid, strict=True)]
    for line in lines:
        assert sum(value is None for value in line) != 1, line


@settings(max_examples=200, deadline=None)
@given(counts=tables, minimum=minimums)
def test_no_hidden_table_value_can_be_derived_from_the_shown_ones(
    counts: list[list[int]], minimum: int
) -> None:
    table = suppress_table(counts, minimum=minimum)
    true = _true_grid(counts)
    shown = _grid(table)
    for r, row in enumerate(shown):
        for c, value in enumerate(row):
            assert value is None or value == true[r][c], "shown values are the true ones"
    assert _derivable(shown, _table_lines(len(true), len(true[0]))) == []


@settings(max_examples=300, deadline=None)
@given(counts=st.lists(counts, min_size=1, max_size=11), minimum=minimums)
def test_a_breakdown_hides_small_groups_and_never_exactly_one_value(
    counts: list[int], minimum: int
) -> None:
    result = suppress_breakdown(counts, minimum=minimum)
    values = [*result.cells, result.total]
    for value, true in zip(values, [*counts, sum(counts)], strict=True):
        assert value is None or value == true
        assert value is None or value == 0 or value >= minimum
    assert sum(value is None for value in values) != 1
    line = [(0, c) for c in range(len(values))]
    assert _derivable([values], [line]) == []


def test_a_small_cell_takes_the_next_smallest_with_it() -> None:
    assert suppress_breakdown([3, 9, 6], minimum=5) == Breakdown(cells=(None, 9, None), total=18)


def test_zeros_are_shown_and_a_small_total_hides_everything() -> None:
    assert suppress_breakdown([0, 7, 8], minimum=5) == Breakdown(cells=(0, 7, 8), total=15)
    assert suppress_breakdown([0, 2, 1], minimum=5) == Breakdown(cells=(0, None, None), total=None)


def test_a_table_hides_a_small_cell_in_its_row_and_its_column() -> None:
    table = suppress_table([[2, 8], [9, 7]], minimum=5)
    assert table.cells == ((None, None), (None, None))
    assert table.grand_total == 26
    assert table.row_totals == (10, 16)


def test_hidden_ones_under_a_shown_total_take_a_complement() -> None:
    # Two hidden 1s under a total of 12 with the 10 shown: 1 + 1 = 2, each given away.
    assert suppress_breakdown([1, 1, 10], minimum=5) == Breakdown(
        cells=(None, None, None), total=12
    )
    table = suppress_table([[1, 1, 10], [0, 0, 0]], minimum=5)
    shown = _grid(table)
    assert _derivable(shown, _table_lines(3, 4)) == []
    assert table.cells[0][2] is None


def test_a_withheld_table_whose_row_totals_are_all_known_shows_their_sum() -> None:
    # Found by the property test below: every row total known elsewhere, the table
    # withheld, and the grand total hidden though it is the sum of what is shown.
    table = suppress_table([[4, 0], [4, 0], [1, 8]], minimum=2, known_row_totals=[True] * 3)
    assert table.withheld
    assert table.row_totals == (4, 4, 9)
    assert table.grand_total == 17
    assert _derivable(_grid(table), _table_lines(4, 3), 0) == []


@settings(max_examples=200, deadline=None)
@given(counts=tables, minimum=minimums, data=st.data())
def test_totals_known_elsewhere_stay_shown_and_give_nothing_away(
    counts: list[list[int]], minimum: int, data: st.DataObject
) -> None:
    true = _true_grid(counts)
    known_rows = [data.draw(st.booleans()) and not 0 < sum(row) < minimum for row in counts]
    table = suppress_table(counts, minimum=minimum, known_row_totals=known_rows)
    shown = _grid(table)
    for r, flag in enumerate(known_rows):
        assert not flag or shown[r][-1] == true[r][-1]
    # A withheld table hides its zeros too, so there a hidden entry may be 0.
    floor = 0 if table.withheld else 1
    assert _derivable(shown, _table_lines(len(true), len(true[0])), floor) == []


def test_the_minimum_must_be_positive() -> None:
    with pytest.raises(ValueError, match="minimum"):
        suppress_breakdown([1], minimum=0)
