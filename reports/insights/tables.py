"""One suppressed department x category table per section, one row of it per view."""

from __future__ import annotations

from dataclasses import dataclass

from mentoring.suppression import suppress_table

# -- one table per section, one row per view ---------------------------------------------


@dataclass(frozen=True)
class Row:
    """The view's line of a suppressed department x category table: the department's
    row (a department is filtered) or the column totals (all departments)."""

    cells: tuple[int | None, ...]
    total: int | None
    raw: tuple[int, ...]  # the counts before suppression, for figures that follow them


def department_row(counts: dict[str, list[int]], width: int, department: str, minimum: int) -> Row:
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
