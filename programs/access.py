"""Who may see or change a program and what is in it: each ``access_<noun>`` fetches
the object and the caller's rights in one step.

Outsiders get 404 (they must not learn that a program exists); members of the
program without the needed role get 403.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from mentoring.models import User
from programs.models import Participant, Program


class Need(StrEnum):
    VIEW = "view"  # see the program's overview (coordinators, its participants, HR read-only)
    # its staff pages read-only (goals, coordinators): coordinators, HR viewers and site
    # admins; its participants get 403
    READ = "read"
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
    if need == Need.READ and not is_reader:
        raise PermissionDenied
    return access


def access_participant(
    user: User, program_id: int, participant_id: int, *, need: Need = Need.VIEW
) -> Participant:
    """A participant row: its coordinators may manage it, the person may view their own."""
    participant = (
        Participant.objects.select_related("program", "user").filter(pk=participant_id).first()
    )
    if participant is None or not user.is_authenticated:
        raise Http404
    access = access_program(user, participant.program_id, need=Need.VIEW)
    if not access.is_coordinator and participant.user_id != user.pk:
        if access.is_reader or access.participant is not None:
            # Members and HR can't open another person's enrolment.
            raise PermissionDenied
        raise Http404
    if not access.is_coordinator and need == Need.MANAGE:
        raise PermissionDenied
    if participant.program_id != program_id:
        # Under another program's address the row does not exist.
        raise Http404
    return participant


# Items of a program (guides, events): which each person may see.


def access_program_item[T: models.Model](
    user: User,
    program_id: int,
    model: type[T],
    item_id: int,
    audience: Callable[[ProgramAccess], Q],
    need: Need,
) -> tuple[ProgramAccess, T]:
    """An item of the program (a guide, an event) that ``audience`` lets this person
    see: 404 when they may not see it, 403 when they may see but not change it."""
    access = access_program(user, program_id, need=Need.VIEW)
    item = (
        model._default_manager.filter(program=access.program, pk=item_id)
        .filter(audience(access))
        .first()
    )
    if item is None:
        raise Http404
    if need == Need.MANAGE:
        access = access_program(user, program_id, need=Need.MANAGE)
    # The item's program is the one just checked: no second query for it.
    cast(Any, item).program = access.program
    return access, item


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
