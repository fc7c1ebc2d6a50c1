"""No hidden survey count can be worked out from what the results show.

Issue 15: with seven answers to a 1-5 rating (four 4s, three 5s) and a minimum
group size of 5, the page showed "answered 7", zeros for 1-3 and the average 4.4,
which pins the hidden 4s and 5s down (4a + 5b = 31, a + b = 7). The solver in
``results_solver`` writes down everything shown and finds every hidden count
that only one value fits.
"""

from __future__ import annotations

import pytest

from programs.models import Participant
from surveys import services
from surveys.models import Invitation, Question
from surveys.results import survey_results
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
