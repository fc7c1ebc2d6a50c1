"""Weights learnt from outcomes, on hand-made histories.

In each history one criterion (skills) clearly goes with good outcomes and another
(languages) does not: within every combination the good-outcome rate is the same
whatever the languages.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from matching import learning
from matching.models import MatchCriterion
from pairs.models import CheckIn, Mentorship
from programs.models import Participant, Program
from tests.factories.programs import program_create

NOW = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)
Reason = Mentorship.EndReason


def criteria_of(program: Program) -> tuple[MatchCriterion, MatchCriterion]:
    skills = MatchCriterion.objects.create(
        program=program, field="skills", rule="similar", weight="medium"
    )
    languages = MatchCriterion.objects.create(
        program=program, field="languages", rule="similar", weight="medium"
    )
    return skills, languages


def part(criterion: MatchCriterion, share: float, points: float = 50.0) -> dict[str, object]:
    return {
        "criterion": f"c{criterion.pk}",
        "kind": "similar",
        "points": round(points * share),
        "exact_points": points * share,
        "max_points": points,
        "items": [],
    }


def history(
    program: Program,
    skills: MatchCriterion,
    languages: MatchCriterion,
    *,
    pairs: int,
    good_if_high: int = 8,
    good_if_low: int = 3,
) -> None:
    """``pairs`` closed pairs (a multiple of 40): per 10 pairs with high skill
    similarity ``good_if_high`` completed and the rest ended for a bad reason; per 10
    with low, ``good_if_low``. Languages high and low alternate evenly in each."""
    people = Participant.objects.bulk_create(
        Participant(
            program=program,
            role=Participant.Role.MENTOR if n % 2 == 0 else Participant.Role.MENTEE,
            email=f"p{program.pk}-{n}@example.org",
        )
        for n in range(2 * pairs)
    )
    rows = []
    for n in range(pairs):
        high_skills = (n // 10) % 2 == 0
        high_languages = (n // 20) % 2 == 0
        good = (n % 10) < (good_if_high if high_skills else good_if_low)
        rows.append(
            Mentorship(
                program=program,
                mentor=people[2 * n],
                mentee=people[2 * n + 1],
                state=Mentorship.State.COMPLETED if good else Mentorship.State.ENDED,
                end_reason="" if good else Reason.FIT,
                started_at=NOW - dt.timedelta(days=200),
                ended_at=NOW - dt.timedelta(days=10),
                explanation=[
                    part(skills, 0.9 if high_skills else 0.1),
                    part(languages, 1.0 if high_languages else 0.0),
                ],
            )
        )
    Mentorship.objects.bulk_create(rows)


@pytest.fixture
def program(db: None) -> Program:
    return program_create(name="Leadership 2027")


def test_predictive_criterion_is_ranked_first_and_its_interval_excludes_zero(
    program: Program,
) -> None:
    skills, languages = criteria_of(program)
    history(program, skills, languages, pairs=200)

    found = learning.weight_suggestions(program=program, now=NOW)

    by_field = {row.criterion.field: row for row in found.rows}
    skill, language = by_field["skills"], by_field["languages"]
    assert found.pairs == 200
    assert skill.estimate.n == language.estimate.n == 200
    assert skill.enough
    assert language.enough
    assert skill.estimate.effect is not None
    assert skill.estimate.effect > 0.3
    assert skill.estimate.low is not None
    assert skill.estimate.low > 0
    assert skill.estimate.significant
    assert language.estimate.low is not None
    assert language.estimate.high is not None
    assert language.estimate.low < 0 < language.estimate.high
    assert not language.estimate.significant
    assert skill.suggested_weight is not None
    assert language.suggested_weight is not None
    assert skill.suggested_weight > language.suggested_weight
    # The two medium weights' sum goes to the criterion with the effect; the other
    # gets the lowest weight there is.
    assert skill.suggested_weight == Decimal("4.0")
    assert language.suggested_weight == learning.LOWEST_WEIGHT


def test_earlier_program_with_the_same_criteria_adds_its_pairs(program: Program) -> None:
    earlier = program_create(name="Leadership 2026")
    Program.objects.filter(pk=earlier.pk).update(created_at=NOW - dt.timedelta(days=400))
    old_skills, old_languages = criteria_of(earlier)
    history(earlier, old_skills, old_languages, pairs=40)
    skills, languages = criteria_of(program)
    history(program, skills, languages, pairs=40)

    found = learning.weight_suggestions(program=program, now=NOW)

    assert found.pairs == 80
    assert found.programs == 2
    assert {row.estimate.n for row in found.rows} == {80}


def test_later_program_is_not_used(program: Program) -> None:
    skills, languages = criteria_of(program)
    history(program, skills, languages, pairs=40)
    later = program_create(name="Leadership 2028")
    Program.objects.filter(pk=later.pk).update(created_at=program.created_at + dt.timedelta(days=1))
    later_skills, later_languages = criteria_of(later)
    history(later, later_skills, later_languages, pairs=40)

    assert learning.weight_suggestions(program=program, now=NOW).pairs == 40


def test_too_few_pairs_is_not_enough_evidence(program: Program) -> None:
    skills, languages = criteria_of(program)
    history(program, skills, languages, pairs=20)

    found = learning.weight_suggestions(program=program, now=NOW)

    assert found.pairs == 20
    assert not found.any_enough
    for row in found.rows:
        assert not row.enough
        assert row.estimate.n == 20
        assert row.estimate.effect is None
        assert row.estimate.low is None
        assert row.suggested_weight is None
    assert found.whatif_weights() == {}


def test_a_small_outcome_group_is_not_enough_evidence(program: Program, settings) -> None:
    """Enough pairs, but only four bad outcomes among 40: below the group size."""
    settings.MIN_GROUP_SIZE = 5
    skills, languages = criteria_of(program)
    history(program, skills, languages, pairs=40, good_if_high=10, good_if_low=8)

    found = learning.weight_suggestions(program=program, now=NOW)

    assert found.pairs == 40
    assert [row.enough for row in found.rows] == [False, False]


def test_adopting_sets_the_suggested_weights_as_numbers(program: Program, coordinator) -> None:
    skills, languages = criteria_of(program)
    history(program, skills, languages, pairs=200)
    suggested = {
        row.criterion.pk: row.suggested_weight
        for row in learning.weight_suggestions(program=program, now=NOW).rows
    }

    changed = learning.weight_suggestions_adopt(program=program, by=coordinator, now=NOW)

    assert changed == 2
    for criterion in MatchCriterion.objects.filter(program=program):
        assert criterion.weight == MatchCriterion.Weight.CUSTOM
        assert criterion.custom_weight == suggested[criterion.pk]


def test_adopting_one_criterion_leaves_the_others(program: Program, coordinator) -> None:
    skills, languages = criteria_of(program)
    history(program, skills, languages, pairs=200)

    changed = learning.weight_suggestions_adopt(
        program=program, by=coordinator, criterion_id=skills.pk, now=NOW
    )

    assert changed == 1
    skills.refresh_from_db()
    languages.refresh_from_db()
    assert skills.weight == MatchCriterion.Weight.CUSTOM
    assert languages.weight == MatchCriterion.Weight.MEDIUM


# -- the pure parts ---------------------------------------------------------------------


def outcome(**fields: object) -> bool | None:
    base: dict[str, object] = {
        "state": Mentorship.State.ACTIVE,
        "end_reason": "",
        "started_at": NOW - dt.timedelta(days=60),
        "last_met_at": None,
        "cadence_days": 14,
        "now": NOW,
    }
    return learning.outcome_of(**{**base, **fields})  # type: ignore[arg-type]


def test_outcomes_of_closed_pairs() -> None:
    assert outcome(state=Mentorship.State.COMPLETED) is True
    assert outcome(state=Mentorship.State.ENDED, end_reason=Reason.GOALS_MET) is True
    assert outcome(state=Mentorship.State.ENDED, end_reason=Reason.FIT) is False
    assert outcome(state=Mentorship.State.ENDED, end_reason=Reason.SCHEDULES) is False
    # Says nothing about the match.
    assert outcome(state=Mentorship.State.ENDED, end_reason=Reason.LEAVING) is None
    assert outcome(state=Mentorship.State.ENDED, end_reason=Reason.ROLE_CHANGE) is None


def test_outcomes_of_active_pairs_follow_the_cadence() -> None:
    assert outcome(last_met_at=NOW - dt.timedelta(days=5)) is True  # on track
    assert outcome(last_met_at=NOW - dt.timedelta(days=20)) is None  # due
    assert outcome(last_met_at=NOW - dt.timedelta(days=50)) is False  # inactive
    assert outcome() is False  # never met in 60 days
    # Too young to judge, even when it has met.
    young = NOW - dt.timedelta(days=20)
    assert outcome(started_at=young, last_met_at=NOW - dt.timedelta(days=1)) is None


def test_similarity_of_a_time_zone_penalty_with_and_without_its_baseline() -> None:
    columns = {"c1": 0, "c2": 1}
    # Alone, the penalty carries the baseline: 15 of 20 points kept.
    merged = [{"criterion": "c1", "kind": "time_zone", "exact_points": 15.0, "max_points": 20.0}]
    assert learning.similarities(merged, columns) == {0: 0.75}
    # With a baseline part the penalty is its own (-5 of 20): the same 0.75.
    apart = [
        {"criterion": "baseline", "kind": "baseline", "exact_points": 40.0, "max_points": 40.0},
        {"criterion": "c1", "kind": "time_zone", "exact_points": -5.0, "max_points": 20.0},
    ]
    assert learning.similarities(apart, columns) == {0: 0.75}
    mandatory = [{"criterion": "c2", "kind": "same_or_different", "mandatory": True,
                  "exact_points": 0.0, "max_points": 0.0}]  # fmt: skip
    assert learning.similarities(mandatory, columns) == {}


def test_fit_survives_a_criterion_that_separates_the_outcomes_perfectly() -> None:
    features = np.array([[1.0], [1.0], [0.0], [0.0]] * 20)
    good = features[:, 0] > 0.5

    (estimate,) = learning.estimates_fit(features, good, minimum=5)

    assert estimate.enough
    assert estimate.effect is not None
    assert 0.5 < estimate.effect <= 1.0
    assert estimate.low is not None
    assert estimate.low > 0


def test_checkin_meetings_decide_an_active_pair(program: Program) -> None:
    """Through the database: an on-track pair counts as good, an inactive one as bad."""
    skills, languages = criteria_of(program)
    people = Participant.objects.bulk_create(
        Participant(program=program, role=role, email=f"{n}@example.org")
        for n, role in enumerate(["mentor", "mentee", "mentor", "mentee"])
    )
    on_track, inactive = Mentorship.objects.bulk_create(
        Mentorship(
            program=program,
            mentor=people[2 * n],
            mentee=people[2 * n + 1],
            started_at=NOW - dt.timedelta(days=120),
            explanation=[part(skills, 1.0), part(languages, 0.0)],
        )
        for n in range(2)
    )
    CheckIn.objects.create(
        mentorship=on_track,
        status=CheckIn.Status.DONE,
        scheduled_at=NOW - dt.timedelta(days=3),
        logged_at=NOW - dt.timedelta(days=3),
    )
    CheckIn.objects.create(
        mentorship=inactive,
        status=CheckIn.Status.DONE,
        scheduled_at=NOW - dt.timedelta(days=100),
        logged_at=NOW - dt.timedelta(days=100),
    )

    features, good, _programs, _minimum = learning._history(program, [skills, languages], NOW)

    assert sorted(good.tolist()) == [False, True]
    assert features.shape == (2, 2)


def test_the_history_is_read_once_and_again_when_a_pair_changes(
    program: Program, django_assert_max_num_queries: Any
) -> None:
    skills, languages = criteria_of(program)
    history(program, skills, languages, pairs=40)
    first = learning.weight_suggestions(program=program, now=NOW)
    # The second time only the fingerprint's aggregates run, not the pairs' read.
    with django_assert_max_num_queries(6):
        again = learning.weight_suggestions(program=program, now=NOW)
    assert again.pairs == first.pairs == 40
    # A pair that ends changes the history: it is read again.
    Mentorship.objects.filter(pk=Mentorship.objects.order_by("pk")[0].pk).update(
        state=Mentorship.State.ACTIVE, ended_at=None
    )
    changed = learning.weight_suggestions(program=program, now=NOW)
    assert changed.pairs != first.pairs or changed.rows != first.rows
