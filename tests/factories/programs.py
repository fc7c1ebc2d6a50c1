from __future__ import annotations

import datetime as dt
from typing import Any, cast

import factory

from programs.models import Participant, Program
from tests.factories import UserFactory


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Program {n}")
    description = "Growing the next generation of leaders."
    starts_on = dt.date(2026, 9, 1)
    ends_on = dt.date(2027, 6, 30)
    state = Program.State.ENROLLING

    @factory.post_generation
    def coordinators(
        obj: Program, create: bool, extracted: list[Any] | None, **kwargs: Any
    ) -> None:
        if create and extracted:
            obj.coordinators.add(*extracted)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    program = factory.SubFactory(ProgramFactory)
    user = factory.SubFactory(UserFactory)
    role = Participant.Role.MENTEE
    status = Participant.Status.ACTIVE
    email = factory.LazyAttribute(lambda p: p.user.email if p.user else "someone@example.org")
    full_name = factory.LazyAttribute(lambda p: p.user.full_name if p.user else "")
    department = "Engineering"
    job_title = "Engineer"


def program_create(**fields: Any) -> Program:
    return cast(Program, ProgramFactory.create(**fields))


def participant_create(**fields: Any) -> Participant:
    return cast(Participant, ParticipantFactory.create(**fields))


def mentorship_make(
    *,
    program: Program,
    mentor: Participant | None = None,
    mentee: Participant | None = None,
    started_at: Any = None,
    by: Any = None,
) -> Any:
    """An active pair made through pairs.mentorships.mentorship_create (so the
    welcome and cadence reminders are planned as in production)."""
    from pairs.mentorships import mentorship_create
    from pairs.models import Mentorship

    mentor = mentor or participant_create(program=program, role=Participant.Role.MENTOR)
    mentee = mentee or participant_create(program=program, role=Participant.Role.MENTEE)
    return mentorship_create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        source=Mentorship.Source.MANUAL,
        by=by,
        explanation=[
            {
                "criterion": "skills",
                "kind": "similar",
                "points": 43,
                "exact_points": 42.86,
                "max_points": 42.86,
                "items": ["negotiation", "Python"],
                "text": "shared skills: negotiation, Python",
            }
        ],
        score=82,
        now=started_at,
    )


def mentor_of(mentorship: Any) -> Any:
    """The mentor's user account (pairs made in tests always have one)."""
    user = mentorship.mentor.user
    assert user is not None
    return user


def mentee_of(mentorship: Any) -> Any:
    user = mentorship.mentee.user
    assert user is not None
    return user
