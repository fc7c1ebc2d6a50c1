"""Scoring mentee-mentor pairs: a 0-100 score, its parts, and the hard rules.

Pure and vectorised (numpy and scipy, scikit-learn for free text through
:mod:`matching.themes`; no Django): the caller turns profiles into
column-oriented :class:`People` (most easily through :func:`population_build`), picks
:class:`Criterion` objects and :class:`Rules`, and asks a :class:`Scorer` for

- the score of any pairs and each criterion's contribution (:meth:`Scorer.pairs`),
- whether pairs pass the hard rules (:meth:`Scorer.feasible`, :meth:`Scorer.violations`),
- a structured explanation of one pair (:meth:`Scorer.explain`),
- whole rows of the score matrix, exact or approximate, for the solver
  (:meth:`Scorer.exact_block`; a :class:`Scorer` is a
  :class:`matching.solver.ScoreSource`).

How a score is made (docs/matching.md has the long version):

- Every criterion that is not mandatory has a weight; its *points* are
  ``100 * weight / sum(weights)``, so the points of all criteria add up to 100.
- A reward criterion (similar, complementary, seniority gap, same or different)
  earns ``points * s`` with ``s`` in [0, 1]. The time-zone criterion is a penalty:
  it costs ``points * d`` with ``d`` in [0, 1] growing with the hours apart.
- ``score = baseline + sum(contributions)`` where the baseline is the sum of the
  penalty criteria's points (what a pair has before any penalty). So a score is
  always in [0, 100] and the contributions (signed) plus the baseline add up to it
  exactly; :func:`points_round` rounds them for display so that the rounded parts
  add up to the rounded score.
- A mandatory criterion earns no points: a pair for which it scores 0 is not allowed.

Every criterion is linear in a per-person feature vector (that is why similarity is
the cosine of the two sets rather than Jaccard's ratio): a pair's contribution is
``x_mentee . y_mentor``. Whole blocks of the score matrix are then one sparse times
dense product, and a few pairs are a gather and a sum, with no tensor of shape
(mentees, mentors, criteria) ever built.
"""

from matching.scoring.criteria import (
    BASELINE,
    HIGH,
    LOW,
    MEDIUM,
    RULE_NO_SHARED_LANGUAGE,
    RULE_REPORTING_LINE,
    RULE_SAME_DEPARTMENT,
    RULE_SAME_PERSON,
    WEIGHTS,
    Criterion,
    Kind,
    Rules,
)
from matching.scoring.people import (
    BoolArray,
    FloatArray,
    IntArray,
    People,
    Person,
    Population,
    population_build,
)
from matching.scoring.results import Explanation, PairScores, Part, points_round, score_display
from matching.scoring.scorer import Scorer

__all__ = [
    "BASELINE",
    "HIGH",
    "LOW",
    "MEDIUM",
    "RULE_NO_SHARED_LANGUAGE",
    "RULE_REPORTING_LINE",
    "RULE_SAME_DEPARTMENT",
    "RULE_SAME_PERSON",
    "WEIGHTS",
    "BoolArray",
    "Criterion",
    "Explanation",
    "FloatArray",
    "IntArray",
    "Kind",
    "PairScores",
    "Part",
    "People",
    "Person",
    "Population",
    "Rules",
    "Scorer",
    "points_round",
    "population_build",
    "score_display",
]
