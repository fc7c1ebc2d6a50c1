"""The one Audience vocabulary and the participant roles it names."""

from __future__ import annotations

from mentoring.audience import AUDIENCE_ROLES, AUDIENCES_BY_ROLE, Audience
from programs.models import Participant


def test_the_roles_the_platform_spells_are_the_participant_roles() -> None:
    assert set(AUDIENCES_BY_ROLE) == set(Participant.Role.values)
    assert {role for roles in AUDIENCE_ROLES.values() for role in roles} == set(
        Participant.Role.values
    )


def test_each_role_belongs_to_both_and_its_own_audience_only() -> None:
    for audience in Audience:
        for role in Participant.Role.values:
            assert (role in AUDIENCE_ROLES[audience]) == (audience in AUDIENCES_BY_ROLE[role])
    assert AUDIENCE_ROLES[Audience.BOTH] == (Participant.Role.MENTOR, Participant.Role.MENTEE)
