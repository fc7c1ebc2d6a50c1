"""/api/v1/programs/{id}/mentorships: the program's pairs, read-only, for coordinators.

Only the pair's facts (who, since when, how it ended); what the pair writes to each
other stays in their workspace.
"""

# No "from __future__ import annotations": ninja reads these annotations at run time.
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from integrations.api.core import ERRORS, Id, Pages, owner
from integrations.api.schemas import MentorshipFilter, MentorshipOut
from integrations.models import ApiToken
from pairs.models import Mentorship
from programs.access import Need, access_program

router = Router(tags=["mentorships"])


@router.get(
    "/programs/{program_id}/mentorships",
    response={200: list[MentorshipOut], **ERRORS},
    summary="List mentorships",
)
@paginate(Pages)
def mentorship_list(
    request: HttpRequest, program_id: Id, filters: Query[MentorshipFilter]
) -> QuerySet[Mentorship]:
    user = owner(request, ApiToken.Scope.MENTORSHIPS_READ)
    program = access_program(user, program_id, need=Need.MANAGE).program
    mentorships = Mentorship.objects.filter(program=program)
    if filters.state:
        mentorships = mentorships.filter(state=filters.state)
    return mentorships.order_by("id")


@router.get(
    "/programs/{program_id}/mentorships/{mentorship_id}",
    response={200: MentorshipOut, **ERRORS},
    summary="Read a mentorship",
)
def mentorship_get(request: HttpRequest, program_id: Id, mentorship_id: Id) -> Mentorship:
    user = owner(request, ApiToken.Scope.MENTORSHIPS_READ)
    access_program(user, program_id, need=Need.MANAGE)
    return get_object_or_404(Mentorship, program_id=program_id, pk=mentorship_id)
