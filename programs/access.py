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

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from mentoring.models import User
from programs.models import AUDIENCES_BY_ROLE, Event, Participant, Program, Resource


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


# Guides and events: which of a program's each person may see.


def _program_item[T: (Resource, Event)](
    user: User,
    program_id: int,
    model: type[T],
    item_id: int,
    audience: Callable[[ProgramAccess], Q],
    need: Need,
) -> tuple[ProgramAccess, T]:
    """A guide or event of the program: 404 when this person may not see it, 403 when
    they may see but not change it."""
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
    item.program = access.program
    return access, item


def resource_audience_filter(access: ProgramAccess) -> Q:
    """Which of the program's resources this person may open.

    Coordinators: all, drafts included. HR viewers and site admins: every published
    guide (read-only). Participants: published guides for their role or everyone.
    """
    if access.is_coordinator:
        return Q()
    published = Q(published_at__isnull=False)
    if access.is_reader:
        return published
    if access.participant is None:  # access_program lets no one else through
        return Q(pk__in=[])
    return published & Q(audience__in=AUDIENCES_BY_ROLE[access.participant.role])


@dataclass(frozen=True)
class ResourceAccess:
    access: ProgramAccess
    resource: Resource


def access_resource(
    user: User, program_id: int, resource_id: int, *, need: Need = Need.VIEW
) -> ResourceAccess:
    """A resource and the caller's rights: 404 when they may not see it (a draft, or
    a guide for the other role), 403 when they may see but not change it."""
    access, resource = _program_item(
        user, program_id, Resource, resource_id, resource_audience_filter, need
    )
    return ResourceAccess(access, resource)


def event_audience_filter(access: ProgramAccess) -> Q:
    """Which of the program's events this person may see.

    Coordinators, HR viewers and site admins: all of them (HR sees counts, never
    names). Participants: events for their role or for everyone.
    """
    if access.is_coordinator or access.is_reader:
        return Q()
    if access.participant is None:  # access_program lets no one else through
        return Q(pk__in=[])
    return Q(audience__in=AUDIENCES_BY_ROLE[access.participant.role])


@dataclass(frozen=True)
class EventAccess:
    access: ProgramAccess
    event: Event


def access_event(
    user: User, program_id: int, event_id: int, *, need: Need = Need.VIEW
) -> EventAccess:
    """An event and the caller's rights: 404 when they may not see it (outsiders, the
    other role's events), 403 when they may see but not change it."""
    access, event = _program_item(user, program_id, Event, event_id, event_audience_filter, need)
    return EventAccess(access, event)


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
