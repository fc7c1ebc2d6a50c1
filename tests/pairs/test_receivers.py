"""What pairs does when programs announces something (pairs/receivers.py): programs
cannot call pairs, so each of these goes through a signal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from mentoring.models import User
from pairs.metrics import GoalProgress
from pairs.models import Mentorship, MentorshipStateChange
from programs import services
from programs.models import Program, ProgramGoal
from tests.factories.programs import mentee_of, mentorship_make, program_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(coordinator: User) -> Program:
    """A running program: its participants see its overview."""
    return program_create(
        name="Leadership 2026", coordinators=[coordinator], state=Program.State.RUNNING
    )


def test_closing_a_program_completes_the_pairs_still_meeting(
    program: Program, coordinator: User
) -> None:
    pair = mentorship_make(program=program)

    services.program_transition(program=program, to_state=Program.State.CLOSED, by=coordinator)

    pair.refresh_from_db()
    assert pair.state == Mentorship.State.COMPLETED
    assert pair.ended_at is not None
    change = MentorshipStateChange.objects.get(mentorship=pair, to_state="completed")
    assert change.changed_by == coordinator


def test_the_overview_shows_a_participant_their_own_partner(
    client: Client, program: Program
) -> None:
    pair = mentorship_make(program=program)
    client.force_login(mentee_of(pair))

    response = client.get(reverse("programs:program_overview", args=[program.pk]))

    assert response.status_code == 200
    assert response.context["my_mentorship"] == pair
    assert response.context["my_partner"] == pair.mentor
    assert "closures" not in response.context


def test_the_overview_shows_coordinators_closures_and_goal_progress(
    client: Client, program: Program, coordinator: User
) -> None:
    goal = ProgramGoal.objects.create(
        program=program,
        metric=ProgramGoal.Metric.COMPLETION_RATE,
        target_value=Decimal(80),
        target_on=dt.date(2026, 12, 1),
    )
    mentorship_make(program=program)
    client.force_login(coordinator)

    response = client.get(reverse("programs:program_overview", args=[program.pk]))

    assert response.status_code == 200
    assert isinstance(response.context["closures"], list)
    assert response.context["rematch_waiting"] == 0
    assert "my_partner" not in response.context
    (row,) = response.context["goals"]
    assert row["goal"] == goal
    assert isinstance(row["progress"], GoalProgress)
    assert row["progress"].enough is False
