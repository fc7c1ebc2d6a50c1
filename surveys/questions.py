"""A survey's questions: the coordinator's builder, on the shared one.

mentoring/questions does the ordering and cleaning; this module adds the survey's
rule (questions change only while it is a draft, so answers stay comparable) and the
audit rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from mentoring.audience import Audience
from mentoring.audit import Action, audit_record
from mentoring.models import User
from mentoring.questions import services as builder
from surveys.models import Question, Survey
from surveys.services import SurveyError, check_draft


def _question_clean(**fields: Any) -> builder.QuestionFields:
    try:
        return builder.question_clean(model=Question, **fields)
    except builder.QuestionError as error:
        raise SurveyError(str(error)) from None


def question_create(
    *,
    survey: Survey,
    by: User,
    text: str,
    kind: str,
    help_text: str = "",
    choices: Sequence[str] = (),
    is_required: bool = False,
    audience: str = Audience.BOTH,
) -> Question:
    """Add a question at the end of the survey."""
    check_draft(survey)
    fields = _question_clean(
        text=text,
        help_text=help_text,
        kind=kind,
        choices=choices,
        is_required=is_required,
        audience=audience,
    )
    with transaction.atomic():
        question = builder.question_add(model=Question, owner=survey, fields=fields)
        audit_record(
            action=Action.SURVEY_CHANGE,
            actor=by,
            target=survey,
            detail={"change": "question_create", "question_id": question.pk},
        )
    return question


def question_update(
    *,
    question: Question,
    by: User,
    text: str,
    kind: str,
    help_text: str = "",
    choices: Sequence[str] = (),
    is_required: bool = False,
    audience: str = Audience.BOTH,
) -> Question:
    check_draft(question.survey)
    fields = _question_clean(
        text=text,
        help_text=help_text,
        kind=kind,
        choices=choices,
        is_required=is_required,
        audience=audience,
    )
    with transaction.atomic():
        builder.question_update(question=question, fields=fields)
        audit_record(
            action=Action.SURVEY_CHANGE,
            actor=by,
            target=question.survey,
            detail={"change": "question_update", "question_id": question.pk},
        )
    return question


@transaction.atomic
def question_delete(*, question: Question, by: User) -> None:
    check_draft(question.survey)
    audit_record(
        action=Action.SURVEY_CHANGE,
        actor=by,
        target=question.survey,
        detail={"change": "question_delete", "question_id": question.pk},
    )
    builder.question_delete(question=question)


def _reordered(survey: Survey, moved: int, by: User) -> None:
    audit_record(
        action=Action.SURVEY_CHANGE,
        actor=by,
        target=survey,
        detail={"change": "question_reorder", "moved": moved},
    )


@transaction.atomic
def question_reorder(*, survey: Survey, question_ids: Sequence[int], by: User) -> None:
    """Put the survey's questions in this order (every question exactly once)."""
    check_draft(survey)
    try:
        moved = builder.question_order_set(model=Question, owner=survey, question_ids=question_ids)
    except builder.QuestionError as error:
        raise SurveyError(str(error)) from None
    _reordered(survey, moved, by)


@transaction.atomic
def question_move(*, question: Question, offset: int, by: User) -> bool:
    """Move a question up (offset -1) or down (+1); False when it is already at that end."""
    check_draft(question.survey)
    moved = builder.question_move(question=question, offset=offset)
    if moved:
        _reordered(question.survey, moved, by)
    return bool(moved)
