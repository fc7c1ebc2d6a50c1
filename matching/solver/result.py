"""What a solve returns: the :class:`Assignment`, its value and its statistics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from matching.solver.problem import _Setup
from matching.solver.sources import ScoreSource
from matching.solver.units import (
    SCORE_UNITS,
    BoolArray,
    FloatArray,
    IntArray,
    Objective,
    Reason,
    UnitsArray,
    score_units,
)


@dataclass(frozen=True)
class ObjectiveValue:
    """What an assignment achieves, in whole score units (hundredths of a point).

    ``matched`` and ``total_units`` count every pair, pins included; ``min_units`` is
    the lowest score among the pairs the solver chose (pins are the coordinator's and
    are left out), ``None`` when it chose none.
    """

    objective: Objective
    matched: int
    total_units: int
    min_units: int | None

    @property
    def total(self) -> float:
        return self.total_units / SCORE_UNITS

    @property
    def min_score(self) -> float | None:
        return None if self.min_units is None else self.min_units / SCORE_UNITS

    @property
    def key(self) -> tuple[int, ...]:
        """The tuple the objective maximises, compared lexicographically."""
        if self.objective == Objective.TOTAL:
            return (self.total_units,)
        if self.objective == Objective.COVERAGE:
            return (self.matched, self.total_units)
        lowest = -1 if self.min_units is None else self.min_units
        return (self.matched, lowest, self.total_units)


@dataclass(frozen=True)
class SolveStats:
    method: str
    seconds: float = 0.0
    # Candidate pairs the solve ended with, its rounds (exact solve of the
    # candidates, prices, a scan of every pair), and pairs in the core that was
    # solved exactly with the duality gap (in units) that bounded it.
    candidates: int = 0
    pricing_rounds: int = 0
    core: int = 0
    gap_units: int = 0
    # Always 0 since the min-cost flow replaced the warm-up auction (kept for
    # readers of older statistics).
    auction_rounds: int = 0
    # Whether the approximate score matrix was kept in memory between scans.
    cached: bool = False
    # True when the result is optimal with a proof (sparse and dense methods).
    proven: bool = False
    # How many exact solves (min-cost flow) ran, and seconds spent per step.
    exact_solves: int = 0
    timings: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Assignment:
    """Pairs (sorted by mentee), the unmatched mentees with a reason, and the value.

    ``scores`` are the exact scores of the pairs; ``pinned`` marks the pins.
    ``reasons[k]`` is why ``unmatched[k]`` has no mentor.
    """

    mentees: IntArray
    mentors: IntArray
    scores: FloatArray
    pinned: BoolArray
    unmatched: IntArray
    reasons: tuple[Reason, ...]
    value: ObjectiveValue
    stats: SolveStats = field(default_factory=lambda: SolveStats(method=""))

    def pairs(self) -> list[tuple[int, int]]:
        return list(zip(self.mentees.tolist(), self.mentors.tolist(), strict=True))


def _result(
    setup: _Setup,
    source: ScoreSource,
    objective: Objective,
    rows: IntArray,
    cols: IntArray,
    has_feasible: BoolArray,
    stats: SolveStats,
) -> Assignment:
    """The Assignment for solver-chosen pairs (free-mentee rows, mentors) plus pins."""
    all_rows = np.concatenate([setup.free[rows], setup.pin_rows])
    all_cols = np.concatenate([cols, setup.pin_cols])
    pinned = np.concatenate([np.zeros(len(rows), np.bool_), np.ones(len(setup.pin_rows), np.bool_)])
    order = np.argsort(all_rows, kind="stable")
    all_rows, all_cols, pinned = all_rows[order], all_cols[order], pinned[order]
    scores = source.exact(all_rows, all_cols) if len(all_rows) else np.zeros(0)
    units = score_units(scores)
    chosen = units[~pinned]
    value = ObjectiveValue(
        objective=objective,
        matched=len(all_rows),
        total_units=int(units.sum()),
        min_units=int(chosen.min()) if len(chosen) else None,
    )
    matched = np.zeros(setup.n, dtype=np.bool_)
    matched[all_rows] = True
    unmatched = np.flatnonzero(~matched).astype(np.int64)
    feasible_any = np.zeros(setup.n, dtype=np.bool_)
    feasible_any[setup.free] = has_feasible
    reasons = tuple(
        Reason.CAPACITY_EXHAUSTED if feasible_any[i] else Reason.NO_FEASIBLE_CANDIDATE
        for i in unmatched.tolist()
    )
    return Assignment(
        mentees=all_rows,
        mentors=all_cols,
        scores=np.asarray(scores, dtype=np.float64),
        pinned=pinned,
        unmatched=unmatched,
        reasons=reasons,
        value=value,
        stats=stats,
    )


def _zero_fill(
    rows: IntArray,
    cols: IntArray,
    cap_left: IntArray,
    has_feasible: BoolArray,
    units_of: Callable[[IntArray], UnitsArray],
) -> tuple[IntArray, IntArray]:
    """Pairs worth nothing for unmatched mentees where an allowed mentor has room.

    After a "total" solve such a pair can only be worth 0 units (more would raise
    the total), so adding it keeps the total; afterwards a mentee left out has no
    allowed mentor with room. Mentees in order, each to the first such mentor.
    """
    left = cap_left - np.bincount(cols, minlength=len(cap_left))
    matched = np.zeros(len(has_feasible), dtype=np.bool_)
    matched[rows] = True
    waiting = np.flatnonzero(~matched & has_feasible)
    if not len(waiting) or not (left > 0).any():
        return rows, cols
    extra_rows: list[int] = []
    extra_cols: list[int] = []
    for row, units in zip(waiting.tolist(), units_of(waiting), strict=True):
        room = np.flatnonzero((units >= 0) & (left > 0))
        if len(room):
            left[room[0]] -= 1
            extra_rows.append(row)
            extra_cols.append(int(room[0]))
    return (
        np.concatenate([rows, np.array(extra_rows, dtype=np.int64)]),
        np.concatenate([cols, np.array(extra_cols, dtype=np.int64)]),
    )
