"""The shared question builder keeps every owner's positions dense and unique."""

from __future__ import annotations

import pytest

from mentoring.audience import Audience
from mentoring.questions import services as builder
from mentoring.questions.selectors import question_list
from programs.models import ProfileQuestion, Program
from surveys.models import Question, Survey
from tests.factories.programs import program_create

pytestmark = pytest.mark.django_db


def _fields(text: str, kind: str = "text") -> builder.QuestionFields:
    return builder.question_clean(model=ProfileQuestion, text=text, kind=kind)


def _texts(program: Program) -> list[str]:
    return [q.text for q in question_list(model=ProfileQuestion, owner=program)]


def _positions(program: Program) -> list[int]:
    return [q.position for q in question_list(model=ProfileQuestion, owner=program)]


@pytest.fixture
def program() -> Program:
    return program_create(name="Builder")


@pytest.fixture
def three(program: Program) -> list[ProfileQuestion]:
    return [
        builder.question_add(model=ProfileQuestion, owner=program, fields=_fields(text))
        for text in ("One", "Two", "Three")
    ]


def test_questions_are_added_at_the_end_of_their_owners_list_only(
    program: Program, three: list[ProfileQuestion]
) -> None:
    other = program_create(name="Other")
    builder.question_add(model=ProfileQuestion, owner=other, fields=_fields("Elsewhere"))
    assert _texts(program) == ["One", "Two", "Three"]
    assert _positions(program) == [1, 2, 3]
    assert _positions(other) == [1]


def test_moving_swaps_neighbours_and_stops_at_either_end(
    program: Program, three: list[ProfileQuestion]
) -> None:
    first, second, third = three
    assert builder.question_move(question=third, offset=-1) == 2
    assert _texts(program) == ["One", "Three", "Two"]
    assert builder.question_move(question=first, offset=-1) == 0
    assert builder.question_move(question=second, offset=1) == 0
    assert _positions(program) == [1, 2, 3]


def test_deleting_closes_the_gap(program: Program, three: list[ProfileQuestion]) -> None:
    builder.question_delete(question=three[0])
    assert _texts(program) == ["Two", "Three"]
    assert _positions(program) == [1, 2]


def test_an_order_must_name_each_question_once(
    program: Program, three: list[ProfileQuestion]
) -> None:
    ids = [q.pk for q in three]
    with pytest.raises(builder.QuestionError, match="changed while you were ordering"):
        builder.question_order_set(model=ProfileQuestion, owner=program, question_ids=ids[:2])
    with pytest.raises(builder.QuestionError):
        builder.question_order_set(
            model=ProfileQuestion, owner=program, question_ids=[ids[0], *ids]
        )
    assert (
        builder.question_order_set(model=ProfileQuestion, owner=program, question_ids=ids[::-1])
        == 2
    )
    assert _texts(program) == ["Three", "Two", "One"]


def test_cleaning_follows_each_models_own_kinds() -> None:
    assert builder.question_clean(model=Question, text="NPS?", kind="nps").kind == "nps"
    with pytest.raises(builder.QuestionError, match="kind of answer"):
        builder.question_clean(model=ProfileQuestion, text="NPS?", kind="nps")
    fields = builder.question_clean(
        model=Question,
        text="  Pick   one ",
        kind="single_choice",
        choices=["A", " B ", ""],
        audience=Audience.MENTEES,
    )
    assert (fields.text, fields.choices, fields.audience) == ("Pick one", ["A", "B"], "mentees")
    with pytest.raises(builder.QuestionError, match="listed twice"):
        builder.question_clean(model=Question, text="?", kind="multi_choice", choices=["A", "a"])


def test_survey_questions_use_the_same_builder(program: Program) -> None:
    survey = Survey.objects.create(program=program, title="Pulse")
    first = builder.question_add(model=Question, owner=survey, fields=_fields("How is it?"))
    second = builder.question_add(model=Question, owner=survey, fields=_fields("Why?"))
    assert builder.question_move(question=second, offset=-1) == 2
    assert [q.pk for q in question_list(model=Question, owner=survey)] == [second.pk, first.pk]
