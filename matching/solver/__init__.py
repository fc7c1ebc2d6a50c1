"""Assigning mentees to mentors: exact, under capacities, hard rules, pins and blocks.

Pure (numpy, scipy and OR-Tools, no Django). Scores come from a :class:`ScoreSource` (a
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
2. A min-cost flow (OR-Tools, integers; scipy's sparse LAPJV over capacity slots
   when the costs are out of its range) solves the candidates exactly.
3. Bellman-Ford finds the highest mentor prices v (the duals of the assignment
   LP) that prove that assignment optimal over every candidate.
4. With ``u_i = max(0, max_j w_ij - v_j)`` over *every* allowed pair (one more
   scan), (u, v) is a feasible dual, so ``D = sum(u) + sum(capacity * v)`` bounds
   every assignment from above, and the gap ``D - P`` to the assignment's value P
   is known. An assignment's value is D minus the reduced costs
   ``u_i + v_j - w_ij >= 0`` of its pairs (and the duals it leaves unused), so no
   pair whose reduced cost exceeds the gap is in an optimal assignment.
5. Gap 0: optimal. Otherwise the pairs within the gap (the core, a few per mentee)
   are solved exactly: their optimum is the optimum over all pairs. When the gap
   is large, the pairs the scan found worth more than the candidates at prices v
   join them and 2-4 repeat.

:func:`solve_dense` is the reference (scipy's linear_sum_assignment over every
mentee x capacity slot) and :func:`solve_greedy` the naive baseline.
"""

from matching.solver.dense import solve_dense
from matching.solver.greedy import solve_greedy
from matching.solver.result import Assignment, ObjectiveValue, SolveStats
from matching.solver.sources import MatrixSource, PairSource, ScoreSource
from matching.solver.sparse import solve
from matching.solver.units import (
    MAX_SCORE,
    SCORE_UNITS,
    BoolArray,
    FloatArray,
    Int32Array,
    IntArray,
    Objective,
    Reason,
    UnitsArray,
    score_units,
)

__all__ = [
    "MAX_SCORE",
    "SCORE_UNITS",
    "Assignment",
    "BoolArray",
    "FloatArray",
    "Int32Array",
    "IntArray",
    "MatrixSource",
    "Objective",
    "ObjectiveValue",
    "PairSource",
    "Reason",
    "ScoreSource",
    "SolveStats",
    "UnitsArray",
    "score_units",
    "solve",
    "solve_dense",
    "solve_greedy",
]
