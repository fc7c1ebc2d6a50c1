"""Small-group suppression for every count a report shows (pure Python, no Django).

A report cell that counts a handful of people can single them out, so cells below
the minimum group size are hidden ("primary suppression"). Hiding them is not
enough: a shown total minus the shown cells of its line gives the hidden one back.
So more cells are hidden ("complementary suppression") until no hidden value can
be worked out from what is shown.

The rules, and why they are safe:

- A count of 1 .. minimum-1 is hidden. **Zero is shown**: it describes nobody, so
  it cannot single anyone out, and hiding it protects nothing (a hidden zero is
  worthless as a complement, because a line whose hidden cells sum to zero gives
  each of them away). Zeros are therefore never hidden, and never used as
  complements. A group of at least the minimum that answered unanimously is shown
  as such: that is the group's answer, not a person's.
- A table is treated with its margins as one (rows+1) x (columns+1) grid: the row
  totals form an extra column, the column totals an extra row, and the grand total
  sits in the corner. Every line of that grid (a row with its total, a column with
  its total, the row totals with the grand total, the column totals with the grand
  total) is a known linear equation.
- In such a grid a hidden entry can be derived from the shown ones exactly when it
  is a *bridge* of the graph whose vertices are the grid's lines and whose edges
  are the hidden entries (an entry lying on no cycle of hidden entries). A line
  with exactly one hidden entry is the simplest bridge. Because every hidden entry
  is also a positive count, moving a little around a cycle keeps every value
  non-negative, so even knowing that counts are never negative pins nothing down.
- The algorithm: hide the small counts; while some line has exactly one hidden
  entry, hide the smallest positive shown entry of that line as well (cells before
  totals); if a bridge remains after that (rare: two hidden cycles joined by a
  single hidden entry) or no positive entry is left to hide, hide every positive
  entry of the table, which is always safe (each positive cell then lies on the
  cycle cell -> its column total -> the grand total -> its row total).

One-dimensional breakdowns (a count per answer or per role, with a total) follow
the same rule on their single line: never exactly one hidden entry, and a total
that is itself too small hides the whole breakdown.

Averages, NPS and other figures about a group must be shown only when the group's
count is shown; callers check ``is_shown`` on the count first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Hidden = None  # what a suppressed value reads as


def is_small(count: int, minimum: int) -> bool:
    """True for a count that would single people out (zero is not small)."""
    return 0 < count < minimum


@dataclass(frozen=True)
class Breakdown:
    """A one-dimensional breakdown after suppression; ``None`` marks a hidden value."""

    cells: tuple[int | None, ...]
    total: int | None

    def is_shown(self, index: int) -> bool:
        return self.cells[index] is not None


@dataclass(frozen=True)
class Table:
    """A two-dimensional table after suppression; ``None`` marks a hidden value."""

    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    grand_total: int | None


def suppress_breakdown(counts: Sequence[int], *, minimum: int) -> Breakdown:
    """Hide the small counts of a breakdown and whatever would give them back."""
    _check(minimum, [list(counts)])
    values = [*counts, sum(counts)]  # the last entry is the total
    if is_small(values[-1], minimum):
        hidden = {i for i, value in enumerate(values) if value > 0}
    else:
        hidden = {i for i, value in enumerate(values) if is_small(value, minimum)}
        if len(hidden) == 1:
            shown = [i for i, value in enumerate(values) if i not in hidden and value > 0]
            # The smallest positive cell first; the total only when no cell is left.
            shown.sort(key=lambda i: (i == len(values) - 1, values[i], i))
            if shown:
                hidden.add(shown[0])
            else:  # pragma: no cover - a shown total is positive, so a cell is left
                hidden = {i for i, value in enumerate(values) if value > 0}
    result = [None if i in hidden else value for i, value in enumerate(values)]
    return Breakdown(cells=tuple(result[:-1]), total=result[-1])


def suppress_table(counts: Sequence[Sequence[int]], *, minimum: int) -> Table:
    """Hide the small counts of a table (with its margins) and whatever would give
    them back by subtraction along any row, column or total."""
    rows = [list(row) for row in counts]
    _check(minimum, rows)
    grid = _augmented(rows)
    n_rows, n_cols = len(grid), len(grid[0])
    hidden = {(r, c) for r in range(n_rows) for c in range(n_cols) if is_small(grid[r][c], minimum)}
    while True:
        line = _line_with_one_hidden(hidden, n_rows, n_cols)
        if line is None:
            break
        complement = _smallest_positive_shown(grid, hidden, line)
        if complement is None:
            hidden = _all_positive(grid)
            break
        hidden.add(complement)
    if _has_bridge(hidden, n_rows, n_cols):
        hidden = _all_positive(grid)
    shown = [
        [None if (r, c) in hidden else grid[r][c] for c in range(n_cols)] for r in range(n_rows)
    ]
    return Table(
        cells=tuple(tuple(row[:-1]) for row in shown[:-1]),
        row_totals=tuple(row[-1] for row in shown[:-1]),
        column_totals=tuple(shown[-1][:-1]),
        grand_total=shown[-1][-1],
    )


# ------------------------------------------------------------------------------
# The pieces
# ------------------------------------------------------------------------------

# A line of the augmented grid: ("row", index) or ("col", index).
Line = tuple[str, int]


def _check(minimum: int, rows: list[list[int]]) -> None:
    if minimum < 1:
        raise ValueError("the minimum group size must be at least 1")
    if not rows or not rows[0]:
        raise ValueError("a table needs at least one cell")
    width = len(rows[0])
    for row in rows:
        if len(row) != width:
            raise ValueError("every row needs the same number of cells")
        if any(value < 0 for value in row):
            raise ValueError("counts are never negative")


def _augmented(rows: list[list[int]]) -> list[list[int]]:
    """The table with its row totals as a last column and column totals as a last row."""
    grid = [[*row, sum(row)] for row in rows]
    grid.append([sum(column) for column in zip(*grid, strict=True)])
    return grid


def _line_cells(line: Line, n_rows: int, n_cols: int) -> list[tuple[int, int]]:
    kind, index = line
    if kind == "row":
        return [(index, c) for c in range(n_cols)]
    return [(r, index) for r in range(n_rows)]


def _all_lines(n_rows: int, n_cols: int) -> list[Line]:
    return [("row", r) for r in range(n_rows)] + [("col", c) for c in range(n_cols)]


def _line_with_one_hidden(hidden: set[tuple[int, int]], n_rows: int, n_cols: int) -> Line | None:
    for line in _all_lines(n_rows, n_cols):
        if sum(cell in hidden for cell in _line_cells(line, n_rows, n_cols)) == 1:
            return line
    return None


def _smallest_positive_shown(
    grid: list[list[int]], hidden: set[tuple[int, int]], line: Line
) -> tuple[int, int] | None:
    n_rows, n_cols = len(grid), len(grid[0])
    candidates = [
        (r, c)
        for r, c in _line_cells(line, n_rows, n_cols)
        if (r, c) not in hidden and grid[r][c] > 0
    ]
    if not candidates:
        return None
    # Inner cells before totals: hiding a total costs a reader more than a cell does.
    return min(
        candidates,
        key=lambda rc: (rc[0] == n_rows - 1 or rc[1] == n_cols - 1, grid[rc[0]][rc[1]], rc),
    )


def _all_positive(grid: list[list[int]]) -> set[tuple[int, int]]:
    return {(r, c) for r, row in enumerate(grid) for c, value in enumerate(row) if value > 0}


def _has_bridge(hidden: set[tuple[int, int]], n_rows: int, n_cols: int) -> bool:
    """Whether some hidden entry lies on no cycle of hidden entries (so it is derivable).

    Vertices are the grid's rows and columns, edges the hidden entries; an edge is a
    bridge when removing it disconnects its two ends. Tables are small (a few dozen
    entries), so the plain check per edge is fast enough.
    """
    edges = sorted(hidden)
    for removed in edges:
        adjacency: dict[Line, list[Line]] = {}
        for r, c in edges:
            if (r, c) == removed:
                continue
            adjacency.setdefault(("row", r), []).append(("col", c))
            adjacency.setdefault(("col", c), []).append(("row", r))
        start, goal = ("row", removed[0]), ("col", removed[1])
        seen = {start}
        stack = [start]
        while stack:
            vertex = stack.pop()
            for neighbour in adjacency.get(vertex, ()):
                if neighbour not in seen:
                    seen.add(neighbour)
                    stack.append(neighbour)
        if goal not in seen:
            return True
    return False
