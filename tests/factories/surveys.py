"""Surveys in known states, and answers to them, for the survey tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mentoring.models import User
from programs.models import Participant, Program
from surveys import services, sweeps
from surveys.models import Invitation, Question, Survey
from tests.factories import user_create
from tests.factories.programs import participant_create


def people(program: Program, role: str, n: int, *, prefix: str = "") -> list[Participant]:
    return [
        participant_create(
            program=program,
            user=user_create(full_name=f"{prefix or role.title()} {i}"),
            role=role,
            department=f"Dept {i % 3}",
        )
        for i in range(n)
    ]


def survey_build(
    program: Program,
    coordinator: User,
    *,
    anonymous: bool = True,
    audience: str = "both",
    starter: str = "end_of_program",
) -> Survey:
    survey = services.survey_create(program=program, by=coordinator, starter_key=starter)
    survey.is_anonymous = anonymous
    survey.audience = audience
    survey.trigger = Survey.Trigger.ON_PUBLISH
    survey.closes_at = timezone.now() + dt.timedelta(days=14)
    survey.save()
    return survey


def survey_open(program: Program, coordinator: User, **kwargs: object) -> Survey:
    survey = survey_build(program, coordinator, **kwargs)  # type: ignore[arg-type]
    services.survey_publish(survey=survey, by=coordinator)
    sweeps.surveys_sweep()
    survey.refresh_from_db()
    return survey


def answers_for(survey: Survey, role: str, *, rating: int = 4, text: str = "") -> dict[int, object]:
    """A full set of valid answers for this role."""
    values: dict[int, object] = {}
    for question in services.questions_for(survey, role):
        if question.kind == Question.Kind.RATING:
            values[question.pk] = rating
        elif question.kind == Question.Kind.NPS:
            values[question.pk] = 9
        elif question.kind == Question.Kind.SINGLE_CHOICE:
            values[question.pk] = question.choices[0]
        elif question.kind == Question.Kind.MULTI_CHOICE:
            values[question.pk] = question.choices[:2]
        elif text:
            values[question.pk] = text
    return values


def answer_all(survey: Survey, invitations: list[Invitation], **kwargs: object) -> None:
    for invitation in invitations:
        services.response_submit(
            invitation=invitation,
            answers=answers_for(survey, invitation.role, **kwargs),  # type: ignore[arg-type]
        )
