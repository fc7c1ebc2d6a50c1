"""The exact solver, :func:`solve`."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matching.solver.exact import _Run, _solve_exact, _Tuning
from matching.solver.fairness import _solve_fairness
from matching.solver.problem import _setup
from matching.solver.result import Assignment, SolveStats, _result, _zero_fill
from matching.solver.sources import ScoreSource
from matching.solver.table import _Table
from matching.solver.units import Objective


def solve(
    source: ScoreSource,
    *,
    capacity: npt.ArrayLike,
    objective: Objective | str = Objective.TOTAL,
    pins: Sequence[tuple[int, int]] = (),
    blocks: Sequence[tuple[int, int]] = (),
    candidates: int = 20,
    mentor_side: int = 4,
    block_rows: int = 256,
    cache_mb: int = 1024,
    resolution: int = 16,
    theta: int = 8,
    auction_eps: int = 1024,
    add_per_row: int = 4,
    max_rounds: int = 8,
    target_gap: int = 300,
    near: int = 256,
    resumes: int = 2,
) -> Assignment:
    """The optimal assignment for ``objective``, proven over all pairs.

    ``capacity`` has one entry per mentor. Pins (mentee, mentor) are kept as they
    are, whatever the rules say (check them with the scorer first if needed), and
    use up capacity; blocked pairs are never proposed.

    The rest changes how fast the answer comes, never the answer. The table of
    units is kept in memory (int16 or int32) when it takes at most ``cache_mb``, otherwise
    scored again for each scan, ``block_rows`` mentees at a time. Candidates:
    ``candidates`` best mentors per mentee and ``mentor_side`` times capacity best
    mentees per mentor (only with the table in memory). Then rounds (at most
    ``max_rounds``) of an exact solve of the candidates (a min-cost flow), its
    prices and a proof scan that adds up to ``add_per_row`` missing pairs per
    mentee, until the duality gap is at most ``target_gap`` units; the pairs within
    the gap are then solved exactly. ``resolution``, ``theta``, ``auction_eps``,
    ``near`` and ``resumes`` tuned the warm-up auction that the min-cost flow
    replaced; they are still accepted and change nothing.
    """
    started = time.perf_counter()
    objective = Objective(objective)
    setup = _setup(source, capacity, pins, blocks)
    table = _Table(setup, source, block_rows=block_rows, cache_bytes=cache_mb << 20)
    del resolution, theta, auction_eps, near, resumes  # see the docstring
    tuning = _Tuning(
        candidates=max(1, candidates),
        mentor_side=max(0, mentor_side),
        add_per_row=max(1, add_per_row),
        max_rounds=max(1, max_rounds),
        target_gap=max(0, target_gap),
    )
    if not table.nf or not (setup.cap_left > 0).any():
        # Nobody to match, or no place: one pass tells who has an allowed mentor.
        for _block in table.blocks():
            pass
        empty = np.zeros(0, dtype=np.int64)
        run = _Run(rows=empty, cols=empty)
    elif objective == Objective.FAIRNESS:
        run = _solve_fairness(table, tuning)
    else:
        run = _solve_exact(table, objective, tuning)
    rows, cols = run.rows, run.cols
    if objective == Objective.TOTAL:
        rows, cols = _zero_fill(rows, cols, setup.cap_left, table.has_feasible, table.rows)
    stats = SolveStats(
        method="sparse",
        seconds=time.perf_counter() - started,
        candidates=run.candidates,
        pricing_rounds=run.pricing_rounds,
        core=run.core,
        gap_units=run.gap,
        cached=table.cache is not None,
        proven=run.proven,
        exact_solves=run.exact_solves,
        timings=table.clock.items(),
    )
    return _result(setup, source, objective, rows, cols, table.has_feasible, stats)
