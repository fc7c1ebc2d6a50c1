"""matching.scoring: criteria, hard rules, explanations, and their arithmetic."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.scoring import (
    BASELINE,
    HIGH,
    LOW,
    MEDIUM,
    RULE_NO_SHARED_LANGUAGE,
    RULE_REPORTING_LINE,
    RULE_SAME_DEPARTMENT,
    RULE_SAME_PERSON,
    Criterion,
    Kind,
    Person,
    Population,
    Rules,
    Scorer,
    points_round,
    population_build,
    score_display,
)

ROOT = Path(__file__).resolve().parents[2]


def person(n: int, **fields: object) -> Person:
    return Person(id=n, email=f"p{n}@example.com", **fields)  # type: ignore[arg-type]


def one_pair(mentee: Person, mentor: Person) -> Population:
    return population_build(mentees=[mentee], mentors=[mentor])


def pair_score(scorer: Scorer) -> tuple[float, list[float]]:
    result = scorer.pairs(np.array([0]), np.array([0]))
    return float(result.score[0]), [float(v) for v in result.contributions[0]]


# -- building people --------------------------------------------------------------


def test_labels_match_whatever_the_case_and_spaces_and_keep_the_first_spelling():
    population = population_build(
        mentees=[person(1, sets={"skills": ["Python", "  data   science"]})],
        mentors=[person(2, sets={"skills": ["python", "Data Science", "Go"]})],
    )
    assert population.labels == ("Python", "data science", "Go")
    assert population.mentees.sets["skills"].toarray().tolist() == [[1, 1, 0]]
    assert population.mentors.sets["skills"].toarray().tolist() == [[1, 1, 1]]


def test_unknown_values_are_coded_as_unknown():
    population = population_build(
        mentees=[person(1, categories={"department": None})],
        mentors=[person(2, categories={"department": "  "})],
    )
    assert population.mentees.categories["department"].tolist() == [-1]
    assert population.mentors.categories["department"].tolist() == [-1]
    assert population.mentees.seniority.tolist() == [0]
    assert math.isnan(population.mentees.utc_offset[0])


def test_reporting_chain_follows_managers_known_inside_and_outside_the_program():
    population = population_build(
        mentees=[Person(id=1, email="Ann@X.org", manager_email="bob@x.org")],
        mentors=[Person(id=2, email="bob@x.org", manager_email="cat@x.org")],
        managers={"cat@x.org": "dan@x.org", "dan@x.org": "ann@x.org"},
    )
    emails = population.emails

    def chain(people_chain: object) -> list[str]:
        return sorted(emails[c] for c in people_chain.indices.tolist())  # type: ignore[attr-defined]

    assert emails[population.mentees.email[0]] == "ann@x.org"
    # Bob, Cat (from Bob's own row), Dan (from `managers`); back at Ann it stops.
    assert chain(population.mentees.chain[0]) == ["bob@x.org", "cat@x.org", "dan@x.org"]
    assert chain(population.mentors.chain[0]) == ["ann@x.org", "cat@x.org", "dan@x.org"]


# -- each kind of criterion ---------------------------------------------------------


def test_similar_is_the_cosine_of_the_two_sets():
    population = one_pair(
        person(1, sets={"skills": ["a", "b", "c", "d"]}),
        person(2, sets={"skills": ["a", "b", "x"]}),
    )
    scorer = Scorer(population, [Criterion("skills", Kind.SIMILAR, field="skills")])
    score, parts = pair_score(scorer)
    assert score == pytest.approx(100 * 2 / math.sqrt(4 * 3))
    assert parts == [pytest.approx(score)]


def test_similar_mentee_share_is_the_share_of_the_mentee_items_the_mentor_has():
    population = one_pair(
        person(1, sets={"languages": ["en", "fr"]}),
        person(2, sets={"languages": ["en", "de", "es"]}),
    )
    criterion = Criterion("languages", Kind.SIMILAR, field="languages", measure="mentee_share")
    assert pair_score(Scorer(population, [criterion]))[0] == pytest.approx(50.0)


def test_complementary_is_the_share_of_wants_the_mentor_offers():
    population = one_pair(
        person(1, sets={"wants": ["negotiation", "python", "sql"], "offers": []}),
        person(2, sets={"offers": ["python", "negotiation"], "wants": ["sql"]}),
    )
    criterion = Criterion("growth", Kind.COMPLEMENTARY, field="wants", mentor_field="offers")
    assert pair_score(Scorer(population, [criterion]))[0] == pytest.approx(100 * 2 / 3)


@pytest.mark.parametrize(
    ("mentee", "mentor", "expected"),
    [(2, 4, 100.0), (2, 3, 0.0), (4, 2, 0.0), (None, 7, 0.0), (2, None, 0.0)],
)
def test_seniority_gap_needs_the_mentor_that_many_levels_above(mentee, mentor, expected):
    population = one_pair(person(1, seniority=mentee), person(2, seniority=mentor))
    criterion = Criterion("senior", Kind.SENIORITY_GAP, min_gap=2)
    assert pair_score(Scorer(population, [criterion]))[0] == expected


@pytest.mark.parametrize(
    ("mine", "theirs", "prefer", "expected"),
    [
        ("Sales", "Sales", "same", 100.0),
        ("Sales", "Legal", "same", 0.0),
        ("Sales", "Legal", "different", 100.0),
        ("Sales", "sales", "different", 0.0),
        (None, "Legal", "different", 0.0),
    ],
)
def test_same_or_different(mine, theirs, prefer, expected):
    population = one_pair(
        person(1, categories={"department": mine}), person(2, categories={"department": theirs})
    )
    criterion = Criterion("dept", Kind.SAME_OR_DIFFERENT, field="department", prefer=prefer)
    assert pair_score(Scorer(population, [criterion]))[0] == expected


@pytest.mark.parametrize(
    ("mine", "theirs", "hours"),
    [(0, 0, 0.0), (60, -480, 9.0), (-600, 720, 2.0), (330, 0, 5.5), (None, 0, None)],
)
def test_time_zone_penalty_grows_with_the_hours_apart_around_the_clock(mine, theirs, hours):
    population = one_pair(
        person(1, utc_offset_minutes=mine, sets={"skills": ["a"]}),
        person(2, utc_offset_minutes=theirs, sets={"skills": ["a"]}),
    )
    criteria = [
        Criterion("skills", Kind.SIMILAR, MEDIUM, field="skills"),
        Criterion("tz", Kind.TIME_ZONE, MEDIUM, max_hours=12),
    ]
    scorer = Scorer(population, criteria)
    score, parts = pair_score(scorer)
    assert scorer.baseline == 50.0
    expected_penalty = -50.0 * (hours or 0.0) / 12
    assert parts[1] == pytest.approx(expected_penalty)
    assert score == pytest.approx(50.0 + 50.0 + expected_penalty)
    tz_part = scorer.explain(0, 0).parts[2]
    assert tz_part.hours == hours


def test_points_of_all_weighted_criteria_add_up_to_100_and_mandatory_ones_carry_none():
    population = one_pair(person(1), person(2))
    criteria = [
        Criterion("a", Kind.SENIORITY_GAP, HIGH),
        Criterion("b", Kind.SENIORITY_GAP, LOW),
        Criterion("c", Kind.SENIORITY_GAP, 4.0, mandatory=True),
        Criterion("d", Kind.TIME_ZONE, 0.5),
    ]
    scorer = Scorer(population, criteria)
    assert scorer.points.tolist() == pytest.approx([300 / 4.5, 100 / 4.5, 0.0, 50 / 4.5])
    assert scorer.points.sum() == pytest.approx(100.0)
    assert scorer.baseline == pytest.approx(50 / 4.5)


def test_a_program_with_only_mandatory_criteria_scores_everyone_zero():
    population = one_pair(person(1, seniority=1), person(2, seniority=5))
    scorer = Scorer(population, [Criterion("s", Kind.SENIORITY_GAP, mandatory=True)])
    assert pair_score(scorer) == (0.0, [0.0])
    assert scorer.feasible(np.array([0]), np.array([0])).tolist() == [True]


@pytest.mark.parametrize(
    ("criterion", "message"),
    [
        (Criterion("x", Kind.SIMILAR, field="nope"), "no set field 'nope'"),
        (Criterion("x", Kind.SAME_OR_DIFFERENT, field="nope"), "no categorical field"),
        (Criterion("x", Kind.SIMILAR, -1.0, field="skills"), "weight must be a number >= 0"),
        (Criterion("x", Kind.TIME_ZONE, max_hours=0), "max_hours must be > 0"),
        (Criterion(BASELINE, Kind.TIME_ZONE), "reserved"),
    ],
)
def test_bad_criteria_are_refused(criterion, message):
    population = one_pair(person(1, sets={"skills": []}), person(2, sets={"skills": []}))
    with pytest.raises(ValueError, match=message):
        Scorer(population, [criterion])


def test_criterion_keys_must_be_unique():
    population = one_pair(person(1), person(2))
    with pytest.raises(ValueError, match="unique"):
        Scorer(population, [Criterion("a", Kind.TIME_ZONE), Criterion("a", Kind.TIME_ZONE)])


# -- hard rules -------------------------------------------------------------------------


def org() -> Population:
    """Boss manages Mid, Mid manages Ann and Ben; Cat is elsewhere; Zed is Ann too."""
    mentees = [
        Person(id=1, email="ann@x.org", manager_email="mid@x.org"),
        Person(id=2, email="ben@x.org", manager_email="mid@x.org"),
        Person(id=3, email="boss@x.org"),
        Person(id=4, email="cat@x.org", manager_email="other@x.org"),
    ]
    mentors = [
        Person(id=10, email="mid@x.org", manager_email="boss@x.org"),
        Person(id=11, email="boss@x.org"),
        Person(id=12, email="ben@x.org", manager_email="mid@x.org"),
        Person(id=13, email="eve@x.org", manager_email="mid@x.org"),
        Person(id=14, email="zed@x.org", manager_email="cat@x.org"),
        Person(id=15, email="ann@x.org", manager_email="mid@x.org"),
    ]
    return population_build(mentees=mentees, mentors=mentors)


def test_reporting_line_rules_out_managers_both_ways_up_the_chain_and_shared_managers():
    scorer = Scorer(org(), [Criterion("tz", Kind.TIME_ZONE)], Rules(reporting_line=True))
    ok = scorer.exact_block(np.arange(4))[1]
    ann, ben, boss, cat = range(4)
    mid, big_boss, ben_m, eve, zed, ann_m = range(6)
    assert not ok[ann, mid]  # her manager
    assert not ok[ann, big_boss]  # her manager's manager
    assert not ok[ann, eve]  # same manager
    assert not ok[ann, ann_m]  # herself
    assert not ok[ben, ben_m]  # himself
    assert not ok[ann, ben_m]  # same manager
    assert not ok[boss, mid]  # the mentor reports to the mentee
    assert not ok[cat, zed]  # the mentee manages the mentor
    assert ok[ann, zed]
    assert ok[cat, mid]
    assert scorer.violations(ann, mid) == (RULE_REPORTING_LINE,)
    assert scorer.violations(ann, ann_m) == (RULE_SAME_PERSON,)
    assert scorer.violations(ann, eve) == (RULE_REPORTING_LINE,)
    assert scorer.violations(ann, zed) == ()


def test_without_the_reporting_line_rule_only_the_same_person_is_ruled_out():
    scorer = Scorer(org(), [Criterion("tz", Kind.TIME_ZONE)], Rules(reporting_line=False))
    ok = scorer.exact_block(np.arange(4))[1]
    assert ok.sum() == 4 * 6 - 3  # Ann, Ben and Boss appear on both sides


def test_same_department_and_shared_language_rules():
    population = population_build(
        mentees=[
            person(1, categories={"department": "Sales"}, sets={"languages": ["en"]}),
            person(2, categories={"department": None}, sets={"languages": []}),
        ],
        mentors=[
            person(3, categories={"department": "sales"}, sets={"languages": ["EN", "fr"]}),
            person(4, categories={"department": "Legal"}, sets={"languages": ["fr"]}),
        ],
    )
    rules = Rules(reporting_line=False, same_department=True, shared_language=True)
    scorer = Scorer(population, [Criterion("tz", Kind.TIME_ZONE)], rules)
    assert scorer.exact_block(np.arange(2))[1].tolist() == [[False, False], [False, False]]
    assert scorer.violations(0, 0) == (RULE_SAME_DEPARTMENT,)
    assert scorer.violations(0, 1) == (RULE_NO_SHARED_LANGUAGE,)
    assert scorer.violations(1, 1) == (RULE_NO_SHARED_LANGUAGE,)


def test_a_mandatory_criterion_rules_out_pairs_that_score_zero_on_it():
    population = population_build(
        mentees=[person(1, seniority=2, utc_offset_minutes=0)],
        mentors=[
            person(2, seniority=3, utc_offset_minutes=60),
            person(3, seniority=2, utc_offset_minutes=60),
            person(4, seniority=5, utc_offset_minutes=600),
            person(5, seniority=5),
        ],
    )
    criteria = [
        Criterion("senior", Kind.SENIORITY_GAP, mandatory=True),
        Criterion("tz", Kind.TIME_ZONE, mandatory=True, max_hours=8),
    ]
    scorer = Scorer(population, criteria)
    assert scorer.exact_block(np.array([0]))[1].tolist() == [[True, False, False, False]]
    assert scorer.violations(0, 1) == ("mandatory:senior",)
    assert scorer.violations(0, 2) == ("mandatory:tz",)
    explanation = scorer.explain(0, 2)
    assert [p.satisfied for p in explanation.parts] == [True, False]
    assert not explanation.feasible


# -- explanations -------------------------------------------------------------------


def test_explanation_lists_what_is_shared_and_adds_up_to_the_score():
    population = one_pair(
        person(
            1,
            utc_offset_minutes=60,
            sets={"skills": ["Python", "negotiation", "SQL"], "wants": ["leadership"]},
        ),
        person(
            2,
            utc_offset_minutes=-480,
            sets={"skills": ["python", "Negotiation", "Go"], "offers": ["Leadership"]},
        ),
    )
    criteria = [
        Criterion("skills", Kind.SIMILAR, HIGH, field="skills"),
        Criterion("growth", Kind.COMPLEMENTARY, HIGH, field="wants", mentor_field="offers"),
        Criterion("tz", Kind.TIME_ZONE, MEDIUM, max_hours=12),
    ]
    explanation = Scorer(population, criteria).explain(0, 0)
    data = explanation.as_dict()
    json.dumps(data)  # ready for a JSONField
    parts = {part["criterion"]: part for part in data["parts"]}  # type: ignore[attr-defined]
    assert parts["skills"]["items"] == ["negotiation", "Python"]
    assert parts["growth"]["items"] == ["leadership"]
    assert parts["tz"]["hours"] == 9.0
    assert parts["tz"]["points"] < 0
    assert parts[BASELINE]["points"] == 25
    assert sum(p.points for p in explanation.parts) == explanation.score
    assert explanation.score == score_display(explanation.exact_score)


@st.composite
def populations(draw: st.DrawFn) -> tuple[Population, list[Criterion], Rules]:
    labels = ["a", "b", "c", "d", "e"]
    departments = ["x", "y", None]

    def someone(n: int) -> Person:
        return Person(
            id=n,
            email=f"p{n}@example.com",
            manager_email=f"p{draw(st.integers(0, 12))}@example.com",
            seniority=draw(st.one_of(st.none(), st.integers(1, 7))),
            utc_offset_minutes=draw(
                st.one_of(st.none(), st.integers(-12, 14).map(lambda h: h * 60))
            ),
            capacity=draw(st.integers(0, 3)),
            categories={"department": draw(st.sampled_from(departments))},
            sets={
                "skills": draw(st.lists(st.sampled_from(labels), max_size=4)),
                "wants": draw(st.lists(st.sampled_from(labels), max_size=3)),
                "offers": draw(st.lists(st.sampled_from(labels), max_size=3)),
            },
        )

    mentees = [someone(n) for n in range(draw(st.integers(1, 6)))]
    mentors = [someone(100 + n) for n in range(draw(st.integers(1, 5)))]
    weight = st.sampled_from([LOW, MEDIUM, HIGH, 0.0, 2.5])
    criteria = [
        Criterion("skills", Kind.SIMILAR, draw(weight), field="skills"),
        Criterion(
            "share",
            Kind.SIMILAR,
            draw(weight),
            field="skills",
            measure="mentee_share",
            mandatory=draw(st.booleans()),
        ),
        Criterion("growth", Kind.COMPLEMENTARY, draw(weight), field="wants", mentor_field="offers"),
        Criterion("senior", Kind.SENIORITY_GAP, draw(weight), min_gap=draw(st.integers(0, 3))),
        Criterion(
            "dept",
            Kind.SAME_OR_DIFFERENT,
            draw(weight),
            field="department",
            prefer=draw(st.sampled_from(["same", "different"])),
        ),
        Criterion("tz", Kind.TIME_ZONE, draw(weight), max_hours=draw(st.sampled_from([3.0, 12.0]))),
    ]
    rules = Rules(
        reporting_line=draw(st.booleans()),
        same_department=draw(st.booleans()),
        shared_language=draw(st.booleans()),
        language_field="offers",
    )
    return population_build(mentees=mentees, mentors=mentors), criteria, rules


@settings(max_examples=150, deadline=None)
@given(populations())
def test_scores_are_between_0_and_100_and_their_parts_add_up(case):
    population, criteria, rules = case
    scorer = Scorer(population, criteria, rules)
    n, m = scorer.n_mentees, scorer.n_mentors
    rows, cols = np.divmod(np.arange(n * m), m)
    result = scorer.pairs(rows, cols)
    assert (result.score >= -1e-9).all()
    assert (result.score <= 100 + 1e-9).all()
    assert np.allclose(scorer.baseline + result.contributions.sum(axis=1), result.score)
    for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
        explanation = scorer.explain(row, col)
        assert sum(part.points for part in explanation.parts) == explanation.score
        assert explanation.score == score_display(float(result.score[row * m + col]))
        for part in explanation.parts:
            assert abs(part.points - part.exact_points) < 1


@settings(max_examples=100, deadline=None)
@given(populations())
def test_whole_rows_and_single_pairs_agree_to_the_bit(case):
    population, criteria, rules = case
    scorer = Scorer(population, criteria, rules)
    n, m = scorer.n_mentees, scorer.n_mentors
    scores, feasible = scorer.exact_block(np.arange(n))
    rows, cols = np.divmod(np.arange(n * m), m)
    pairs = scorer.pairs(rows, cols)
    assert np.array_equal(pairs.score, scores.ravel())
    assert np.array_equal(pairs.feasible, feasible.ravel())
    assert np.array_equal(scorer.exact(rows, cols), scores.ravel())
    for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
        assert (scorer.violations(row, col) == ()) == bool(feasible[row, col])


def test_rules_with_more_than_64_labels_agree_between_rows_and_pairs():
    # Whole blocks test the rules with 64-bit masks of the labels, or with products
    # beyond 64 labels; single pairs always with products.
    rnd = np.random.default_rng(5)
    labels = [f"l{k}" for k in range(200)]

    def someone(n: int, k: int) -> Person:
        return person(
            n,
            sets={"languages": list(rnd.choice(labels[:k], size=3, replace=False))},
            categories={"department": str(rnd.choice(labels[:k]))},
        )

    for k in (20, 200):
        population = population_build(
            mentees=[someone(n, k) for n in range(150)],
            mentors=[someone(1000 + n, k) for n in range(120)],
        )
        criteria = [
            Criterion("lang", Kind.SIMILAR, field="languages", mandatory=True),
            Criterion("dept", Kind.SAME_OR_DIFFERENT, field="department", prefer="different"),
        ]
        rules = Rules(reporting_line=False, same_department=True, shared_language=True)
        scorer = Scorer(population, criteria, rules)
        feasible = scorer.exact_block(np.arange(150))[1]
        rows, cols = np.divmod(np.arange(150 * 120), 120)
        assert np.array_equal(scorer.feasible(rows, cols), feasible.ravel())
        assert 0 < feasible.sum() < feasible.size


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(-60, 100, allow_nan=False), min_size=1, max_size=12))
def test_rounded_parts_add_up_to_the_rounded_sum(values):
    rounded = points_round(values)
    assert sum(rounded) == score_display(sum(values))
    assert all(abs(r - v) < 1 + 1e-9 for r, v in zip(rounded, values, strict=True))


def test_rounding_halves_go_up():
    assert score_display(62.5) == 63
    assert score_display(62.49999) == 62
    # Float noise just under a half still counts as the half.
    assert score_display(12.5 - 1e-12) == 13
    assert points_round([10.5, 10.5, -1.0]) == [11, 10, -1]


def test_scoring_and_solving_import_without_django():
    code = (
        "import sys; import matching.scoring, matching.solver; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env={"PYTHONPATH": "."})
