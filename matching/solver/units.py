"""Score units, the array types, the objectives and the reasons a mentee stays unmatched."""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt

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

# Ties between pairs of equal units are broken, wherever the solver picks a few pairs
# of many (candidates, nearly tight pairs, missing pairs), by a fixed pseudo-random
# number below _TIES per pair, so that mentees with equal rows do not all pick the
# same mentors. A pair's "key" is units * _TIES + that number (-1 when not usable).
_TIES = 1024


class Objective(StrEnum):
    TOTAL = "total"
    COVERAGE = "coverage"
    FAIRNESS = "fairness"


class Reason(StrEnum):
    # No mentor with any capacity passes the hard rules (and blocks) for this mentee.
    NO_FEASIBLE_CANDIDATE = "no_feasible_candidate"
    # Every mentor who passes the hard rules is full (pins included).
    CAPACITY_EXHAUSTED = "capacity_exhausted"


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
