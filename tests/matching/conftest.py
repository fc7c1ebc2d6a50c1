"""A program that lets mentees choose their mentor, with mentors of known fit."""

from __future__ import annotations

from typing import Any

import pytest

from matching.models import MatchCriterion, MatchSettings
from mentoring.models import User
from programs.models import Participant, Profile, Program
from tests.factories import user_create
from tests.factories.programs import participant_create
from tests.programs.conftest import (  # noqa: F401  (fixtures shared with tests/programs)
    eager_celery,
    mentee,
    mentor,
    other_coordinator,
    other_program,
    program,
)


def person(in_program: Program, role: str, name: str, **profile: Any) -> Participant:
    user: User = user_create(full_name=name)
    Profile.objects.create(user=user, **profile)
    return participant_create(program=in_program, user=user, role=role)


@pytest.fixture
def selfmatch_program(program: Program) -> Program:  # noqa: F811
    MatchSettings.objects.create(
        program=program, self_match=True, self_match_max_requests=3, self_match_response_days=5
    )
    MatchCriterion.objects.create(
        program=program,
        field="interests",
        mentor_field="skills",
        rule=MatchCriterion.Rule.COMPLEMENTARY,
        weight=MatchCriterion.Weight.HIGH,
    )
    return program


@pytest.fixture
def seeker(selfmatch_program: Program) -> Participant:
    return person(
        selfmatch_program,
        Participant.Role.MENTEE,
        "Sam Seeker",
        interests=["python", "leadership", "negotiation"],
    )


@pytest.fixture
def mentors(selfmatch_program: Program) -> list[Participant]:
    """Best fit first: three, two, one and none of the seeker's interests."""
    skills = [
        ["python", "leadership", "negotiation"],
        ["python", "leadership"],
        ["python"],
        ["gardening"],
    ]
    return [
        person(selfmatch_program, Participant.Role.MENTOR, f"Mentor {n}", skills=s)
        for n, s in enumerate(skills, start=1)
    ]
