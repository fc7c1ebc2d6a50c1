"""Who may see or change a program: fetch the object and the caller's rights in one step.

Outsiders get 404 (they must not learn that a program exists); members of the
program without the needed role get 403.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mentoring.models import User
from programs.models import Participant, Program


class Need(StrEnum):
    VIEW = "view"  # see the program's overview (coordinators, its participants, HR read-only)
    MANAGE = "manage"  # change it (its coordinators only)


@dataclass(frozen=True)
class ProgramAccess:
    program: Program
    is_coordinator: bool
    is_reader: bool  # HR viewer or site admin: read-only, aggregates only
    participant: Participant | None  # the caller's own enrolment, if any

    @property
    def can_manage(self) -> bool:
        return self.is_coordinator


def access_program(user: User, program_id: int, *, need: Need = Need.VIEW) -> ProgramAccess:
    if not user.is_authenticated:
        raise Http404
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        raise Http404
    is_coordinator = program.coordinators.filter(pk=user.pk).exists()
    participant = (
        None
        if is_coordinator
        else Participant.objects.filter(program=program, user=user)
        .exclude(status=Participant.Status.WITHDRAWN)
        .first()
    )
    is_reader = bool(user.is_hr_viewer or user.is_staff)
    access = ProgramAccess(program, is_coordinator, is_reader, participant)
    if is_coordinator:
        return access
    if participant is None and not is_reader:
        raise Http404
    if need == Need.MANAGE:
        raise PermissionDenied
    if participant is not None and program.state == Program.State.DRAFT and not is_reader:
        # A draft is the coordinators' workspace; invitees see it once it opens.
        raise Http404
    return access


def access_participant(user: User, participant_id: int, *, need: Need = Need.VIEW) -> Participant:
    """A participant row: its coordinators may manage it, the person may view their own."""
    participant = (
        Participant.objects.select_related("program", "user").filter(pk=participant_id).first()
    )
    if participant is None or not user.is_authenticated:
        raise Http404
    access = access_program(user, participant.program_id, need=Need.VIEW)
    if access.is_coordinator:
        return participant
    if participant.user_id == user.pk:
        if need == Need.MANAGE:
            raise PermissionDenied
        return participant
    if access.is_reader or access.participant is not None:
        # Members and HR can't open another person's enrolment.
        raise PermissionDenied
    raise Http404


def can_create_programs(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_coordinator or user.is_staff))


def access_program_join_link(program_id: int, token: str) -> Program | None:
    """The program a join link opens, or None if the link is wrong or switched off.

    The token is the credential: whoever holds the link may see the program's join page.
    """
    program = Program.objects.filter(pk=program_id).first()
    if (
        program is None
        or not program.join_token
        or not secrets.compare_digest(program.join_token, token)
    ):
        return None
    return program
