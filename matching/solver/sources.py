"""Where the solvers read scores: the :class:`ScoreSource` protocol, a matrix, listed pairs."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching.solver.units import BoolArray, FloatArray, IntArray, _bad_score


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
