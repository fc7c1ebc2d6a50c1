"""No hidden survey count can be worked out from what the results show.

Issue 15: with seven answers to a 1-5 rating (four 4s, three 5s) and a minimum
group size of 5, the page showed "answered 7", zeros for 1-3 and the average 4.4,
which pins the hidden 4s and 5s down (4a + 5b = 31, a + b = 7). The solver in
``results_solver`` writes down everything shown and finds every hidden count
that only one value fits.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from programs.models import Participant
from surveys import services
from surveys.models import Invitation, Question, Survey
from surveys.results import ROLES, response_counts_from, survey_results, survey_results_from
from tests.factories.surveys import answers_for, people, survey_open
from tests.surveys.results_solver import determined_counts

pytestmark = pytest.mark.django_db

RATINGS = [4, 4, 4, 4, 5, 5, 5]


@pytest.fixture
def seven_answers(program, coordinator):
    """Seven mentees answered: four 4s and three 5s on every rating."""
    program.min_group_size = 5
    program.save(update_fields=["min_group_size"])
    people(program, Participant.Role.MENTEE, len(RATINGS))
    people(program, Participant.Role.MENTOR, 2)
    survey = survey_open(program, coordinator)
    invitations = Invitation.objects.filter(survey=survey, role=Participant.Role.MENTEE)
    for invitation, rating in zip(invitations, RATINGS, strict=True):
        services.response_submit(
            invitation=invitation, answers=answers_for(survey, invitation.role, rating=rating)
        )
    return survey


def test_the_hidden_counts_of_seven_ratings_cannot_be_worked_out(seven_answers) -> None:
    results = survey_results(survey=seven_answers)
    rating = next(q for q in results.questions if q.question.kind == Question.Kind.RATING)
    assert results.answered == 7
    assert [bar.count for bar in rating.bars][3:] == [None, None]  # the 4s and the 5s
    assert determined_counts(results, rating) == []


def test_no_question_of_the_seven_answers_gives_a_hidden_count_away(seven_answers) -> None:
    for role_filter in ("", Participant.Role.MENTEE, Participant.Role.MENTOR):
        results = survey_results(survey=seven_answers, role_filter=role_filter)
        for item in results.questions:
            if item.question.kind != Question.Kind.TEXT:
                assert determined_counts(results, item) == [], (role_filter, item.question.text)


# ------------------------------------------------------------------------------
# Over random answer sets, nothing hidden can be solved for
# ------------------------------------------------------------------------------

WEEKS = (dt.date(2026, 3, 2), dt.date(2026, 3, 9))
CHOICES = ["Yes", "No", "Maybe"]


def _questions() -> list[Question]:
    kinds = [
        Question.Kind.RATING,
        Question.Kind.NPS,
        Question.Kind.SINGLE_CHOICE,
        Question.Kind.MULTI_CHOICE,
    ]
    return [
        Question(
            pk=i + 1,
            position=i,
            kind=kind,
            text=str(kind),
            audience="both",
            choices=CHOICES if kind in CHOICE_KINDS else [],
        )
        for i, kind in enumerate(kinds)
    ]


CHOICE_KINDS = (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTI_CHOICE)

answer = st.tuples(
    st.integers(1, 5),
    st.integers(0, 10),
    st.sampled_from(CHOICES),
    st.sets(st.sampled_from(CHOICES)),
    st.sampled_from(WEEKS),
)


@settings(max_examples=50, deadline=None)
@given(
    mentors=st.lists(answer, max_size=8),
    mentees=st.lists(answer, max_size=8),
    minimum=st.sampled_from([2, 3, 5]),
    role_filter=st.sampled_from(["", Participant.Role.MENTOR, Participant.Role.MENTEE]),
)
def test_no_hidden_count_can_be_solved_for_from_everything_shown(
    mentors: list[tuple[int, int, str, set[str], dt.date]],
    mentees: list[tuple[int, int, str, set[str], dt.date]],
    minimum: int,
    role_filter: str,
) -> None:
    questions = _questions()
    by_question: dict[int, list[tuple[str, dt.date, object]]] = defaultdict(list)
    per_week: Counter[dt.date] = Counter()
    for role, answers in ((Participant.Role.MENTOR, mentors), (Participant.Role.MENTEE, mentees)):
        for rating, nps, single, multi, week in answers:
            per_week[week] += 1
            for question, value in zip(
                questions, (rating, nps, single, sorted(multi)), strict=True
            ):
                by_question[question.pk].append((role, week, value))
    head = response_counts_from(
        minimum=minimum,
        roles=ROLES,
        invited={
            Participant.Role.MENTOR: (len(mentors) + 1, len(mentors)),
            Participant.Role.MENTEE: (len(mentees) + 1, len(mentees)),
        },
    )
    results = survey_results_from(
        survey=Survey(audience="both", is_anonymous=True),
        counts=head,
        per_week=dict(per_week),
        questions=questions,
        by_question=by_question,
        texts={},
        role_filter=role_filter,
    )
    for item in results.questions:
        assert determined_counts(results, item) == [], item.question.kind


# ------------------------------------------------------------------------------
# The page, the CSV and the API show the same
# ------------------------------------------------------------------------------


def test_page_csv_and_api_show_neither_the_hidden_counts_nor_the_average(
    client,
    api_as,
    program,
    coordinator,
    seven_answers,
) -> None:
    rating = seven_answers.questions.filter(kind=Question.Kind.RATING).first()
    client.force_login(coordinator)
    export = client.get(reverse("surveys:survey_export", args=[program.pk, seven_answers.pk]))
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    mine = [row for row in rows if row[1] == rating.text]
    distribution = {
        row[3]: row[4] for row in mine if row[0] == "distribution" and row[2] == "everyone"
    }
    assert distribution == {"1": "0", "2": "0", "3": "0", "4": "hidden", "5": "hidden"}
    assert [row for row in mine if row[0] in ("average", "NPS") and row[5]] == []
    page = client.get(reverse("surveys:survey_results", args=[program.pk, seven_answers.pk]))
    card = page.content.decode().split(f'id="q{rating.pk}-title"')[1].split("</section>")[0]
    assert "4.4" not in card
    assert "Average</dt>" not in card
    body = (
        api_as(coordinator).get(f"/programs/{program.pk}/surveys/{seven_answers.pk}/results").json()
    )
    found = next(q for q in body["questions"] if q["id"] == rating.pk)
    assert found["average"] is None
    assert [o["count"] for o in found["options"]] == [0, 0, 0, None, None]
    assert all(role["average"] is None for role in found["roles"])
    assert all(week["average"] is None for week in found["weeks"])
