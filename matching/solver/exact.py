"""The exact solve for "total" and "coverage": candidates, min-cost flow, proof scans, core."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.solver.flow import _flow_assign
from matching.solver.prices import _max_prices
from matching.solver.problem import _check_range, _weights
from matching.solver.scan import _cat, _scan, _scan_core
from matching.solver.table import _ColumnBest, _select, _Table
from matching.solver.units import _NONE, _NONE64, IntArray, Objective, UnitsArray

# The pairs within a small gap (the core, which must be complete) are only collected
# by the bound scan while they are at most _CORE_PER_ROW per mentee on average,
# otherwise missing pairs are added and the rounds go on.
_CORE_PER_ROW = 32


@dataclass
class _Run:
    """Chosen pairs (local rows, mentors) of one exact solve, and how it went."""

    rows: IntArray
    cols: IntArray
    candidates: int = 0
    pricing_rounds: int = 0
    core: int = 0
    gap: int = 0
    exact_solves: int = 0
    # The candidate pairs the solve ended with (local rows, mentors), for fairness.
    known: tuple[IntArray, IntArray] | None = None
    # Whether every step's optimality was checked in integers.
    proven: bool = True


@dataclass(frozen=True)
class _Tuning:
    candidates: int
    mentor_side: int
    add_per_row: int
    max_rounds: int
    target_gap: int


def _solve_exact(
    table: _Table,
    objective: Objective,
    tuning: _Tuning,
    *,
    floor: int = 0,
    seed: tuple[IntArray, IntArray] | None = None,
) -> _Run:
    """Optimal assignment of the free mentees for total or coverage weights.

    Only pairs worth at least ``floor`` units count. The steps (the docstring of
    :mod:`matching.solver` says why the result is optimal over all pairs):

    1. candidates: each mentee's best mentors, each mentor's best mentees;
    2. rounds of: an exact solve of the candidates (a min-cost flow), the highest
       prices that prove it optimal over them (Bellman-Ford), and a scan of every
       pair for the dual bound and the pairs those prices show are missing, which
       join the candidates;
    3. with a duality gap left, the exact solve of every pair within the gap.
    """
    nf = table.nf
    cap = table.setup.cap_left
    clock = table.clock

    rows_parts: list[IntArray] = []
    cols_parts: list[IntArray] = []
    # Each mentor's best mentees need the table in memory: only it knows which of
    # the pairs are usable without scoring whole rows again.
    mentor_side = tuning.mentor_side if table.cache is not None else 0
    column_best = _ColumnBest()
    # Given the candidates of an earlier solve (fairness), a cached table is not
    # scanned for more: the rounds add what is missing.
    rescan = seed is None or table.cache is None or not table.filled
    for local, z in table.blocks() if rescan else ():
        key = table.keys(local, _floored(z, floor))
        r, c = _select(key, tuning.candidates)
        rows_parts.append(local[r])
        cols_parts.append(c)
        if mentor_side:
            column_best.add(local, key)
    table.done()
    clock.lap("scan_first")
    _check_range(table.top, nf, int(cap.sum()), table.m, objective)
    if mentor_side and rescan:
        r, c = column_best.pairs(table, mentor_side * cap, floor)
        rows_parts.append(r)
        cols_parts.append(c)
    if seed is not None:
        rows_parts.append(seed[0])
        cols_parts.append(seed[1])
    pairs = _Pairs(table, floor, _cat(rows_parts), _cat(cols_parts))
    clock.lap("candidates")
    # Weights: units plus beta (0 for total; "one more pair" for coverage).
    beta = int(_weights(objective, np.zeros(1, dtype=np.int64), nf, table.top)[0])

    rounds = 0
    core = 0
    exact_solves = 0
    while True:
        rounds += 1
        weights = pairs.units + beta
        rows, cols = _flow_assign(cap, pairs.rows, pairs.cols, weights, beta)
        exact_solves += 1
        clock.lap("exact")
        # The highest prices that prove it optimal over the candidates. They need
        # not settle (a LAPJV fallback in floats): any prices >= 0 give a bound.
        v, _settled = _max_prices(nf, cap, pairs.rows, pairs.cols, weights, rows, cols)
        clock.lap("prices")
        primal = int(table.units(rows, cols).sum()) + beta * len(rows)
        scan = _scan(
            table,
            v,
            beta,
            floor,
            pairs.duals(v, beta, nf),
            tuning.add_per_row,
            near=tuning.target_gap,
            near_budget=_CORE_PER_ROW * nf,
        )
        u = scan.u
        clock.lap("scan_bound")
        gap = int(u.sum()) + int((cap * v).sum()) - primal
        if gap < 0:
            raise RuntimeError(f"matching: dual bound under a feasible assignment ({gap})")
        if gap == 0:
            # The bound is reached: optimal over every pair.
            proven = True
            break
        if gap <= tuning.target_gap and scan.near_complete:
            # The pairs within the gap were collected by the same scan.
            keep = u[scan.near_rows] + v[scan.near_cols] - scan.near_weights <= gap
            core_rows, core_cols = scan.near_rows[keep], scan.near_cols[keep]
            core_weights = scan.near_weights[keep]
        elif pairs.add(scan.found_rows, scan.found_cols) and rounds < tuning.max_rounds:
            continue
        else:
            core_rows, core_cols, core_weights = _scan_core(table, u, v, beta, floor, gap)
            clock.lap("scan_core")
        core = len(core_rows)
        rows, cols = _flow_assign(cap, core_rows, core_cols, core_weights, beta)
        # The core's optimum is the optimum over every pair; check it is one (in
        # integers, whatever a fallback's floats did).
        _proof, proven = _max_prices(nf, cap, core_rows, core_cols, core_weights, rows, cols)
        clock.lap("exact_core")
        exact_solves += 1
        break
    return _Run(
        rows=rows,
        cols=cols,
        candidates=len(pairs.rows),
        pricing_rounds=rounds,
        core=core,
        gap=gap,
        exact_solves=exact_solves,
        known=(pairs.rows, pairs.cols),
        proven=proven,
    )


def _floored(z: UnitsArray, floor: int) -> UnitsArray:
    """Units with pairs under the floor marked not usable."""
    if floor <= 0:
        return z
    if z.dtype == np.int64:
        return np.where(z >= floor, z, np.int64(_NONE64))
    return np.where(z >= floor, z.astype(np.int32), np.int32(_NONE))


class _Pairs:
    """A growing set of usable (local row, mentor) pairs with their exact units."""

    def __init__(self, table: _Table, floor: int, rows: IntArray, cols: IntArray) -> None:
        self.table = table
        self.floor = floor
        self.rows = np.zeros(0, dtype=np.int64)
        self.cols = np.zeros(0, dtype=np.int64)
        self.units = np.zeros(0, dtype=np.int64)
        self._keys = np.zeros(0, dtype=np.int64)
        self.add(rows, cols)

    def add(self, rows: IntArray, cols: IntArray) -> int:
        """Add the pairs not there yet (and usable); returns how many were added."""
        m = self.table.m
        keys = np.unique(rows.astype(np.int64) * m + cols)
        keys = keys[~np.isin(keys, self._keys, assume_unique=True)]
        if not len(keys):
            return 0
        units = self.table.units(keys // m, keys % m)
        ok = units >= max(self.floor, 0)
        keys, units = keys[ok], units[ok]
        self._keys = np.concatenate([self._keys, keys])
        self.rows = np.concatenate([self.rows, keys // m])
        self.cols = np.concatenate([self.cols, keys % m])
        self.units = np.concatenate([self.units, units])
        return len(keys)

    def duals(self, v: IntArray, beta: int, n: int) -> IntArray:
        """u_i = max(0, max over these pairs of w_ij - v_j)."""
        u = np.zeros(n, dtype=np.int64)
        if len(self.rows):
            np.maximum.at(u, self.rows, self.units + beta - v[self.cols])
        return u
