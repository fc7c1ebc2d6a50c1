"""The problem set-up shared by every method: scores, capacities, pins, blocks, weights."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching.solver.sources import ScoreSource
from matching.solver.units import (
    _MIN_SCORE,
    MAX_SCORE,
    SCORE_UNITS,
    BoolArray,
    FloatArray,
    IntArray,
    Objective,
    _bad_score,
)

# Every weight times every count the methods multiply it by stays under this.
_INT64_SAFE = 2**61


def _check_scores(scores: FloatArray, allowed: BoolArray, rows: IntArray) -> FloatArray:
    """The block's scores, refused (naming the pair) where an allowed pair's score is
    not a number from 0 to MAX_SCORE; a bad score of a pair not allowed becomes 0."""
    if not scores.size:
        return scores
    low, high = scores.min(), scores.max()
    if low >= _MIN_SCORE and high <= MAX_SCORE:
        return scores
    bad = ~((scores >= _MIN_SCORE) & (scores <= MAX_SCORE))
    hit = np.argwhere(bad & allowed)
    if len(hit):
        r, c = (int(k) for k in hit[0])
        raise ValueError(_bad_score(int(rows[r]), c, float(scores[r, c]), MAX_SCORE))
    return np.where(bad, 0.0, scores)


def _capacity(capacity: npt.ArrayLike, m: int) -> IntArray:
    """One whole number >= 0 per mentor, or a ValueError naming the first mentor
    whose capacity is not one."""
    values = np.asarray(capacity)
    if values.shape != (m,):
        values = values.ravel()
        if values.shape != (m,):
            raise ValueError(f"capacity must have one value per mentor ({m})")
    if values.dtype.kind in "iub":
        whole = values.astype(np.int64)
        bad = np.flatnonzero(whole < 0)
    elif values.dtype.kind == "f":
        finite = np.isfinite(values)
        ok = finite & (values >= 0) & (np.floor(np.where(finite, values, 0)) == values)
        bad = np.flatnonzero(~ok)
        whole = np.where(ok, values, 0).astype(np.int64)
    else:
        whole = np.zeros(m, dtype=np.int64)
        wrong = []
        for j, value in enumerate(values.tolist()):
            number = isinstance(value, int | float) and math.isfinite(value)
            if number and float(value).is_integer() and value >= 0:
                whole[j] = int(value)
            else:
                wrong.append(j)
        bad = np.array(wrong, dtype=np.int64)
    if len(bad):
        j = int(bad[0])
        raise ValueError(
            f"mentor {j}: the capacity {values.tolist()[j]!r} is not a whole number >= 0"
        )
    return whole


def _check_range(top: int, n_free: int, slots: int, m: int, objective: Objective) -> int:
    """The largest weight of this objective (its units plus the coverage term), or a
    ValueError when the sums and products of such weights could leave int64."""
    wmax = int(_weights(objective, np.array([top]), n_free, top)[0])
    # Prices are weights (the margin of 64 is kept from the auction's resolution);
    # bounds and path lengths add at most n_free + slots + m of them.
    if wmax * 64 * (n_free + slots + m + 2) >= _INT64_SAFE:
        raise ValueError(
            f"scores up to {top / SCORE_UNITS:g} points for {n_free} mentees are too large "
            f'to solve exactly for "{objective.value}": lower the scores'
            + ("" if objective == Objective.TOTAL else ' or use "total"')
        )
    return wmax


class _Clock:
    """Seconds spent per named step (``lap`` closes the step that just ended)."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self.last
        self.last = now

    def items(self) -> tuple[tuple[str, float], ...]:
        return tuple((name, round(seconds, 4)) for name, seconds in self.laps.items())


@dataclass
class _Setup:
    n: int
    m: int
    capacity: IntArray
    free: IntArray  # mentee rows not pinned
    cap_left: IntArray
    pin_rows: IntArray
    pin_cols: IntArray
    blocked: sp.csr_matrix  # (n, m) 1 where blocked


def _setup(
    source: ScoreSource,
    capacity: npt.ArrayLike,
    pins: Sequence[tuple[int, int]],
    blocks: Sequence[tuple[int, int]],
) -> _Setup:
    n, m = source.n_mentees, source.n_mentors
    # More places than mentees change nothing (and would cost memory).
    cap = np.minimum(_capacity(capacity, m), n)
    pin_rows = np.array([p[0] for p in pins], dtype=np.int64)
    pin_cols = np.array([p[1] for p in pins], dtype=np.int64)
    block_rows = np.array([b[0] for b in blocks], dtype=np.int64)
    block_cols = np.array([b[1] for b in blocks], dtype=np.int64)
    for rows, cols in ((pin_rows, pin_cols), (block_rows, block_cols)):
        if len(rows) and (rows.min() < 0 or rows.max() >= n or cols.min() < 0 or cols.max() >= m):
            raise ValueError("a pin or block names a mentee or mentor that does not exist")
    if len(np.unique(pin_rows)) != len(pin_rows):
        raise ValueError("a mentee is pinned twice")
    pinned_per_mentor = np.bincount(pin_cols, minlength=m)
    if (pinned_per_mentor > cap).any():
        raise ValueError("a mentor has more pins than capacity")
    blocked = sp.csr_matrix(
        (np.ones(len(block_rows), dtype=np.int8), (block_rows, block_cols)), shape=(n, m)
    )
    blocked.sum_duplicates()
    if len(pin_rows) and np.asarray(blocked[pin_rows, pin_cols]).any():
        raise ValueError("a pair is both pinned and blocked")
    free = np.setdiff1d(np.arange(n, dtype=np.int64), pin_rows)
    return _Setup(
        n=n,
        m=m,
        capacity=cap,
        free=free,
        cap_left=np.minimum(cap - pinned_per_mentor, len(free)),
        pin_rows=pin_rows,
        pin_cols=pin_cols,
        blocked=blocked,
    )


def _allowed(setup: _Setup, rows_free: IntArray, feasible: BoolArray) -> BoolArray:
    """Feasible, not blocked, and the mentor has capacity at all (before pins)."""
    rows = setup.free[rows_free]
    ok = feasible & (setup.capacity > 0)[None, :]
    blocked = setup.blocked[rows]
    if blocked.nnz:
        ok[np.repeat(np.arange(len(rows)), np.diff(blocked.indptr)), blocked.indices] = False
    return ok


def _weights(objective: Objective, units: IntArray, n_free: int, top: int) -> IntArray:
    """Integer weights of pairs worth ``units``.

    total: the units themselves. coverage: units plus more than any total could be
    (n * (top + 1) + 1, with ``top`` the largest units of any pair), so that one more
    pair beats any difference in total.
    """
    if objective == Objective.TOTAL:
        return units.astype(np.int64)
    return units.astype(np.int64) + (n_free * (top + 1) + 1)
