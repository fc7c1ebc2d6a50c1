"""Assigning mentees to mentors: exact, under capacities, hard rules, pins and blocks.

Pure (numpy and scipy, no Django). Scores come from a :class:`ScoreSource` (a
:class:`matching.scoring.Scorer`, a dense :class:`MatrixSource` or a sparse
:class:`PairSource`); :func:`solve` returns an :class:`Assignment`.

Objectives (docs/matching.md has the long version and the proofs):

- ``total``: the largest total score. Then pairs worth nothing are added where a
  mentor still has room, so that nobody is left out next to a free place they may
  take (this leaves the total as it is).
- ``coverage``: the most people matched; among those assignments, the largest total.
- ``fairness``: among the assignments matching the most people, the one whose lowest
  score is highest; among those, the largest total.

Scores are optimised as whole hundredths of a point (``SCORE_UNITS``), so objective
values are integers and every method here agrees to the unit.

How :func:`solve` is exact without handing every pair to an exact solver the way
the dense reference does (mentees x capacity slots):

1. One scan scores every pair (kept as int16 or int32 units when it fits ``cache_mb``) and
   takes each mentee's best mentors and each mentor's best mentees as candidates.
2. An epsilon-scaling auction over the candidates gives mentor prices v (the duals
   of the assignment LP). Scans of every pair add the pairs worth more at those
   prices than the candidates, and the auction resumes.
3. Scipy's sparse LAPJV (min_weight_full_bipartite_matching, over capacity slots)
   solves the pairs nearly tight at those prices exactly; Bellman-Ford then finds
   the highest prices v that prove that assignment optimal over every candidate
   (or, when it is not, LAPJV solves the candidates first).
4. With ``u_i = max(0, max_j w_ij - v_j)`` over *every* allowed pair (one more
   scan), (u, v) is a feasible dual, so ``D = sum(u) + sum(capacity * v)`` bounds
   every assignment from above, and the gap ``D - P`` to the assignment's value P
   is known. An assignment's value is D minus the reduced costs
   ``u_i + v_j - w_ij >= 0`` of its pairs (and the duals it leaves unused), so no
   pair whose reduced cost exceeds the gap is in an optimal assignment.
5. Gap 0: optimal. Otherwise the pairs within the gap (the core, a few per mentee)
   are solved exactly by LAPJV: their optimum is the optimum over all pairs. When
   the gap is large, the scan's missing pairs join the candidates and 3-4 repeat.

:func:`solve_dense` is the reference (scipy's linear_sum_assignment over every
mentee x capacity slot) and :func:`solve_greedy` the naive baseline.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import maximum_flow, min_weight_full_bipartite_matching

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
# A block or table of units: int32, int16 in a narrow table, int64 in a wide one.
UnitsArray = npt.NDArray[np.int32] | npt.NDArray[np.int16] | npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Scores are optimised in hundredths of a point.
SCORE_UNITS = 100
# The largest score (points) the solvers take: its units (1e11) stay exact in a float
# and, for "total", leave int64 sums far from overflow for millions of pairs. Other
# objectives check their own weights (see _check_range). A Scorer's are at most 100.
MAX_SCORE = 1e9
# A score a hair under 0 (float rounding of a sum) is 0 units; lower is refused.
_MIN_SCORE = -0.5 / SCORE_UNITS
# Units below this fit an int32 table with room for prices (see _excess).
_INT32_UNITS = 2**28
# Units of a pair that may not be proposed, in the table of units: far enough below
# zero that w_ij - v_j stays under -_BOUND for it whenever |v_j - beta| < _BOUND, so
# scans need no mask (every usable pair has w_ij - v_j > -_BOUND).
_NONE = -(2**30)
_BOUND = 2**29
# The same in a table kept as int16 (scores up to 327 points): the sentinel is the
# lowest int16, and usable pairs have w_ij - v_j > -_BOUND16 when |v_j - beta| is
# under _BOUND16.
_NONE16 = -(2**15)
_BOUND16 = 2**14
# The same in a table kept as int64 (units of 2**28 and more).
_NONE64 = -(2**61)
_BOUND64 = 2**60
# Every weight times every count the methods multiply it by stays under this.
_INT64_SAFE = 2**61
# Float64 (the dense reference, scipy's LAPJV) is exact for integers below this.
_FLOAT_EXACT = 2**52
# Weights and prices are int64; these stay far from overflow whatever is added.
_NEG = -(2**62)
_HUGE = 2**61
# Auction states of a person.
_ACTIVE, _HELD, _OUT = 0, 1, 2
# The auction resumes after a pricing scan that adds more pairs than this, from this
# many epsilon levels above the last.
_RESUME_MIN = 16
_RESUME_LEVELS = 1
# Bellman-Ford rounds before the prices of a warm solution are given up on.
_BF_STEPS = 200
# Ties between pairs of equal units are broken, wherever the solver picks a few pairs
# of many (candidates, nearly tight pairs, missing pairs), by a fixed pseudo-random
# number below _TIES per pair, so that mentees with equal rows do not all pick the
# same mentors. A pair's "key" is units * _TIES + that number (-1 when not usable).
_TIES = 1024
# The nearly tight pairs solved first (only a warm start) are at most this many
# per mentee; the pairs within a small gap (the core, which must be complete) are
# only collected by the bound scan while they are at most _CORE_PER_ROW per mentee
# on average, otherwise missing pairs are added and the rounds go on.
_NEAR_PER_ROW = 16
_CORE_PER_ROW = 32


class Objective(StrEnum):
    TOTAL = "total"
    COVERAGE = "coverage"
    FAIRNESS = "fairness"


class Reason(StrEnum):
    # No mentor with any capacity passes the hard rules (and blocks) for this mentee.
    NO_FEASIBLE_CANDIDATE = "no_feasible_candidate"
    # Every mentor who passes the hard rules is full (pins included).
    CAPACITY_EXHAUSTED = "capacity_exhausted"


class ScoreSource(Protocol):
    """Where the solvers read scores: any object with these members.

    Scores are points (>= 0; a Scorer's are 0 to 100). ``exact_block`` gives whole
    rows (mentees) of the score matrix with a feasibility mask, ``exact`` single
    pairs; both must give the same float for the same pair. A source may also tell
    its highest possible score as ``max_score`` (the solver then keeps the table of
    scores in half the memory when it is at most 327 points).
    """

    @property
    def n_mentees(self) -> int: ...

    @property
    def n_mentors(self) -> int: ...

    def exact_block(self, rows: IntArray) -> tuple[FloatArray, BoolArray]: ...

    def exact(self, rows: IntArray, cols: IntArray) -> FloatArray: ...


class MatrixSource:
    """A dense (mentees, mentors) score matrix, with an optional feasibility mask."""

    def __init__(self, scores: npt.ArrayLike, feasible: npt.ArrayLike | None = None) -> None:
        self.scores = np.asarray(scores, dtype=np.float64)
        if self.scores.ndim != 2:
            raise ValueError("scores must be a 2-d array")
        bad = ~(np.isfinite(self.scores) & (self.scores >= 0))
        if bad.any():
            i, j = (int(k) for k in np.argwhere(bad)[0])
            raise ValueError(_bad_score(i, j, float(self.scores[i, j])))
        self.feasible = (
            np.ones(self.scores.shape, dtype=np.bool_)
            if feasible is None
            else np.asarray(feasible, dtype=np.bool_)
        )
        if self.feasible.shape != self.scores.shape:
            raise ValueError("feasible must have the shape of scores")
        self.max_score = float(self.scores.max(initial=0.0))

    @property
    def n_mentees(self) -> int:
        return int(self.scores.shape[0])

    @property
    def n_mentors(self) -> int:
        return int(self.scores.shape[1])

    def exact_block(self, rows: IntArray) -> tuple[FloatArray, BoolArray]:
        return self.scores[rows], self.feasible[rows]

    def exact(self, rows: IntArray, cols: IntArray) -> FloatArray:
        return self.scores[rows, cols]


class PairSource:
    """Scores of listed pairs only; every pair not listed is infeasible."""

    def __init__(
        self,
        *,
        n_mentees: int,
        n_mentors: int,
        mentees: npt.ArrayLike,
        mentors: npt.ArrayLike,
        scores: npt.ArrayLike,
    ) -> None:
        rows = np.asarray(mentees, dtype=np.int64).ravel()
        cols = np.asarray(mentors, dtype=np.int64).ravel()
        values = np.asarray(scores, dtype=np.float64).ravel()
        if not rows.shape == cols.shape == values.shape:
            raise ValueError("mentees, mentors and scores must have the same length")
        bad = np.flatnonzero(~(np.isfinite(values) & (values >= 0)))
        if len(bad):
            k = int(bad[0])
            raise ValueError(_bad_score(int(rows[k]), int(cols[k]), float(values[k])))
        if len(rows) and (
            rows.min() < 0 or rows.max() >= n_mentees or cols.min() < 0 or cols.max() >= n_mentors
        ):
            raise ValueError("a pair names a mentee or mentor that does not exist")
        keys = rows * n_mentors + cols
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        if len(self._keys) > 1 and (np.diff(self._keys) == 0).any():
            raise ValueError("a pair is listed twice")
        self._values = values[order]
        self.max_score = float(values.max(initial=0.0))
        self._n_mentees, self._n_mentors = n_mentees, n_mentors
        self._listed = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n_mentees, n_mentors)
        )

    @property
    def n_mentees(self) -> int:
        return self._n_mentees

    @property
    def n_mentors(self) -> int:
        return self._n_mentors

    def exact_block(self, rows: IntArray) -> tuple[FloatArray, BoolArray]:
        rows = np.asarray(rows, dtype=np.int64)
        feasible = np.asarray(self._listed[rows].toarray(), dtype=np.bool_)
        scores = np.zeros(feasible.shape, dtype=np.float64)
        r, c = np.nonzero(feasible)
        scores[r, c] = self.exact(rows[r], c.astype(np.int64))
        return scores, feasible

    def exact(self, rows: IntArray, cols: IntArray) -> FloatArray:
        """Listed pairs' scores (0 for a pair not listed)."""
        keys = np.asarray(rows, dtype=np.int64) * self._n_mentors + np.asarray(cols)
        if not len(self._keys):
            return np.zeros(len(keys), dtype=np.float64)
        pos = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
        return np.where(self._keys[pos] == keys, self._values[pos], 0.0)


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
    # Candidate pairs the auction ended with, pricing rounds, and pairs in the core
    # that was solved exactly with the duality gap (in units) that bounded it.
    candidates: int = 0
    pricing_rounds: int = 0
    core: int = 0
    gap_units: int = 0
    auction_rounds: int = 0
    # Whether the approximate score matrix was kept in memory between scans.
    cached: bool = False
    # True when the result is optimal with a proof (sparse and dense methods).
    proven: bool = False
    # How many times the sparse LAPJV ran, and seconds spent per step.
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


def score_units(scores: npt.ArrayLike) -> IntArray:
    """Scores as whole hundredths of a point (halves up), as the solvers optimise them."""
    return np.floor(np.asarray(scores, dtype=np.float64) * SCORE_UNITS + 0.5).astype(np.int64)


def _bad_score(mentee: int, mentor: int, value: float, limit: float | None = None) -> str:
    if limit is None:
        return f"mentee {mentee} and mentor {mentor}: the score {value!r} is not a number >= 0"
    return (
        f"mentee {mentee} and mentor {mentor}: the score {value!r} is not a number from 0 "
        f"to {limit:g}, the largest the solver takes"
    )


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
    # Prices and profits are weights (times the auction's resolution, at most 64);
    # bounds and path lengths add at most n_free + slots + m of them.
    if wmax * 64 * (n_free + slots + m + 2) >= _INT64_SAFE:
        raise ValueError(
            f"scores up to {top / SCORE_UNITS:g} points for {n_free} mentees are too large "
            f'to solve exactly for "{objective.value}": lower the scores'
            + ("" if objective == Objective.TOTAL else ' or use "total"')
        )
    return wmax


# -- problem set-up shared by every method ---------------------------------------


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


def _weights(objective: Objective, units: IntArray, n_free: int, top: int) -> IntArray:
    """Integer weights of pairs worth ``units``.

    total: the units themselves. coverage: units plus more than any total could be
    (n * (top + 1) + 1, with ``top`` the largest units of any pair), so that one more
    pair beats any difference in total.
    """
    if objective == Objective.TOTAL:
        return units.astype(np.int64)
    return units.astype(np.int64) + (n_free * (top + 1) + 1)


# -- the table of units --------------------------------------------------------------


class _Table:
    """Exact units of every (free mentee, mentor) pair, ``_NONE`` where not allowed.

    Rows are numbered 0..len(setup.free)-1 ("local"). Kept in memory when it takes at
    most ``cache_bytes`` (int16 when the source's ``max_score`` allows, int32, or int64
    once a score of 2**28 units or more is seen); otherwise each scan asks the source
    again. Every score is checked (:func:`_check_scores`) as it is first read.
    A pair is "usable" when allowed and its mentor has room after the pins.
    """

    def __init__(
        self, setup: _Setup, source: ScoreSource, *, block_rows: int, cache_bytes: int
    ) -> None:
        self.setup = setup
        self.source = source
        self.block_rows = block_rows
        self.nf = len(setup.free)
        self.m = setup.m
        # int16 when the source promises scores of at most 327 points.
        max_score = getattr(source, "max_score", None)
        narrow = max_score is not None and max_score * SCORE_UNITS + 1 < -_NONE16
        self.wide = max_score is not None and max_score * SCORE_UNITS + 1 >= _INT32_UNITS
        dtype = np.int16 if narrow else np.int64 if self.wide else np.int32
        self.cache_bytes = cache_bytes
        self.cache: UnitsArray | None = (
            np.empty((self.nf, self.m), dtype=dtype)
            if self.nf * self.m * np.dtype(dtype).itemsize <= cache_bytes
            else None
        )
        self.has_feasible = np.zeros(self.nf, dtype=np.bool_)
        self._filled = False
        self.top = 0
        self.clock = _Clock()
        # Mentors with room once the pins are placed, when pins fill some.
        self._room = setup.cap_left > 0
        self._pins_fill = bool((self._room != (setup.capacity > 0)).any())
        # The tie-breaking number of pair (i, j) is (row_ties[i] ^ col_ties[j]) % _TIES.
        rng = np.random.default_rng(0x5EED)
        self.row_ties = rng.integers(0, _TIES, self.nf, dtype=np.int32)
        self.col_ties = rng.integers(0, _TIES, self.m, dtype=np.int32)
        # Keys fit an int32 when units do in an int16.
        self.key_dtype = np.int32 if dtype == np.int16 else np.int64

    def ties(self, rows: IntArray, cols: IntArray) -> Int32Array:
        """The tie-breaking numbers of these pairs (local rows)."""
        return self.row_ties[rows] ^ self.col_ties[cols]

    def keys(self, local: IntArray, z: UnitsArray) -> IntArray:
        """Keys of a block of rows (see _TIES): units * _TIES + tie, -1 if not usable."""
        key: IntArray = z.astype(self.key_dtype if z.dtype != np.int64 else np.int64)
        np.multiply(key, _TIES, out=key)
        np.add(key, self.row_ties[local][:, None] ^ self.col_ties[None, :], out=key)
        np.putmask(key, z < 0, -1)
        return key

    def pair_keys(self, rows: IntArray, cols: IntArray) -> IntArray:
        """Keys of single pairs (local rows)."""
        units = self.units(rows, cols)
        return np.where(units >= 0, units * _TIES + self.ties(rows, cols), -1)

    def blocks(self) -> Iterator[tuple[IntArray, UnitsArray]]:
        """(local rows, units) a block of rows at a time: units >= 0 for a usable pair,
        ``_NONE`` (or ``_NONE16`` from an int16 table) for one that is not."""
        for start in range(0, self.nf, self.block_rows):
            local = np.arange(start, min(self.nf, start + self.block_rows), dtype=np.int64)
            yield local, self.rows(local)

    def rows(self, local: IntArray) -> UnitsArray:
        if self._filled and self.cache is not None:
            return self.cache[local]
        rows = self.setup.free[local]
        scores, feasible = self.source.exact_block(rows)
        allowed = _allowed(self.setup, local, feasible)
        if not self._filled:
            self.has_feasible[local] = allowed.any(axis=1)
        if self._pins_fill:
            allowed &= self._room[None, :]
        high = 0.0
        if scores.size:
            low, high = float(scores.min()), float(scores.max())
            if not (low >= _MIN_SCORE and high <= MAX_SCORE):
                scores = _check_scores(scores, allowed, rows)
                high = float(scores.max())
        if not self.wide and high * SCORE_UNITS + 0.5 >= _INT32_UNITS:
            self._widen()
        # score_units with few passes: floor(score * 100 + 0.5), where the cast (which
        # truncates) is the floor, every score being at least -0.005.
        scaled = np.multiply(scores, SCORE_UNITS, dtype=np.float64)
        scaled += 0.5
        units = scaled.astype(np.int64 if self.wide else np.int32)
        np.logical_not(allowed, out=allowed)
        np.putmask(units, allowed, _NONE64 if self.wide else _NONE)
        if not self._filled and units.size:
            self.top = max(self.top, int(units.max()))
            if self.cache is not None:
                if self.cache.dtype == np.int16:
                    if self.top > np.iinfo(np.int16).max:
                        raise ValueError("a score is above the source's max_score")
                    self.cache[local] = np.maximum(units, _NONE16)
                else:
                    self.cache[local] = units
        return units  # type: ignore[return-value]

    def _widen(self) -> None:
        """Units from now on in int64 (a score of 2**28 units or more has come)."""
        self.wide = True
        if self.cache is None:
            return
        if self.nf * self.m * 8 > self.cache_bytes:
            self.cache = None
            return
        old = self.cache
        sentinel = _NONE16 if old.dtype == np.int16 else _NONE
        self.cache = np.where(old == sentinel, _NONE64, old).astype(np.int64)

    def done(self) -> None:
        """The first scan is over: later ones read the cache (if any)."""
        self._filled = True

    def units(self, rows: IntArray, cols: IntArray) -> IntArray:
        """Units of these pairs: < 0 for one not usable only when cached, so without
        a cache every pair asked for must be usable."""
        if self.cache is not None and self._filled:
            return self.cache[rows, cols].astype(np.int64)
        return score_units(self.source.exact(self.setup.free[rows], cols))


def _nonzero(mask: BoolArray) -> tuple[IntArray, IntArray]:
    """np.nonzero of a 2-d mask, through the much faster flat version."""
    flat = np.flatnonzero(mask)
    rows, cols = np.divmod(flat, mask.shape[1])
    return rows, cols


def _select(z: UnitsArray, k: int) -> tuple[IntArray, IntArray]:
    """Up to about k of each row's best usable entries (units >= 0).

    Rather than a partial sort of every row, the threshold is the k-th largest of
    the maxima of 64 column groups, which keeps at least k entries (ties included,
    at most 4k per row).
    """
    if z.dtype == np.int16:
        z = z.astype(np.int32)
    b, m = z.shape
    groups = 64
    if m <= max(4 * k, groups) or 2 * k > groups:
        if m <= k:
            rows, cols = _nonzero(z >= 0)
            return rows.astype(np.int64), cols.astype(np.int64)
        part = np.argpartition(-z, k - 1, axis=1)[:, :k]
        rows = np.repeat(np.arange(b), k)
        cols = part.ravel()
        keep = z[rows, cols] >= 0
        return rows[keep].astype(np.int64), cols[keep].astype(np.int64)
    starts = np.linspace(0, m, groups, endpoint=False).astype(np.int64)
    group_max = np.maximum.reduceat(z, starts, axis=1)
    threshold = np.maximum(np.partition(group_max, groups - k, axis=1)[:, groups - k], 0)
    rows, cols = _nonzero(z >= threshold[:, None])
    counts = np.bincount(rows, minlength=b)
    crowded = np.flatnonzero(counts > 4 * k)
    if len(crowded):
        keep = ~np.isin(rows, crowded)
        part = np.argpartition(-z[crowded], 4 * k - 1, axis=1)[:, : 4 * k]
        rows = np.concatenate([rows[keep], np.repeat(crowded, 4 * k)])
        cols = np.concatenate([cols[keep], part.ravel()])
    return rows.astype(np.int64), cols.astype(np.int64)


class _ColumnBest:
    """Each mentor's best mentees, from the maxima of small groups of rows.

    The first scan hands over each block's keys (``add``, see _TIES); ``pairs`` then
    takes, for each column j, the groups whose maximum reaches the counts[j]-th
    highest group maximum and keeps their entries at that threshold or above: at
    least counts[j] rows (shared groups may add more; ties of units are broken).
    """

    GROUP = 16

    def __init__(self) -> None:
        self.maxima: list[UnitsArray] = []
        self.starts: list[IntArray] = []

    def add(self, local: IntArray, z: UnitsArray) -> None:
        if len(local):
            starts = np.arange(0, len(local), self.GROUP)
            self.maxima.append(np.maximum.reduceat(z, starts, axis=0))
            self.starts.append(local[starts])

    def pairs(self, table: _Table, counts: IntArray, floor: int) -> tuple[IntArray, IntArray]:
        empty = np.zeros(0, dtype=np.int64)
        if not self.maxima or not counts.any():
            return empty, empty
        maxima = np.concatenate(self.maxima)
        first = np.concatenate(self.starts)
        # Blocks come in order, so group g is rows first[g] up to first[g + 1].
        last = np.append(first[1:], table.nf)
        groups, m = maxima.shape
        want = np.minimum(counts, groups)
        k = int(want.max())
        top = -np.sort(-np.partition(maxima, groups - k, axis=0)[groups - k :], axis=0)
        threshold = top[np.maximum(want - 1, 0), np.arange(m)].astype(np.int64)
        threshold = np.maximum(threshold, max(floor, 0) * _TIES)
        threshold[want == 0] = np.iinfo(np.int64).max
        g, cols = _nonzero(maxima >= threshold[None, :])
        lengths = last[g] - first[g]
        offset = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        rows = np.repeat(first[g], lengths) + offset
        cols = np.repeat(cols, lengths)
        keep = table.pair_keys(rows, cols) >= threshold[cols]
        return rows[keep], cols[keep]


# -- the auction --------------------------------------------------------------------


class _Auction:
    """Epsilon-scaling forward/reverse auction: each person takes a slot, or none.

    Persons bid, all unassigned ones at once (Jacobi), for the cheapest slot of the
    mentor that gives them the most value (weight minus price); each mentor's slots
    carry their own prices. Slots left empty with a positive price bid back for
    persons (the reverse auction) so that every empty slot ends at price 0, as the
    duals of a mentor with room must be. Between phases only the persons who break
    the tighter epsilon-complementary slackness bid again.

    It finds prices for the exact solve, which does not depend on them being exact:
    good prices only make the exact core small.
    """

    def __init__(self, n: int, cap: IntArray) -> None:
        self.n = n
        self.cap = cap
        self.m = len(cap)
        cmax = max(int(cap.max()) if len(cap) else 1, 1)
        self.cmax = cmax
        slot_exists = np.arange(cmax)[None, :] < cap[:, None]
        self.price = np.where(slot_exists, 0, _HUGE).astype(np.int64)
        self.holder = np.full((self.m, cmax), -1, dtype=np.int64)
        self.p1 = np.zeros(self.m, dtype=np.int64)
        self.p2 = np.full(self.m, _HUGE, dtype=np.int64)
        self.s1 = np.zeros(self.m, dtype=np.int64)
        self.s2 = np.zeros(self.m, dtype=np.int64)
        self._refresh(np.arange(self.m))
        self.state = np.zeros(n, dtype=np.int8)
        self.at_j = np.full(n, -1, dtype=np.int64)
        self.at_s = np.full(n, -1, dtype=np.int64)
        self.profit = np.zeros(n, dtype=np.int64)
        self.cols = np.zeros((n, 0), dtype=np.int64)
        self.w = np.zeros((n, 0), dtype=np.int64)
        self.rounds = 0
        # Rounds one run or repair may take: the auction only warms the exact solves
        # up, so stopping early (persons still bidding stay out) changes no answer.
        self.budget = 4 * n + 256
        self._adjacent: tuple[IntArray, IntArray, IntArray] | None = None

    def _refresh(self, mentors: IntArray) -> None:
        """Cheapest slot (s1, p1) and second cheapest (s2, p2) of these mentors (a
        mentor may come more than once)."""
        if not len(mentors):
            return
        sub = self.price[mentors]
        if self.cmax >= 2:
            two = np.argpartition(sub, 1, axis=1)[:, :2]
            r = np.arange(len(mentors))
            self.s1[mentors] = two[:, 0]
            self.s2[mentors] = two[:, 1]
            self.p1[mentors] = sub[r, two[:, 0]]
            self.p2[mentors] = sub[r, two[:, 1]]
        else:
            self.s1[mentors] = 0
            self.p1[mentors] = sub[:, 0]

    def edges_add(self, rows: IntArray, cols: IntArray, weights: IntArray) -> None:
        """Add candidate edges (none may be there already)."""
        if not len(rows):
            return
        order = np.lexsort((cols, rows))
        rows, cols, weights = rows[order], cols[order], weights[order]
        counts = np.bincount(rows, minlength=self.n)
        filled = (self.w > _NEG // 2).sum(axis=1) if self.w.shape[1] else np.zeros(self.n, int)
        width = int((filled + counts).max())
        if width > self.w.shape[1]:
            grow = width - self.w.shape[1]
            self.w = np.hstack([self.w, np.full((self.n, grow), _NEG, dtype=np.int64)])
            self.cols = np.hstack([self.cols, np.zeros((self.n, grow), dtype=np.int64)])
        position = (
            filled[rows] + np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
        )
        self.w[rows, position] = weights
        self.cols[rows, position] = cols
        self._adjacent = None

    def run(self, eps: int) -> None:
        """Forward auction until every person holds a slot or is out."""
        active = np.flatnonzero(self.state == _ACTIVE)
        width = self.w.shape[1]
        if width == 0:
            self.state[active] = _OUT
            return
        for _ in range(self.budget):
            if not len(active):
                return
            self.rounds += 1
            cols = self.cols[active]
            w = self.w[active]
            values = w - self.p1[cols]
            r = np.arange(len(active))
            best = values.argmax(axis=1)
            b1 = values[r, best]
            j1 = cols[r, best]
            w1 = w[r, best]
            # The next slot of the same mentor is an alternative, and so is staying
            # out (worth 0).
            b2 = np.maximum(w1 - self.p2[j1], 0)
            if width > 1:
                values[r, best] = _NEG * 2
                b2 = np.maximum(b2, values.max(axis=1))
            bidding = b1 > 0
            out = active[~bidding]
            self.state[out] = _OUT
            self.profit[out] = 0
            persons = active[bidding]
            if not len(persons):
                return
            mentors = j1[bidding]
            weights = w1[bidding]
            bids = weights - b2[bidding] + eps
            # Each mentor takes its highest bids (ties: the lowest person number), the
            # r-th highest for its r-th cheapest slot while the bid beats that slot's
            # price. Every bid beats the two cheapest (b2 counts the second), so a
            # mentor takes at least one; the others bid again.
            order = np.lexsort((persons, -bids, mentors))
            sorted_mentors = mentors[order]
            first = np.ones(len(order), dtype=np.bool_)
            first[1:] = sorted_mentors[1:] != sorted_mentors[:-1]
            starts = np.flatnonzero(first)
            rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.append(starts, len(order))))
            ranked = rank < self.cmax
            cand = order[ranked]
            cj = mentors[cand]
            rank = rank[ranked]
            slot = np.where(rank == 0, self.s1[cj], self.s2[cj])
            more = np.flatnonzero(rank >= 2)
            if len(more):
                by_price = np.argsort(self.price[cj[more]], axis=1, kind="stable")
                slot[more] = by_price[np.arange(len(more)), rank[more]]
            accept = bids[cand] > self.price[cj, slot]
            win = cand[accept]
            wj, wp, wbid, slot = mentors[win], persons[win], bids[win], slot[accept]
            old = self.holder[wj, slot]
            evicted = old[old >= 0]
            self.state[evicted] = _ACTIVE
            self.holder[wj, slot] = wp
            self.price[wj, slot] = wbid
            self.state[wp] = _HELD
            self.at_j[wp] = wj
            self.at_s[wp] = slot
            self.profit[wp] = weights[win] - wbid
            self._refresh(wj)
            lost = np.ones(len(persons), dtype=np.bool_)
            lost[win] = False
            active = np.concatenate([persons[lost], evicted])

    def _adjacency(self) -> tuple[IntArray, IntArray, IntArray]:
        """Candidate edges by mentor: (indptr, person, weight)."""
        if self._adjacent is None:
            width = max(self.w.shape[1], 1)
            flat_w = self.w.ravel()
            valid = np.flatnonzero(flat_w > _NEG // 2)
            mentor = self.cols.ravel()[valid]
            order = np.argsort(mentor, kind="stable")
            indptr = np.zeros(self.m + 1, dtype=np.int64)
            np.cumsum(np.bincount(mentor, minlength=self.m), out=indptr[1:])
            self._adjacent = (indptr, (valid // width)[order], flat_w[valid][order])
        return self._adjacent

    def repair(self, eps: int) -> None:
        """Reverse auction: slots left empty with a positive price bid for persons.

        Each round, one empty slot per mentor offers itself to the person who gains
        most, at the second best offer minus eps (never below 0); a person offered
        several takes the most profitable, and may leave another slot empty. A slot
        nobody gains from drops to 0. Every move raises the mover's profit by at
        least 1, so this ends. Best and second best offers are segment maxima
        (``reduceat``) over each mentor's candidates, ties to the lowest person.
        """
        indptr, person, weight = self._adjacency()
        n = self.n
        # Only mentors with an empty slot last round, or that a mover left, can have
        # one now.
        watch = np.arange(self.m)
        watched = np.zeros(self.m, dtype=np.bool_)
        for _ in range(self.budget):
            holder, price = self.holder[watch], self.price[watch]
            empty_j, empty_s = np.nonzero((holder < 0) & (price > 0) & (price < _HUGE))
            if not len(empty_j):
                return
            self.rounds += 1
            first = np.ones(len(empty_j), dtype=np.bool_)
            first[1:] = empty_j[1:] != empty_j[:-1]
            js, ss = watch[empty_j[first]], empty_s[first]
            degree = indptr[js + 1] - indptr[js]
            b1 = np.full(len(js), _NEG, dtype=np.int64)
            b2 = np.full(len(js), _NEG, dtype=np.int64)
            best = np.zeros(len(js), dtype=np.int64)
            has = degree > 0
            if has.any():
                jh, dh = js[has], degree[has]
                seg_start = np.cumsum(dh) - dh
                segment = np.repeat(np.arange(len(jh)), dh)
                pos = indptr[jh][segment] + np.arange(len(segment)) - seg_start[segment]
                who = person[pos]
                beta = weight[pos] - self.profit[who]
                # One key per entry: the highest beta, then the lowest person.
                key = beta * (n + 1) + (n - who)
                top = np.flatnonzero(key == np.maximum.reduceat(key, seg_start)[segment])
                b1[has] = beta[top]
                best[has] = pos[top]
                beta[top] = _NEG
                b2[has] = np.maximum.reduceat(beta, seg_start)
            drop = b1 <= 0
            if drop.any():
                self.price[js[drop], ss[drop]] = 0
                self._refresh(js[drop])
            offer = ~drop
            if not offer.any():
                watch = js
                continue
            oj, os_, at = js[offer], ss[offer], best[offer]
            target = person[at]
            new_price = np.maximum(b2[offer] - eps, 0)
            gain = weight[at] - new_price
            pick = np.lexsort((oj, -gain, target))
            sorted_target = target[pick]
            keep = np.ones(len(pick), dtype=np.bool_)
            keep[1:] = sorted_target[1:] != sorted_target[:-1]
            take = pick[keep]
            movers, to_j, to_s = target[take], oj[take], os_[take]
            was_held = self.state[movers] == _HELD
            from_j = self.at_j[movers[was_held]]
            self.holder[from_j, self.at_s[movers[was_held]]] = -1
            self.holder[to_j, to_s] = movers
            self.price[to_j, to_s] = new_price[take]
            self.state[movers] = _HELD
            self.at_j[movers] = to_j
            self.at_s[movers] = to_s
            self.profit[movers] = gain[take]
            self._refresh(np.concatenate([from_j, to_j]))
            watched[js] = True
            watched[from_j] = True
            watch = np.flatnonzero(watched)
            watched[watch] = False

    def prices(self, resolution: int) -> IntArray:
        """Mentor prices in units: the cheapest slot's, 0 for a mentor without room."""
        return np.where(self.cap > 0, self.p1 // resolution, 0).astype(np.int64)

    def phases(self, eps: int, theta: int, eps_last: int) -> None:
        """Forward and reverse auction at epsilon eps_last * theta**k (the first at
        least ``eps``), then divided by theta each phase down to eps_last."""
        steps = 0
        while eps_last * theta**steps < eps:
            steps += 1
        for k in range(steps, -1, -1):
            eps = eps_last * theta**k
            if k < steps:
                self.release(self.violators(eps))
            self.run(eps)
            self.repair(eps)

    def violators(self, eps: int) -> IntArray:
        """Persons who would gain more than eps by moving (or by coming in)."""
        if not self.w.shape[1]:
            return np.zeros(0, dtype=np.int64)
        best = np.maximum((self.w - self.p1[self.cols]).max(axis=1), 0)
        return np.flatnonzero((self.state != _ACTIVE) & (best - self.profit > eps))

    def release(self, persons: IntArray) -> None:
        held = persons[self.state[persons] == _HELD]
        mentors = self.at_j[held]
        self.holder[mentors, self.at_s[held]] = -1
        self.state[persons] = _ACTIVE
        self.profit[persons] = 0
        self._refresh(np.unique(mentors))


# -- the exact solve ----------------------------------------------------------------


@dataclass
class _Run:
    """Chosen pairs (local rows, mentors) of one exact solve, and how it went."""

    rows: IntArray
    cols: IntArray
    candidates: int = 0
    pricing_rounds: int = 0
    core: int = 0
    gap: int = 0
    auction_rounds: int = 0
    exact_solves: int = 0
    # The candidate pairs the solve ended with (local rows, mentors), for fairness.
    known: tuple[IntArray, IntArray] | None = None
    # Whether every step's optimality was checked in integers.
    proven: bool = True


@dataclass(frozen=True)
class _Tuning:
    candidates: int
    mentor_side: int
    resolution: int
    theta: int
    auction_eps: int
    add_per_row: int
    max_rounds: int
    target_gap: int
    near: int
    resumes: int


def _solve_exact(
    table: _Table,
    objective: Objective,
    tuning: _Tuning,
    *,
    floor: int = 0,
    seed: tuple[IntArray, IntArray] | None = None,
) -> _Run:
    """Optimal assignment of the free mentees for total or coverage weights.

    Only pairs worth at least ``floor`` units count. The steps (the module docstring
    says why the result is optimal over all pairs):

    1. candidates: each mentee's best mentors, each mentor's best mentees;
    2. prices from an auction over them; scans of every pair add the pairs those
       prices show are missing, and the auction resumes;
    3. an exact solve (sparse LAPJV) of the pairs nearly tight at those prices;
    4. rounds of: the highest prices that prove that solution optimal over every
       candidate (Bellman-Ford; when it is not, an exact solve of the candidates
       first) and a scan of every pair for the dual bound and the missing pairs;
    5. with a duality gap left, the exact solve of every pair within the gap.
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
    for local, z in table.blocks():
        key = table.keys(local, _floored(z, floor))
        r, c = _select(key, tuning.candidates)
        rows_parts.append(local[r])
        cols_parts.append(c)
        if mentor_side:
            column_best.add(local, key)
    table.done()
    clock.lap("scan_first")
    _check_range(table.top, nf, int(cap.sum()), table.m, objective)
    if mentor_side:
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

    auction = _Auction(nf, cap)
    auction.edges_add(pairs.rows, pairs.cols, (pairs.units + beta) * tuning.resolution)
    top = int(auction.w.max()) if auction.w.size else 0
    auction.phases(top // tuning.theta, tuning.theta, tuning.auction_eps)
    v = auction.prices(tuning.resolution)
    clock.lap("auction")
    for resume in range(tuning.resumes + 1):
        scan = _scan(
            table,
            v,
            beta,
            floor,
            pairs.duals(v, beta, nf),
            tuning.add_per_row,
            near=tuning.near,
            near_per_row=_NEAR_PER_ROW,
            margin=tuning.auction_eps // tuning.resolution,
        )
        clock.lap("scan_pricing")
        before = len(pairs.rows)
        pairs.add(scan.found_rows, scan.found_cols)
        if len(pairs.rows) - before <= _RESUME_MIN or resume == tuning.resumes:
            break
        auction.edges_add(
            pairs.rows[before:],
            pairs.cols[before:],
            (pairs.units[before:] + beta) * tuning.resolution,
        )
        # One epsilon up first: at the finest alone, persons short of places would
        # raise prices in tiny steps (the round budget bounds the rest).
        coarse = tuning.auction_eps * tuning.theta**_RESUME_LEVELS
        auction.release(auction.violators(coarse))
        auction.phases(coarse, tuning.theta, tuning.auction_eps)
        v = auction.prices(tuning.resolution)
        clock.lap("auction")

    # The pairs nearly tight at the auction's prices, and the auction's own pairs.
    held = np.flatnonzero(auction.state == _HELD)
    small = _Pairs(
        table,
        floor,
        np.concatenate([scan.near_rows, held]),
        np.concatenate([scan.near_cols, auction.at_j[held]]),
    )
    rows, cols = _core_assign(
        cap, small.rows, small.cols, small.units + beta, small.duals(v, beta, nf), v
    )
    pairs.add(rows, cols)
    clock.lap("exact_near")

    rounds = 0
    core = 0
    exact_solves = 1
    proven = True
    while True:
        rounds += 1
        weights = pairs.units + beta
        proof, settled = _max_prices(
            nf, cap, pairs.rows, pairs.cols, weights, rows, cols, _BF_STEPS
        )
        if not settled:
            # Not optimal over the candidates: solve them exactly, warm from the last
            # prices (the auction's, or the last proof's).
            rows, cols = _core_assign(
                cap, pairs.rows, pairs.cols, weights, pairs.duals(v, beta, nf), v
            )
            exact_solves += 1
            proof, settled = _max_prices(nf, cap, pairs.rows, pairs.cols, weights, rows, cols)
            if not settled:
                # Only float rounding in LAPJV can do this: the answer stands, unproven.
                proven = False
        v = proof
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
        rows, cols = _core_assign(cap, core_rows, core_cols, core_weights, u, v)
        # The core's optimum is the optimum over every pair; check it is one (in
        # integers, whatever LAPJV's floats did).
        _proof, settled = _max_prices(nf, cap, core_rows, core_cols, core_weights, rows, cols)
        proven = proven and settled
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
        auction_rounds=auction.rounds,
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


def _max_prices(
    n: int,
    cap: IntArray,
    rows: IntArray,
    cols: IntArray,
    weights: IntArray,
    chosen_rows: IntArray,
    chosen_cols: IntArray,
    max_steps: int | None = None,
) -> tuple[IntArray, bool]:
    """The highest mentor prices v >= 0 that prove ``chosen`` optimal over the pairs.

    With u_i = w_i,a(i) - v_a(i) for a matched mentee (0 otherwise), (u, v) must be
    dual feasible on the pairs and complementary to the assignment:

    - matched i at j, pair (i, k): w_ij - v_j >= w_ik - v_k, so v_j <= v_k + w_ij - w_ik;
    - matched i at j: v_j <= w_ij (u_i >= 0);
    - unmatched i, pair (i, k): v_k >= w_ik;
    - a mentor with room: v_j = 0; every mentor: v_j >= 0.

    These are difference constraints: with a node Z for 0, the largest solution is
    the shortest path distance from Z (Bellman-Ford). Returns the prices and whether
    they settled: a negative cycle means the assignment is not optimal over the
    pairs, and the distances may also not have settled after ``max_steps`` rounds;
    then the prices are only a guess (still >= 0), good to warm an exact solve.
    """
    m = len(cap)
    at = np.full(n, -1, dtype=np.int64)
    at[chosen_rows] = chosen_cols
    key = rows * m + cols
    order = np.argsort(key)
    held_key = chosen_rows * m + chosen_cols
    held_weight = np.zeros(n, dtype=np.int64)
    held_weight[chosen_rows] = weights[order][np.searchsorted(key[order], held_key)]
    load = np.bincount(chosen_cols, minlength=m)
    zero = m
    mine = at[rows]
    other = (mine >= 0) & (cols != mine)
    free_pair = mine < 0
    room = np.flatnonzero((load < cap) & (cap > 0))
    mentors = np.flatnonzero(cap > 0)
    src = np.concatenate(
        [
            cols[other],
            np.full(len(chosen_rows), zero),
            cols[free_pair],
            np.full(len(room), zero),
            mentors,
        ]
    )
    dst = np.concatenate(
        [
            mine[other],
            chosen_cols,
            np.full(int(free_pair.sum()), zero),
            room,
            np.full(len(mentors), zero),
        ]
    )
    cost = np.concatenate(
        [
            held_weight[rows[other]] - weights[other],
            held_weight[chosen_rows],
            -weights[free_pair],
            np.zeros(len(room), dtype=np.int64),
            np.zeros(len(mentors), dtype=np.int64),
        ]
    )
    if not len(src):
        return np.zeros(m, dtype=np.int64), True
    # Keep the tightest edge of each (src, dst) and group edges by destination.
    order = np.lexsort((cost, dst, src))
    src, dst, cost = src[order], dst[order], cost[order]
    first = np.ones(len(src), dtype=np.bool_)
    first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    src, dst, cost = src[first], dst[first], cost[first]
    order = np.argsort(dst, kind="stable")
    src, dst, cost = src[order], dst[order], cost[order]
    starts = np.flatnonzero(np.concatenate([[True], dst[1:] != dst[:-1]]))
    targets = dst[starts]
    unreached = np.iinfo(np.int64).max // 4
    dist = np.full(m + 1, unreached, dtype=np.int64)
    dist[zero] = 0
    settled = False
    for _ in range(m + 2 if max_steps is None else min(max_steps, m + 2)):
        reach = np.minimum.reduceat(dist[src] + cost, starts)
        better = reach < dist[targets]
        if not better.any():
            settled = True
            break
        dist[targets[better]] = reach[better]
        if dist[zero] < 0:
            break
    usable = (cap > 0) & (dist[:m] < unreached // 2)
    return np.where(usable, np.maximum(dist[:m], 0), 0).astype(np.int64), settled


def _shift(v: IntArray, beta: int) -> npt.NDArray[np.int32] | IntArray:
    """``v - beta`` in the narrowest type the scans can use (w_ij - v_j = z - shift)."""
    shift = v - beta
    if len(shift) and (shift.min() <= -_BOUND or shift.max() >= _BOUND):
        return shift
    return shift.astype(np.int32)


def _excess(
    z: UnitsArray, shift: npt.NDArray[np.int32] | IntArray, floor: int
) -> tuple[npt.NDArray[np.int32] | IntArray, int]:
    """w_ij - v_j for a block of units, and a bound ``low``: pairs usable (and at the
    floor or above) have w_ij - v_j > low, the others at most low.

    The sentinel of pairs not usable makes the bound hold by itself when the shifts
    are small; otherwise those pairs are masked to the lowest value.
    """
    x = z - shift[None, :]
    if z.dtype == np.int16:
        bound, sentinel = _BOUND16, _NONE16
    elif z.dtype == np.int64:
        bound, sentinel = _BOUND64, _NONE64
    else:
        bound, sentinel = _BOUND, _NONE
    small = len(shift) == 0 or (int(shift.min()) > sentinel + bound and int(shift.max()) < bound)
    if floor <= 0 and small:
        return x, -bound
    lowest = int(np.iinfo(x.dtype).min)
    np.putmask(x, z < max(floor, 0), lowest)
    return x, lowest


@dataclass
class _Scan:
    """One pass over every usable pair at prices v (see :func:`_scan`)."""

    u: IntArray
    found_rows: IntArray
    found_cols: IntArray
    near_rows: IntArray
    near_cols: IntArray
    near_weights: IntArray
    # False when the nearly tight pairs were too many to keep every one.
    near_complete: bool = True


def _scan(
    table: _Table,
    v: IntArray,
    beta: int,
    floor: int,
    u_known: IntArray,
    add_per_row: int,
    near: int | None = None,
    near_per_row: int | None = None,
    near_budget: int | None = None,
    margin: int = 0,
) -> _Scan:
    """u_i = max(0, max_j w_ij - v_j) over every usable pair, and the pairs above u.

    Also gives, for each row, up to ``add_per_row`` pairs whose w_ij - v_j exceeds
    ``u_known`` (the row's best among the pairs already known), best first: the
    pairs the candidates are missing. With ``near``, also every pair with
    w_ij - v_j >= u_known_i - near: since u_i >= u_known_i, these include every
    pair whose reduced cost u_i + v_j - w_ij is at most ``near``; only the best
    ``near_per_row`` of each row (ties broken, see _TIES) when given, and none once
    more than ``near_budget`` have come (``near_complete`` is then False). The
    missing pairs are only those that exceed ``u_known`` by more than ``margin``
    (after an auction: its last epsilon, what its prices are only good to).
    """
    u = np.zeros(table.nf, dtype=np.int64)
    near_count = 0
    complete = True
    found_r: list[IntArray] = []
    found_c: list[IntArray] = []
    near_r: list[IntArray] = []
    near_c: list[IntArray] = []
    near_w: list[IntArray] = []
    shift = _shift(v, beta)
    for local, z in table.blocks():
        x, low = _excess(z, shift, floor)
        known = u_known[local]
        if x.shape[1]:
            u[local] = np.maximum(x.max(axis=1), 0)
        if near is not None:
            need = np.maximum(known - near, low + 1)
            if near_per_row is None:
                r, c = _nonzero(x >= _narrow(need, x.dtype)[:, None])
            else:
                r, c = _row_some(table, local, x, need, near_per_row)
            near_count += len(r)
            if near_budget is not None and near_count > near_budget:
                complete = False
            if complete:
                near_r.append(local[r])
                near_c.append(c.astype(np.int64))
                near_w.append(z[r, c].astype(np.int64) + beta)
        r, c = _row_best(table, local, x, known + 1 + margin, add_per_row)
        found_r.append(local[r])
        found_c.append(c.astype(np.int64))
    if not complete:
        near_r, near_c, near_w = [], [], []
    return _Scan(
        u, _cat(found_r), _cat(found_c), _cat(near_r), _cat(near_c), _cat(near_w), complete
    )


def _row_some(
    table: _Table,
    local: IntArray,
    x: npt.NDArray[np.int32] | IntArray,
    need: IntArray,
    k: int,
) -> tuple[IntArray, IntArray]:
    """Entries of a block with x >= need (per row): every one in a row that has at
    most k, otherwise k of them, evenly spaced from a place the row's tie number
    picks (no sort: for a warm start, where any k do)."""
    r, c = _nonzero(x >= _narrow(need, x.dtype)[:, None])
    counts = np.bincount(r, minlength=len(local))
    crowded = np.flatnonzero(counts > k)
    if not len(crowded):
        return r, c
    keep = counts[r] <= k
    starts = np.cumsum(counts) - counts
    n = counts[crowded][:, None]
    step = np.arange(k)[None, :] * n // k
    at = starts[crowded][:, None] + (table.row_ties[local[crowded]][:, None] + step) % n
    return np.concatenate([r[keep], r[at.ravel()]]), np.concatenate([c[keep], c[at.ravel()]])


def _row_best(
    table: _Table,
    local: IntArray,
    x: npt.NDArray[np.int32] | IntArray,
    need: IntArray,
    k: int,
) -> tuple[IntArray, IntArray]:
    """Entries of a block with x >= need (per row): every one in a row that has at
    most k, otherwise that row's k highest x (ties broken, see _TIES)."""
    r, c = _nonzero(x >= _narrow(need, x.dtype)[:, None])
    counts = np.bincount(r, minlength=len(local))
    crowded = np.flatnonzero(counts > k)
    if not len(crowded):
        return r, c
    keep = counts[r] <= k
    y = x[crowded].astype(np.int64)
    y -= need[crowded][:, None]
    below = y < 0
    y *= _TIES
    y += table.row_ties[local[crowded]][:, None] ^ table.col_ties[None, :]
    np.putmask(y, below, -1)
    best = np.argpartition(-y, k - 1, axis=1)[:, :k]
    return (
        np.concatenate([r[keep], np.repeat(crowded, k)]),
        np.concatenate([c[keep], best.ravel()]),
    )


def _narrow(values: IntArray, dtype: np.dtype[np.signedinteger]) -> npt.NDArray[np.signedinteger]:
    """``values`` in ``dtype`` when they fit (comparisons then stay in that type)."""
    info = np.iinfo(dtype)
    if len(values) and (int(values.min()) < info.min or int(values.max()) > info.max):
        return values
    return values.astype(dtype)


def _cat(parts: list[IntArray]) -> IntArray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _scan_core(
    table: _Table, u: IntArray, v: IntArray, beta: int, floor: int, gap: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Every usable pair whose reduced cost u_i + v_j - w_ij is at most ``gap``."""
    out_rows, out_cols, out_weights = [], [], []
    shift = _shift(v, beta)
    for local, z in table.blocks():
        x, _low = _excess(z, shift, floor)
        need = (u[local] - gap)[:, None]
        r, c = _nonzero((x.astype(np.int64, copy=False) >= need) & (z >= max(floor, 0)))
        out_rows.append(local[r])
        out_cols.append(c.astype(np.int64))
        out_weights.append(z[r, c].astype(np.int64) + beta)
    return _cat(out_rows), _cat(out_cols), _cat(out_weights)


def _core_assign(
    cap: IntArray, rows: IntArray, cols: IntArray, weights: IntArray, u: IntArray, v: IntArray
) -> tuple[IntArray, IntArray]:
    """Maximum weight assignment over these pairs, exactly (sparse LAPJV over slots).

    A square problem: rows are the mentees of these pairs and one "keeper" per
    capacity slot, columns the slots and one "not matched" column per mentee. A
    mentee takes a slot or its not-matched column; a slot's keeper takes the slot
    (left empty) or, when mentee i took it, i's not-matched column (an edge per
    mentee-slot edge). Every assignment is one perfect matching and back, so
    shifting a row or a column by a constant changes nothing: the costs are the
    reduced costs (u_i + v_j - w_ij, u_i, v_j, 0) of dual prices, which LAPJV
    solves fast when the prices are good. ``u`` and ``v`` must be >= 0 and
    u_i + v_j >= w_ij on every pair given. Every cost is one more than that, since
    the solver treats stored zeros as missing edges.
    """
    empty = np.zeros(0, dtype=np.int64)
    if not len(rows):
        return empty, empty
    people, person = np.unique(rows, return_inverse=True)
    slot_start = np.cumsum(cap) - cap
    copies = cap[cols]
    edge = np.repeat(np.arange(len(rows)), copies)
    offset = np.arange(len(edge)) - np.repeat(np.cumsum(copies) - copies, copies)
    slots, slot = np.unique(slot_start[cols[edge]] + offset, return_inverse=True)
    slot_mentor = np.repeat(np.arange(len(cap)), cap)[slots]
    k, s = len(people), len(slots)
    reduced = u[rows[edge]] + v[cols[edge]] - weights[edge]
    matrix = sp.csr_matrix(
        (
            np.concatenate(
                [reduced, u[people], v[slot_mentor], np.zeros(len(edge), dtype=np.int64)]
            ).astype(np.float64)
            + 1.0,
            (
                np.concatenate([person[edge], np.arange(k), k + np.arange(s), k + slot]),
                np.concatenate([slot, s + np.arange(k), np.arange(s), s + person[edge]]),
            ),
        ),
        shape=(k + s, s + k),
    )
    r, c = min_weight_full_bipartite_matching(matrix)
    matched = (r < k) & (c < s)
    order = np.argsort(r[matched], kind="stable")
    return (
        people[r[matched][order]].astype(np.int64),
        slot_mentor[c[matched][order]].astype(np.int64),
    )


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
        auction_rounds=sum(run.auction_rounds for run in runs),
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


def solve(
    source: ScoreSource,
    *,
    capacity: npt.ArrayLike,
    objective: Objective | str = Objective.TOTAL,
    pins: Sequence[tuple[int, int]] = (),
    blocks: Sequence[tuple[int, int]] = (),
    candidates: int = 12,
    mentor_side: int = 2,
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
    mentees per mentor (only with the table in memory). The warm-up auction scales
    weights by ``resolution`` and divides epsilon by ``theta`` per phase, down to
    ``auction_eps``; scans at its prices add up to ``add_per_row`` pairs per mentee
    and it resumes, at most ``resumes`` times. The pairs within ``near`` units of
    tight at its prices are solved exactly first. Then rounds (at most
    ``max_rounds``) of proof scans, until the duality gap is at most ``target_gap``
    units; the pairs within the gap are then solved exactly.
    """
    started = time.perf_counter()
    objective = Objective(objective)
    setup = _setup(source, capacity, pins, blocks)
    table = _Table(setup, source, block_rows=block_rows, cache_bytes=cache_mb << 20)
    tuning = _Tuning(
        candidates=max(1, candidates),
        mentor_side=max(0, mentor_side),
        resolution=max(1, resolution),
        theta=max(2, theta),
        auction_eps=max(1, auction_eps),
        add_per_row=max(1, add_per_row),
        max_rounds=max(1, max_rounds),
        target_gap=max(0, target_gap),
        near=max(0, near),
        resumes=max(0, resumes),
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
        auction_rounds=run.auction_rounds,
        cached=table.cache is not None,
        proven=run.proven,
        exact_solves=run.exact_solves,
        timings=table.clock.items(),
    )
    return _result(setup, source, objective, rows, cols, table.has_feasible, stats)


# -- reference and baseline -------------------------------------------------------


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
