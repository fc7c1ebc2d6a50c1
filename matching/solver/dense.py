"""The reference: scipy's linear_sum_assignment over every mentee x capacity slot."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from matching.solver.problem import _allowed, _check_range, _check_scores, _setup, _weights
from matching.solver.result import Assignment, SolveStats, _result, _zero_fill
from matching.solver.sources import ScoreSource
from matching.solver.units import _NONE, BoolArray, IntArray, Objective, score_units

# Float64 (the dense reference, scipy's LAPJV) is exact for integers below this.
_FLOAT_EXACT = 2**52


def _dense_assign(
    units: IntArray, ok: BoolArray, cap: IntArray, objective: Objective, floor: int = 0
) -> tuple[IntArray, IntArray]:
    """linear_sum_assignment over capacity slots; pairs not allowed weigh 0.

    Weighing 0 is the same as a dummy "not matched" column per mentee: a mentee put
    on a 0 entry is left unmatched (for "total", pairs worth 0 units too; they are
    added back like the sparse solver does).
    """
    nf = units.shape[0]
    slots = np.repeat(np.arange(len(cap)), cap)
    if not nf or not len(slots):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    allowed = ok & (units >= floor)
    top = int(units[ok].max()) if ok.any() else 0
    weights = np.where(allowed, _weights(objective, units, nf, top), 0)
    rows, slot_cols = linear_sum_assignment(-weights.astype(np.float64)[:, slots])
    cols = slots[slot_cols]
    real = weights[rows, cols] > 0
    return rows[real].astype(np.int64), cols[real].astype(np.int64)


def solve_dense(
    source: ScoreSource,
    *,
    capacity: npt.ArrayLike,
    objective: Objective | str = Objective.TOTAL,
    pins: Sequence[tuple[int, int]] = (),
    blocks: Sequence[tuple[int, int]] = (),
    block_rows: int = 256,
) -> Assignment:
    """The reference: every pair, scipy's linear_sum_assignment over capacity slots.

    Memory grows with mentees x total capacity (8 bytes each, a few copies).
    Fairness bisects over every distinct score value, a dense coverage solve each.
    """
    started = time.perf_counter()
    objective = Objective(objective)
    setup = _setup(source, capacity, pins, blocks)
    nf, m = len(setup.free), setup.m
    units = np.zeros((nf, m), dtype=np.int64)
    ok = np.zeros((nf, m), dtype=np.bool_)
    for start in range(0, nf, block_rows):
        local = np.arange(start, min(nf, start + block_rows), dtype=np.int64)
        scores, feasible = source.exact_block(setup.free[local])
        ok[local] = _allowed(setup, local, feasible)
        units[local] = score_units(_check_scores(scores, ok[local], setup.free[local]))
    has_feasible = ok.any(axis=1)
    cap = setup.cap_left
    ok &= (cap > 0)[None, :]
    top = int(units[ok].max()) if ok.any() else 0
    wmax = _check_range(top, nf, int(cap.sum()), m, objective)
    if objective == Objective.FAIRNESS:
        rows, cols = _dense_assign(units, ok, cap, Objective.COVERAGE)
        if len(rows):
            values = np.unique(units[ok])
            lo, hi = 0, len(values)
            while lo < hi:
                mid = (lo + hi) // 2
                r, _c = _dense_assign(units, ok, cap, Objective.COVERAGE, int(values[mid]))
                if len(r) == len(rows):
                    lo = mid + 1
                else:
                    hi = mid
            rows, cols = _dense_assign(units, ok, cap, Objective.COVERAGE, int(values[lo - 1]))
    else:
        rows, cols = _dense_assign(units, ok, cap, objective)
    if objective == Objective.TOTAL:
        table = np.where(ok, 0, _NONE).astype(np.int32)
        rows, cols = _zero_fill(rows, cols, cap, has_feasible, lambda r: table[r])
    stats = SolveStats(
        method="dense",
        seconds=time.perf_counter() - started,
        candidates=int(ok.sum()),
        # linear_sum_assignment works in floats: exact while its sums are.
        proven=(nf + 1) * wmax < _FLOAT_EXACT,
    )
    return _result(setup, source, objective, rows, cols, has_feasible, stats)
