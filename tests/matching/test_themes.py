"""The similar-themes criterion: free text compared by tf-idf, explained by shared themes."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from matching import inputs, runs, scoring, solver, themes
from matching.models import MatchCriterion, MatchProposal, MatchRun
from mentoring.models import User
from pairs.mentorships import explanation_reasons
from programs.models import Participant, ProfileAnswer, ProfileQuestion, Program
from tests.matching.conftest import person

ASPIRES = "I want to get better at public speaking and product strategy"
COACHES = "I coach public speaking; ten years of product strategy."
RUST = "Learning Rust and distributed systems, maybe a move to platform engineering."
SYSTEMS = "Distributed systems engineer; I have led platform engineering teams in Rust."


def _scorer(mentee_texts: list[str], mentor_texts: list[str], **criterion: Any) -> scoring.Scorer:
    population = scoring.population_build(
        mentees=[
            scoring.Person(id=n, email=f"mentee{n}@example.org", texts={"aspirations": t})
            for n, t in enumerate(mentee_texts)
        ],
        mentors=[
            scoring.Person(id=100 + n, email=f"mentor{n}@example.org", texts={"bio": t})
            for n, t in enumerate(mentor_texts)
        ],
    )
    theme = scoring.Criterion(
        key="themes",
        kind=scoring.Kind.THEMES,
        field="aspirations",
        mentor_field="bio",
        **criterion,
    )
    return scoring.Scorer(population, [theme])


def test_stop_words_and_punctuation_break_phrases() -> None:
    assert themes.text_terms(ASPIRES) == [
        "want",
        "better",
        "public",
        "speaking",
        "public speaking",
        "product",
        "strategy",
        "product strategy",
    ]
    # "strategy. Ask" is no phrase; a bare number is no term.
    assert themes.text_terms("Strategy. Ask me, 10 times") == ["strategy", "ask", "times"]


def test_mentees_pair_with_the_mentor_who_writes_about_the_same_themes() -> None:
    scorer = _scorer([RUST, ASPIRES], [COACHES, SYSTEMS])
    scores, feasible = scorer.exact_block(np.arange(2))
    assert feasible.all()
    assert scores[0, 1] > 0
    assert scores[1, 0] > 0
    assert scores[0, 0] == 0
    assert scores[1, 1] == 0

    assignment = solver.solve(scorer, capacity=[1, 1])
    assert sorted(zip(assignment.mentees, assignment.mentors, strict=True)) == [(0, 1), (1, 0)]

    part = scorer.explain(1, 0).parts[0]
    assert part.points > 0
    assert set(part.items) == {"public speaking", "product strategy"}
    assert part.as_dict()["items"] == list(part.items)
    # The words of a shared phrase are not named again.
    assert "public" not in part.items
    other = scorer.explain(0, 1).parts[0]
    assert {"distributed systems", "platform engineering", "rust"} <= set(other.items)


def test_empty_texts_score_nothing_and_are_never_a_reason() -> None:
    scorer = _scorer(["", ASPIRES], [COACHES, ""])
    scores, _feasible = scorer.exact_block(np.arange(2))
    assert scores[0].tolist() == [0.0, 0.0]
    assert scores[:, 1].tolist() == [0.0, 0.0]
    config = {
        "criteria": [
            {"key": "themes", "field": "career_aspirations", "mentor_field": "bio", "rule": "x"}
        ]
    }
    catalog = {
        "career_aspirations": inputs.Field("career_aspirations", inputs.TEXT, "career aspirations"),
        "bio": inputs.Field("bio", inputs.TEXT, "short bio"),
    }
    for row, col in ((0, 0), (0, 1), (1, 1)):
        explanation = scorer.explain(row, col)
        part = explanation.parts[0]
        assert (part.points, part.items) == (0, ())
        stored = inputs.explanation_store(explanation, config, catalog)
        assert stored[0]["text"] == "no shared themes in career aspirations and short bio"
        assert explanation_reasons(stored) == []
    shared = inputs.explanation_store(scorer.explain(1, 0), config, catalog)
    assert shared[0]["text"].startswith("both mention: ")
    assert explanation_reasons(shared) == shared


def test_nobody_writing_anything_but_stop_words_scores_zero_everywhere() -> None:
    scorer = _scorer(["", "I want to do it"], ["", "and the"])
    scores, _feasible = scorer.exact_block(np.arange(2))
    assert not scores.any()
    assert scorer.explain(1, 1).parts[0].items == ()


def _generated(rng: random.Random, n: int) -> list[str]:
    words = [
        "coaching", "strategy", "product", "public", "speaking", "data", "science", "rust",
        "leadership", "hiring", "budget", "design", "research", "sales", "growth", "python",
    ]  # fmt: skip
    return [" ".join(rng.choices(words, k=rng.randint(0, 12))) for _ in range(n)]


def test_whole_rows_and_single_pairs_agree_to_the_bit() -> None:
    rng = random.Random(7)
    scorer = _scorer(_generated(rng, 60), _generated(rng, 25))
    scores, _feasible = scorer.exact_block(np.arange(60))
    rows, cols = np.meshgrid(np.arange(60), np.arange(25), indexing="ij")
    pairs = scorer.pairs(rows.ravel(), cols.ravel())
    assert np.array_equal(pairs.score.reshape(60, 25), scores)
    assert np.allclose(pairs.contributions[:, 0], pairs.score)
    assert scores.max() <= 100 + 1e-9
    for row, col in ((0, 0), (13, 7), (59, 24)):
        explanation = scorer.explain(row, col)
        assert explanation.score == sum(p.points for p in explanation.parts)
        assert bool(explanation.parts[0].items) == (scores[row, col] > 0)


def test_mandatory_themes_rule_out_pairs_with_nothing_in_common() -> None:
    scorer = _scorer([RUST, ASPIRES], [COACHES, SYSTEMS], mandatory=True)
    _scores, feasible = scorer.exact_block(np.arange(2))
    assert feasible.tolist() == [[False, True], [True, False]]
    assert scorer.feasible(np.array([0, 0]), np.array([0, 1])).tolist() == [False, True]
    assert scorer.violations(0, 0) == ("mandatory:themes",)
    assert scorer.violations(0, 1) == ()


# -- in a program ----------------------------------------------------------------------


def _add(program: Program, by: User, **fields: Any) -> MatchCriterion:
    values: dict[str, Any] = {
        "mentor_field": "",
        "weight": "high",
        "custom_weight": None,
        "min_gap": 1,
        "max_hours": 8,
        **fields,
    }
    return runs.criterion_add(program=program, by=by, **values)


def _run(program: Program, coordinator: User) -> MatchRun:
    run = runs.match_run_start(program=program, by=coordinator)
    runs.match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


@pytest.mark.usefixtures("eager_celery")
def test_a_run_pairs_aspirations_with_bios_and_names_the_shared_themes(
    program: Program, coordinator: User
) -> None:
    mentee, mentor = Participant.Role.MENTEE, Participant.Role.MENTOR
    ana = person(program, mentee, "Ana Mentee", career_aspirations=ASPIRES)
    ben = person(program, mentee, "Ben Mentee", career_aspirations=RUST)
    cat = person(program, mentor, "Cat Mentor", bio=SYSTEMS)
    dan = person(program, mentor, "Dan Mentor", bio=COACHES)
    criterion = _add(
        program, coordinator, field="career_aspirations", mentor_field="bio", rule="similar_themes"
    )
    assert criterion.mentor_field == "bio"

    run = _run(program, coordinator)
    assert run.status == MatchRun.Status.DRAFT
    proposals = {p.mentee_id: p for p in MatchProposal.objects.filter(run=run)}
    assert proposals[ana.pk].mentor_id == dan.pk
    assert proposals[ben.pk].mentor_id == cat.pk
    part = proposals[ana.pk].explanation[0]
    assert part["points"] > 0
    assert part["points"] == proposals[ana.pk].score
    assert set(part["items"]) == {"public speaking", "product strategy"}
    assert "public speaking" in part["text"]
    assert "product strategy" in part["text"]
    assert explanation_reasons(proposals[ana.pk].explanation) == [part]


@pytest.mark.usefixtures("eager_celery")
def test_a_free_text_question_marked_for_matching_compares_both_sides_answers(
    program: Program, coordinator: User
) -> None:
    question = ProfileQuestion.objects.create(
        program=program,
        text="What would you like to talk about?",
        kind=ProfileQuestion.Kind.TEXT,
        is_matching_input=True,
    )
    mentee, mentor = Participant.Role.MENTEE, Participant.Role.MENTOR
    answers = {
        person(program, mentee, "Ana Mentee"): "negotiation and salary talks",
        person(program, mentee, "Ben Mentee"): "",
        person(program, mentor, "Cat Mentor"): "hiring in startups",
        person(program, mentor, "Dan Mentor"): "salary negotiation, and negotiation at work",
    }
    for participant, value in answers.items():
        ProfileAnswer.objects.create(participant=participant, question=question, value=value)
    _add(program, coordinator, field=f"q{question.pk}", rule="similar_themes")

    run = _run(program, coordinator)
    by_name = {
        p.mentee.full_name: p
        for p in MatchProposal.objects.filter(run=run).select_related("mentee", "mentor")
    }
    assert by_name["Ana Mentee"].mentor is not None
    assert by_name["Ana Mentee"].mentor.full_name == "Dan Mentor"
    assert "negotiation" in by_name["Ana Mentee"].explanation[0]["items"]
    ben = by_name["Ben Mentee"]
    assert ben.score == 0
    assert explanation_reasons(ben.explanation) == []


def _post(client: Client, program: Program, **fields: str) -> Any:
    data = {
        "action": "criterion",
        "criterion-weight": "high",
        "criterion-min_gap": "1",
        "criterion-max_hours": "8",
        **{f"criterion-{k}": v for k, v in fields.items()},
    }
    return client.post(reverse("matching:criteria", args=[program.pk]), data)


@pytest.mark.parametrize(
    ("fields", "error_on"),
    [
        ({"field": "skills", "rule": "similar_themes"}, "rule"),
        ({"field": "department", "rule": "similar_themes"}, "rule"),
        ({"field": "career_aspirations", "rule": "similar"}, "rule"),
        (
            {"field": "career_aspirations", "rule": "similar_themes", "mentor_field": "skills"},
            "mentor_field",
        ),
    ],
)
def test_the_criterion_form_takes_similar_themes_for_text_fields_only(
    client: Client, program: Program, coordinator: User, fields: dict[str, str], error_on: str
) -> None:
    client.force_login(coordinator)
    response = _post(client, program, **fields)
    assert response.status_code == 200
    assert error_on in response.context["criterion_form"].errors
    assert not MatchCriterion.objects.exists()


def test_the_criterion_form_adds_similar_themes_between_aspirations_and_bios(
    client: Client, program: Program, coordinator: User
) -> None:
    client.force_login(coordinator)
    response = _post(
        client, program, field="career_aspirations", rule="similar_themes", mentor_field="bio"
    )
    assert response.status_code == 302
    criterion = MatchCriterion.objects.get(program=program)
    assert (criterion.field, criterion.rule, criterion.mentor_field) == (
        "career_aspirations",
        "similar_themes",
        "bio",
    )
    page = client.get(reverse("matching:criteria", args=[program.pk])).content.decode()
    assert "Similar themes: mentee&#x27;s career aspirations" in page
