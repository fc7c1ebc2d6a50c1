"""Reads of profiles: a participant's answers, their own participation, the questions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from mentoring.models import User
from mentoring.questions import selectors as builder
from programs.models import Participant, ProfileAnswer, ProfileQuestion, Program


def answers_by_question(participant: Participant) -> dict[int, Any]:
    return dict(
        ProfileAnswer.objects.filter(participant=participant).values_list("question_id", "value")
    )


def participant_own(*, user: User, program: Program) -> Participant | None:
    """The signed-in person's own (not withdrawn) participation in a program."""
    return (
        Participant.objects.filter(program=program, user=user)
        .exclude(status=Participant.Status.WITHDRAWN)
        .select_related("program")
        .first()
    )


def question_list(*, program: Program) -> QuerySet[ProfileQuestion]:
    """The program's questions in order, each with how many people answered it."""
    return builder.question_list(model=ProfileQuestion, owner=program, answer_counts=True)
