"""Personas around two programs: A (the one under test) and B (someone else's)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mentoring.models import User
from programs.models import Participant, Program
from tests.factories import user_create
from tests.factories.programs import participant_create, program_create


@pytest.fixture
def program(coordinator: User) -> Program:
    return program_create(name="Leadership 2026", coordinators=[coordinator])


@pytest.fixture
def other_coordinator(db: None) -> User:
    return user_create(full_name="Bea Other", is_coordinator=True)


@pytest.fixture
def other_program(other_coordinator: User) -> Program:
    return program_create(name="Engineering Guild", coordinators=[other_coordinator])


@pytest.fixture
def mentee(program: Program) -> Participant:
    return participant_create(
        program=program, user=user_create(full_name="Mia Mentee"), role=Participant.Role.MENTEE
    )


@pytest.fixture
def mentor(program: Program) -> Participant:
    return participant_create(
        program=program, user=user_create(full_name="Max Mentor"), role=Participant.Role.MENTOR
    )


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Run tasks in-process even when the suite runs against Redis (PostgreSQL runs)."""
    from mentoring.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def mentorship(program: Program, mentor: Participant, mentee: Participant):
    """An active pair of ``mentor`` and ``mentee`` in ``program``, matched now."""
    from tests.factories.programs import mentorship_make

    return mentorship_make(program=program, mentor=mentor, mentee=mentee)
