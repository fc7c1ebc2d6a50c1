"""The naive baseline: the best remaining pair first."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matching.solver.problem import _setup
from matching.solver.result import Assignment, SolveStats, _result
from matching.solver.sources import ScoreSource
from matching.solver.table import _select, _Table
from matching.solver.units import Objective


def solve_greedy(
    source: ScoreSource,
    *,
    capacity: npt.ArrayLike,
    pins: Sequence[tuple[int, int]] = (),
    blocks: Sequence[tuple[int, int]] = (),
    candidates: int = 50,
    block_rows: int = 256,
) -> Assignment:
    """The baseline: the best remaining pair first, among each mentee's best candidates."""
    started = time.perf_counter()
    setup = _setup(source, capacity, pins, blocks)
    table = _Table(setup, source, block_rows=block_rows, cache_bytes=0)
    rows_parts, cols_parts, units_parts = [], [], []
    for local, z in table.blocks():
        r, c = _select(z, candidates)
        rows_parts.append(local[r])
        cols_parts.append(c)
        units_parts.append(z[r, c].astype(np.int64))
    table.done()
    rows = np.concatenate(rows_parts) if rows_parts else np.zeros(0, np.int64)
    cols = np.concatenate(cols_parts) if cols_parts else np.zeros(0, np.int64)
    units = np.concatenate(units_parts) if units_parts else np.zeros(0, np.int64)
    order = np.lexsort((cols, rows, -units))
    left = setup.cap_left.copy()
    taken = np.zeros(table.nf, dtype=np.bool_)
    rows_out: list[int] = []
    cols_out: list[int] = []
    for r, c in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        if not taken[r] and left[c] > 0:
            taken[r] = True
            left[c] -= 1
            rows_out.append(r)
            cols_out.append(c)
    stats = SolveStats(method="greedy", seconds=time.perf_counter() - started, candidates=len(rows))
    return _result(
        setup,
        source,
        Objective.TOTAL,
        np.array(rows_out, dtype=np.int64),
        np.array(cols_out, dtype=np.int64),
        table.has_feasible,
        stats,
    )
