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
- Because zeros are always shown, a reader knows every hidden entry is **at least
  1**, which narrows things further: two hidden 1s on a line with a shown total of
  2 are both given away, though neither is a bridge. So after the steps below an
  exact check runs: an entry can change exactly when it lies on a cycle of the
  residual graph (each hidden entry is an arc that may always grow, and shrink
  only when it is at least 2; see :func:`_determined`). That is the whole of what
  the shown values, the line sums and "hidden means at least 1" allow, because
  such a system of line sums has only whole-number corners (it is a network).
- The algorithm: hide the small counts; while some line has exactly one hidden
  entry, hide the smallest positive shown entry of that line as well (cells before
  totals); while some hidden entry is still determined, hide the smallest positive
  shown entry of one of its lines; if no positive entry is left to hide, hide every
  positive entry of the table, which is always safe (each positive cell then lies
  on the cycle cell -> its column total -> the grand total -> its row total, all of
  which can grow together).
- Entries the reader already knows from elsewhere (``known``: a role's count that
  the survey's head shows, say) are never hidden and count as shown in the check.
  When no suppression is safe with them shown, the table is *withheld*: every
  cell and column total is hidden, zeros included (rows known to be 0 excepted),
  so a hidden entry there may be 0 and nothing is pinned down.

One-dimensional breakdowns (a count per answer or per role, with a total) follow
the same rule on their single line: never exactly one hidden entry, never hidden
entries that are all 1s under a shown total (their sum would give each away), and
a total that is itself too small hides the whole breakdown.

Averages, NPS and other figures about a group are one more equation on its cells:
callers show them only when every count they summarise is shown (then they add
nothing), see surveys.results.
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
    withheld: bool = False  # every cell hidden, zeros included (see the module notes)


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
        if len(values) - 1 not in hidden and hidden and all(values[i] == 1 for i in hidden):
            # Hidden 1s under a shown total: each is at least 1 and they sum to their
            # number, so each is given away. A shown cell of at least the minimum
            # brings slack; with none left, the total goes too.
            shown = sorted(
                (i for i, value in enumerate(values[:-1]) if i not in hidden and value > 0),
                key=lambda i: (values[i], i),
            )
            if shown:
                hidden.add(shown[0])
            else:
                hidden = {i for i, value in enumerate(values) if value > 0}
    result = [None if i in hidden else value for i, value in enumerate(values)]
    return Breakdown(cells=tuple(result[:-1]), total=result[-1])


def suppress_table(
    counts: Sequence[Sequence[int]],
    *,
    minimum: int,
    known_row_totals: Sequence[bool] = (),
    known_grand_total: bool = False,
) -> Table:
    """Hide the small counts of a table (with its margins) and whatever would give
    them back by subtraction along any row, column or total.

    ``known_row_totals`` (one flag per row) and ``known_grand_total`` mark totals a
    reader learns elsewhere: they stay shown and count as shown in every check."""
    rows = [list(row) for row in counts]
    _check(minimum, rows)
    grid = _augmented(rows)
    n_rows, n_cols = len(grid), len(grid[0])
    known = {(r, n_cols - 1) for r, flag in enumerate(known_row_totals) if flag}
    if known_grand_total:
        known.add((n_rows - 1, n_cols - 1))
    hidden = {
        (r, c)
        for r in range(n_rows)
        for c in range(n_cols)
        if is_small(grid[r][c], minimum) and (r, c) not in known
    }
    if any(is_small(grid[r][c], minimum) for r, c in known):
        return _withheld(grid, known)
    while True:
        line = _line_with_one_hidden(hidden, n_rows, n_cols)
        if line is None:
            pinned = _determined(grid, hidden)
            if not pinned:
                break
            r, c = pinned[0]
            line_options: list[Line] = [("row", r), ("col", c)]
            picks = [_smallest_positive_shown(grid, hidden | known, ln) for ln in line_options]
            complement = next((pick for pick in picks if pick is not None), None)
        else:
            complement = _smallest_positive_shown(grid, hidden | known, line)
        if complement is None:
            hidden = _all_positive(grid) - known
            if _determined(grid, hidden):
                return _withheld(grid, known)
            break
        hidden.add(complement)
    return _table(grid, hidden)


def _table(grid: list[list[int]], hidden: set[tuple[int, int]], withheld: bool = False) -> Table:
    n_rows, n_cols = len(grid), len(grid[0])
    shown = [
        [None if (r, c) in hidden else grid[r][c] for c in range(n_cols)] for r in range(n_rows)
    ]
    return Table(
        cells=tuple(tuple(row[:-1]) for row in shown[:-1]),
        row_totals=tuple(row[-1] for row in shown[:-1]),
        column_totals=tuple(shown[-1][:-1]),
        grand_total=shown[-1][-1],
        withheld=withheld,
    )


def _withheld(grid: list[list[int]], known: set[tuple[int, int]]) -> Table:
    """Every entry hidden, zeros too, but the known totals and what they give away
    alone: the zeros of a row known to be empty, in a table of one column each known
    row's cell (it is the row's total), and the grand total when every row's total is
    known (it is their sum)."""
    n_rows, n_cols = len(grid), len(grid[0])
    if all((r, n_cols - 1) in known for r in range(n_rows - 1)):
        # Every row's total is known: so is their sum, the grand total.
        known = known | {(n_rows - 1, n_cols - 1)}
    rows_known = {r for r, _c in known}  # the grand total's "row" is the totals row
    spelled_out = {r for r in rows_known if grid[r][n_cols - 1] == 0 or n_cols == 2}
    hidden = {
        (r, c)
        for r in range(n_rows)
        for c in range(n_cols)
        if (r, c) not in known and r not in spelled_out
    }
    return _table(grid, hidden, withheld=True)


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


def _arc(r: int, c: int, n_rows: int, n_cols: int) -> tuple[Line, Line]:
    """The hidden entry (r, c) as an arc between two lines of the grid.

    Read every line as "what flows in equals what flows out": a cell flows from its
    row to its column, a column total from its column to the column-totals row, the
    grand total from that row to the row-totals column, and a row total from there
    back to its row. Every line's sum is then conservation of flow at its vertex."""
    last_row, last_col = r == n_rows - 1, c == n_cols - 1
    if not last_row and not last_col:
        return ("row", r), ("col", c)
    if not last_row:
        return ("col", n_cols - 1), ("row", r)
    if not last_col:
        return ("col", c), ("row", n_rows - 1)
    return ("row", n_rows - 1), ("col", n_cols - 1)


def _determined(grid: list[list[int]], hidden: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Hidden entries that the shown ones, the line sums and "hidden means at least
    1" pin to one value.

    Another table fits exactly when a circulation can be added: an entry may grow
    by 1 along a cycle of the residual graph, whose arcs are every hidden entry
    forwards and every hidden entry of at least 2 backwards. So an entry is free
    when it lies on such a cycle (grown forwards, or shrunk backwards when it is at
    least 2). Tables are small (a few dozen entries): a search per entry is enough.
    """
    n_rows, n_cols = len(grid), len(grid[0])
    arcs = {entry: _arc(*entry, n_rows, n_cols) for entry in hidden}
    pinned = []
    for entry in sorted(hidden):
        adjacency: dict[Line, list[Line]] = {}
        for other, (tail, head) in arcs.items():
            if other == entry:
                continue
            adjacency.setdefault(tail, []).append(head)
            if grid[other[0]][other[1]] >= 2:
                adjacency.setdefault(head, []).append(tail)
        tail, head = arcs[entry]
        grows = _reaches(adjacency, head, tail)
        shrinks = grid[entry[0]][entry[1]] >= 2 and _reaches(adjacency, tail, head)
        if not grows and not shrinks:
            pinned.append(entry)
    return pinned


def _reaches(adjacency: dict[Line, list[Line]], start: Line, goal: Line) -> bool:
    seen = {start}
    stack = [start]
    while stack:
        vertex = stack.pop()
        if vertex == goal:
            return True
        for neighbour in adjacency.get(vertex, ()):
            if neighbour not in seen:
                seen.add(neighbour)
                stack.append(neighbour)
    return False
