"""The "fairness" objective: most matched, then the highest lowest score, then the total."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_flow

from matching.solver.exact import _Run, _solve_exact, _Tuning
from matching.solver.table import _Table
from matching.solver.units import IntArray, Objective


def _max_matched(table: _Table, rows: IntArray, cols: IntArray) -> int:
    """Most free mentees matched using only these pairs (a max-flow)."""
    nf, m = table.nf, table.m
    cap = table.setup.cap_left
    if not len(rows):
        return 0
    source, sink = 0, 1 + nf + m
    usable = np.flatnonzero(cap > 0)
    heads = np.concatenate([np.zeros(nf, np.int64), 1 + rows, 1 + nf + usable])
    tails = np.concatenate([1 + np.arange(nf), 1 + nf + cols, np.full(len(usable), sink)])
    caps = np.concatenate([np.ones(nf + len(rows), np.int64), cap[usable]]).astype(np.int32)
    graph = sp.csr_matrix((caps, (heads, tails)), shape=(sink + 1, sink + 1))
    return int(maximum_flow(graph, source, sink).flow_value)


def _solve_fairness(table: _Table, tuning: _Tuning) -> _Run:
    """Most matched; then the highest lowest score; then the highest total.

    The most matched comes from an exact coverage solve. Then, repeatedly: bisect
    over the score values of the pairs known so far (the candidates of the solves)
    for the highest threshold at which those pairs alone still match as many (a
    max-flow; reaching it with some pairs proves it reachable); then an exact
    coverage solve over *all* pairs worth at least one unit more either matches
    fewer, which proves the threshold can not be raised, or finds pairs that do
    better, and the search goes on with them. The last coverage solve keeps only
    pairs at the threshold or above, for the highest total among those.
    """
    first = _solve_exact(table, Objective.COVERAGE, tuning)
    most = len(first.rows)
    if most == 0:
        return first
    runs = [first]
    known_rows, known_cols = _known(first)
    known_units = table.units(known_rows, known_cols)
    low = int(table.units(first.rows, first.cols).min())
    while True:
        values = np.unique(known_units[known_units > low])
        lo, hi = 0, len(values)  # values[:lo] reachable, values[hi:] not (known pairs)
        while lo < hi:
            mid = (lo + hi) // 2
            keep = known_units >= values[mid]
            if _max_matched(table, known_rows[keep], known_cols[keep]) == most:
                lo = mid + 1
            else:
                hi = mid
        if lo:
            low = int(values[lo - 1])
        keep = known_units > low
        above = _solve_exact(
            table,
            Objective.COVERAGE,
            tuning,
            floor=low + 1,
            seed=(known_rows[keep], known_cols[keep]),
        )
        runs.append(above)
        if len(above.rows) < most:
            break
        more_rows, more_cols = _known(above)
        known_rows = np.concatenate([known_rows, more_rows])
        known_cols = np.concatenate([known_cols, more_cols])
        known_units = table.units(known_rows, known_cols)
        low = int(table.units(above.rows, above.cols).min())
    keep = known_units >= low
    final = _solve_exact(
        table, Objective.COVERAGE, tuning, floor=low, seed=(known_rows[keep], known_cols[keep])
    )
    runs.append(final)
    return _Run(
        rows=final.rows,
        cols=final.cols,
        candidates=final.candidates,
        pricing_rounds=sum(run.pricing_rounds for run in runs),
        core=final.core,
        gap=final.gap,
        exact_solves=sum(run.exact_solves for run in runs),
        proven=all(run.proven for run in runs),
    )


def _known(run: _Run) -> tuple[IntArray, IntArray]:
    """A solve's candidate pairs and chosen pairs, without repeats."""
    rows, cols = run.rows, run.cols
    if run.known is not None:
        rows = np.concatenate([run.known[0], rows])
        cols = np.concatenate([run.known[1], cols])
    m = int(cols.max()) + 1 if len(cols) else 1
    keys = np.unique(rows * m + cols)
    return keys // m, keys % m
