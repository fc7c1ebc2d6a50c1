"""What a reader can work out from shown numbers, checked independently of
mentoring.suppression: linear algebra over everything shown, not its graph rule.

A reader sees some entries of tables with their margins and knows how they add up
(a row's cells add up to its total, a column's to its total, and tables about the
same people share their row totals). A hidden entry is given away exactly when the
equations, with the shown entries put in, pin it to one value: when its unit vector
lies in the row space of the equations restricted to the unknown entries.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np

Var = Hashable


class Disclosure:
    def __init__(self) -> None:
        self.equations: list[dict[Var, int]] = []
        self.known: dict[Var, int] = {}
        self.hidden: set[Var] = set()

    def table(
        self,
        name: str,
        rows: Sequence[Hashable],
        columns: Sequence[Hashable],
        *,
        row_total: str | None = None,
    ) -> None:
        """A rows x columns table with its margins; tables given the same ``row_total``
        count the same people per row (so share row and grand totals)."""
        total = row_total or name

        def cell(r: Hashable, c: Hashable) -> Var:
            return (name, r, c)

        for r in rows:
            self.equations.append({**{cell(r, c): 1 for c in columns}, (total, r, "*"): -1})
        for c in columns:
            self.equations.append({**{cell(r, c): 1 for r in rows}, (name, "*", c): -1})
        self.equations.append({**{(name, "*", c): 1 for c in columns}, (total, "*", "*"): -1})
        self.equations.append({**{(total, r, "*"): 1 for r in rows}, (total, "*", "*"): -1})

    def see(self, var: Var, value: int | None) -> None:
        """An entry as a view shows it: a number, or hidden (None)."""
        if value is None:
            self.hidden.add(var)
        else:
            assert self.known.get(var, value) == value, (var, value, self.known[var])
            self.known[var] = value

    def given_away(self) -> set[Var]:
        """The hidden entries that what is shown pins down, or that another view shows."""
        shown_elsewhere = self.hidden & set(self.known)
        hidden = self.hidden - set(self.known)
        unknowns = sorted({v for eq in self.equations for v in eq if v not in self.known}, key=repr)
        index = {v: i for i, v in enumerate(unknowns)}
        rows = [[0.0] * len(unknowns) for eq in self.equations if any(v in index for v in eq)]
        i = 0
        for eq in self.equations:
            if not any(v in index for v in eq):
                continue
            for v, coefficient in eq.items():
                if v in index:
                    rows[i][index[v]] = coefficient
            i += 1
        if not rows:
            return shown_elsewhere
        matrix = np.array(rows)
        rank = np.linalg.matrix_rank(matrix)
        pinned = set(shown_elsewhere)
        for var in hidden:
            unit = np.zeros(len(unknowns))
            unit[index[var]] = 1.0
            if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
                pinned.add(var)
        return pinned


def assert_no_small_group(values: Iterable[int | None], minimum: int, what: object) -> None:
    """Every shown count is zero (nobody) or at least the minimum group size."""
    for value in values:
        assert value is None or value == 0 or value >= minimum, (what, value, minimum)
