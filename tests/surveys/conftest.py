"""Survey personas: program A with a coordinator, mentors and mentees; program B."""

from __future__ import annotations

import pytest

from programs.models import Participant, Program
from tests.factories.surveys import people
from tests.integrations.conftest import api_as  # noqa: F401 - the API client, for the results tests
from tests.programs.conftest import (  # noqa: F401 - fixtures shared with the programs tests
    eager_celery,
    mentee,
    mentor,
    other_coordinator,
    other_program,
    program,
)


@pytest.fixture
def crowd(program: Program) -> dict[str, list[Participant]]:  # noqa: F811
    """Six mentors and seven mentees, all active."""
    return {
        "mentor": people(program, Participant.Role.MENTOR, 6),
        "mentee": people(program, Participant.Role.MENTEE, 7),
    }
