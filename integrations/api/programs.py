"""/api/v1/programs: the programs a token's owner may see, and new programs."""

# No "from __future__ import annotations": ninja reads these annotations at run time.
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from integrations.api.core import ERRORS, WRITE_ERRORS, Id, Pages, owner
from integrations.api.schemas import ProgramFilter, ProgramIn, ProgramOut
from integrations.models import ApiToken
from programs import selectors, services
from programs.access import Need, access_program, can_create_programs
from programs.models import Program

router = Router(tags=["programs"])
Scope = ApiToken.Scope


@router.get("/programs", response={200: list[ProgramOut], **ERRORS}, summary="List programs")
@paginate(Pages)
def program_list(request: HttpRequest, filters: Query[ProgramFilter]) -> QuerySet[Program]:
    """Programs the token's owner coordinates or takes part in; every program for HR
    viewers and site admins."""
    user = owner(request, Scope.PROGRAMS_READ)
    programs = selectors.program_list(user=user)
    if filters.state:
        programs = programs.filter(state=filters.state)
    return programs.order_by("-created_at", "-id")


@router.post("/programs", response={201: ProgramOut, **WRITE_ERRORS}, summary="Create a program")
def program_create(request: HttpRequest, payload: ProgramIn) -> Status[Program]:
    """A new draft program coordinated by the token's owner (coordinators only)."""
    user = owner(request, Scope.PROGRAMS_WRITE)
    if not can_create_programs(user):
        raise PermissionDenied
    fields: dict[str, Any] = payload.dict()
    fields["min_group_size"] = max(fields["min_group_size"], settings.MIN_GROUP_SIZE)
    name = fields.pop("name")
    program = services.program_create(created_by=user, name=name, **fields)
    return Status(201, selectors.program_list(user=user).get(pk=program.pk))


@router.get(
    "/programs/{program_id}", response={200: ProgramOut, **ERRORS}, summary="Read a program"
)
def program_get(request: HttpRequest, program_id: Id) -> Program:
    user = owner(request, Scope.PROGRAMS_READ)
    access_program(user, program_id, need=Need.VIEW)
    return selectors.program_list(user=user).get(pk=program_id)
