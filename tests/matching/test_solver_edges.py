"""matching.solver at the edges: huge scores, huge capacities, nobody on one side, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matching import solver as solver_module
from matching.solver import (
    MatrixSource,
    Objective,
    PairSource,
    Reason,
    solve,
    solve_dense,
    solve_greedy,
)

OBJECTIVES = list(Objective)
MAX_SCORE = solver_module.MAX_SCORE


def every_method(source, capacity, objective):
    yield "sparse", solve(source, capacity=capacity, objective=objective)
    yield "dense", solve_dense(source, capacity=capacity, objective=objective)
    if objective == Objective.TOTAL:
        yield "greedy", solve_greedy(source, capacity=capacity)


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_scores_past_the_32_bit_range_give_the_right_pairs(objective):
    # 25 million points are 2.5e9 hundredths, past 2**31: the diagonal is the optimum.
    big = 25_000_000.0
    source = MatrixSource([[big, 1.0, 0.0], [1.0, big, 0.0], [0.0, 3.0, big * 2]])
    result = solve(source, capacity=[1, 1, 1], objective=objective)
    assert result.pairs() == [(0, 0), (1, 1), (2, 2)]
    assert result.value.total_units == 4 * 2_500_000_000
    assert result.stats.proven


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_the_largest_supported_score_is_solved_exactly(objective):
    source = MatrixSource([[MAX_SCORE, MAX_SCORE - 1], [MAX_SCORE, 0.0]])
    result = solve(source, capacity=[1, 1], objective=objective)
    assert result.pairs() == [(0, 1), (1, 0)]
    assert result.value.total_units == round((2 * MAX_SCORE - 1) * 100)
    assert result.stats.proven


def test_a_score_past_the_largest_supported_one_is_refused_with_the_pair():
    source = MatrixSource([[1.0, 2.0], [3.0, MAX_SCORE * 2]])
    for method in (solve, solve_dense):
        with pytest.raises(ValueError, match=r"mentee 1 and mentor 1.*largest"):
            method(source, capacity=[1, 1])


def test_too_many_mentees_for_exact_coverage_weights_is_refused_not_overflowed():
    # Coverage needs weights above n * top; with a top score near the limit and
    # many mentees the sums would leave int64: refused, with the numbers.
    n = 3000
    source = MatrixSource(np.full((n, 1), MAX_SCORE))
    with pytest.raises(ValueError, match="too large"):
        solve(source, capacity=[n], objective=Objective.COVERAGE)
    # "total" needs no such weights.
    assert solve(source, capacity=[n], objective=Objective.TOTAL).value.matched == n


def test_dense_reference_is_proven_only_when_its_floats_are_exact():
    n = 400
    source = MatrixSource(np.full((n, 1), 1e9))
    coverage = solve_dense(source, capacity=[n], objective=Objective.COVERAGE)
    assert not coverage.stats.proven
    small = solve_dense(MatrixSource(np.full((n, 1), 50.0)), capacity=[n], objective="coverage")
    assert small.stats.proven


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_a_capacity_above_the_number_of_mentees_is_capped(objective):
    source = MatrixSource([[10.0, 20.0], [30.0, 5.0], [1.0, 1.0]])
    for method, result in every_method(source, [10**12, 10**15], objective):
        assert result.value.matched == 3, method
        assert sorted(result.mentees.tolist()) == [0, 1, 2]
        assert result.value.total_units == 5100, method


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_no_mentors_leaves_everyone_unmatched_with_a_reason(objective):
    source = MatrixSource(np.zeros((3, 0)))
    for method, result in every_method(source, [], objective):
        assert result.pairs() == [], method
        assert result.unmatched.tolist() == [0, 1, 2]
        assert result.reasons == (Reason.NO_FEASIBLE_CANDIDATE,) * 3
        assert result.value.matched == 0


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_mentors_without_room_leave_everyone_unmatched_with_a_reason(objective):
    source = MatrixSource(np.ones((2, 2)))
    for method, result in every_method(source, [0, 0], objective):
        assert result.pairs() == [], method
        assert result.reasons == (Reason.NO_FEASIBLE_CANDIDATE,) * 2


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_no_mentees_gives_an_empty_assignment(objective):
    source = MatrixSource(np.zeros((0, 2)))
    for method, result in every_method(source, [1, 2], objective):
        assert result.pairs() == [], method
        assert result.unmatched.tolist() == []
        assert result.value.matched == 0
        assert result.value.min_units is None


@pytest.mark.parametrize(
    ("capacity", "message"),
    [
        ([1, 1.5], r"mentor 1.*1\.5.*whole number"),
        ([1, -1], r"mentor 1.*-1.*>= 0"),
        ([math.nan, 1], r"mentor 0.*nan"),
        ([1, math.inf], r"mentor 1.*inf"),
        (["two", 1], r"mentor 0.*'two'"),
    ],
)
def test_a_capacity_that_is_not_a_whole_number_is_refused_naming_the_mentor(capacity, message):
    source = MatrixSource(np.ones((2, 2)))
    for method in (solve, solve_dense, solve_greedy):
        with pytest.raises(ValueError, match=message):
            method(source, capacity=capacity)


def test_whole_numbers_given_as_floats_are_capacities():
    result = solve(MatrixSource(np.ones((2, 1))), capacity=np.array([2.0]))
    assert result.value.matched == 2


@pytest.mark.parametrize("bad", [math.nan, -1.0, math.inf, -math.inf])
def test_a_bad_score_is_refused_naming_the_mentee_and_mentor(bad):
    scores = np.ones((3, 2))
    scores[2, 1] = bad
    with pytest.raises(ValueError, match=r"mentee 2 and mentor 1"):
        MatrixSource(scores)
    with pytest.raises(ValueError, match=r"mentee 2 and mentor 1"):
        PairSource(n_mentees=3, n_mentors=2, mentees=[0, 2], mentors=[0, 1], scores=[1.0, bad])


class Lying:
    """A source whose scores are only known when asked: one pair is bad."""

    def __init__(self, bad: float, feasible: bool = True) -> None:
        self.n_mentees, self.n_mentors = 3, 2
        self.bad, self.feasible = bad, feasible

    def _scores(self) -> np.ndarray:
        scores = np.full((3, 2), 10.0)
        scores[1, 0] = self.bad
        return scores

    def exact_block(self, rows):
        mask = np.ones((3, 2), dtype=bool)
        mask[1, 0] = self.feasible
        return self._scores()[rows], mask[rows]

    def exact(self, rows, cols):
        return self._scores()[rows, cols]


@pytest.mark.parametrize("bad", [math.nan, -3.0, math.inf])
def test_a_source_that_gives_a_bad_score_is_stopped_naming_the_pair(bad):
    for method in (solve, solve_dense, solve_greedy):
        with pytest.raises(ValueError, match=r"mentee 1 and mentor 0"):
            method(Lying(bad), capacity=[1, 1])


def test_a_bad_score_of_a_pair_that_is_not_allowed_is_ignored():
    result = solve(Lying(math.nan, feasible=False), capacity=[2, 2])
    assert result.value.matched == 3
    assert (1, 0) not in result.pairs()


def test_tiny_negative_rounding_noise_counts_as_zero():
    # A scorer's float sums may end a hair under zero; that is 0 hundredths.
    result = solve(Lying(-1e-12), capacity=[1, 1])
    assert result.stats.proven


@pytest.mark.parametrize("beta", [0, 10**6])
@pytest.mark.parametrize("seed", range(8))
def test_the_min_cost_flow_and_its_lapjv_fallback_find_the_same_optimum(seed, beta, monkeypatch):
    pytest.importorskip("ortools")
    from matching.solver import flow

    rng = np.random.default_rng(seed)
    n, m = 40, 12
    keys = np.unique(rng.integers(0, n * m, 200))
    rows, cols = keys // m, keys % m
    # Few distinct weights, so that many assignments tie; beta as for coverage.
    weights = rng.integers(0, 4, len(rows)) * 100 + beta
    cap = rng.integers(0, 4, m)

    def value(chosen_rows, chosen_cols):
        assert len(np.unique(chosen_rows)) == len(chosen_rows)
        assert (np.bincount(chosen_cols, minlength=m) <= cap).all()
        lookup = dict(zip(keys.tolist(), weights.tolist(), strict=True))
        return sum(lookup[int(r * m + c)] for r, c in zip(chosen_rows, chosen_cols, strict=True))

    by_flow = value(*flow._flow_assign(cap, rows, cols, weights, beta))
    monkeypatch.setattr(flow, "_min_cost_flow", lambda *args: None)
    assert value(*flow._flow_assign(cap, rows, cols, weights, beta)) == by_flow
