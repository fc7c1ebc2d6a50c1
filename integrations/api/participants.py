"""/api/v1/programs/{id}/participants: enrol, read, update and withdraw people.

Coordinators of the program only, as on the participants page: HR viewers and
participants get 403, everyone else 404.
"""

# No "from __future__ import annotations": ninja reads these annotations at run time.
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from integrations.api.core import ERRORS, WRITE_ERRORS, Id, Pages, owner
from integrations.api.schemas import EnrolIn, ParticipantFilter, ParticipantOut, ParticipantPatch
from integrations.models import ApiToken
from programs import services
from programs.access import Need, access_program
from programs.models import Participant
from programs.services import Invitee

router = Router(tags=["participants"])
Scope = ApiToken.Scope


def _participant(program_id: int, participant_id: int) -> Participant:
    return get_object_or_404(
        Participant.objects.select_related("program"), program_id=program_id, pk=participant_id
    )


@router.get(
    "/programs/{program_id}/participants",
    response={200: list[ParticipantOut], **ERRORS},
    summary="List participants",
)
@paginate(Pages)
def participant_list(
    request: HttpRequest, program_id: Id, filters: Query[ParticipantFilter]
) -> QuerySet[Participant]:
    user = owner(request, Scope.PARTICIPANTS_READ)
    program = access_program(user, program_id, need=Need.MANAGE).program
    participants = Participant.objects.filter(program=program)
    if filters.role:
        participants = participants.filter(role=filters.role)
    if filters.status:
        participants = participants.filter(status=filters.status)
    return participants.order_by("id")


@router.post(
    "/programs/{program_id}/participants",
    response={201: ParticipantOut, **WRITE_ERRORS},
    summary="Enrol a participant",
)
def participant_enrol(
    request: HttpRequest, program_id: Id, payload: EnrolIn
) -> Status[Participant]:
    """Invite one person: they get the invitation email, as from the participants page."""
    user = owner(request, Scope.PARTICIPANTS_WRITE)
    program = access_program(user, program_id, need=Need.MANAGE).program
    (participant,) = services.participants_invite(
        program=program, invitees=[Invitee(**payload.dict())], by=user
    )
    return Status(201, participant)


@router.get(
    "/programs/{program_id}/participants/{participant_id}",
    response={200: ParticipantOut, **ERRORS},
    summary="Read a participant",
)
def participant_get(request: HttpRequest, program_id: Id, participant_id: Id) -> Participant:
    user = owner(request, Scope.PARTICIPANTS_READ)
    access_program(user, program_id, need=Need.MANAGE)
    return _participant(program_id, participant_id)


@router.patch(
    "/programs/{program_id}/participants/{participant_id}",
    response={200: ParticipantOut, **WRITE_ERRORS},
    summary="Update a participant",
)
def participant_patch(
    request: HttpRequest, program_id: Id, participant_id: Id, payload: ParticipantPatch
) -> Participant:
    user = owner(request, Scope.PARTICIPANTS_WRITE)
    access_program(user, program_id, need=Need.MANAGE)
    participant = _participant(program_id, participant_id)
    changes = payload.dict(exclude_unset=True)
    status = changes.pop("status", None)
    capacity_given = "capacity" in changes
    capacity = changes.pop("capacity", None)
    fields = {name: value for name, value in changes.items() if value is not None}
    with transaction.atomic():
        if fields:
            services.participant_update(participant=participant, by=user, **fields)
        if capacity_given:
            services.mentor_capacity_set(participant=participant, capacity=capacity, by=user)
        if status is not None and status != participant.status:
            services.participant_status_set(participant=participant, status=status, by=user)
    return _participant(program_id, participant_id)


@router.post(
    "/programs/{program_id}/participants/{participant_id}/withdraw",
    response={200: ParticipantOut, **WRITE_ERRORS},
    summary="Withdraw a participant",
)
def participant_withdraw(request: HttpRequest, program_id: Id, participant_id: Id) -> Participant:
    user = owner(request, Scope.PARTICIPANTS_WRITE)
    access_program(user, program_id, need=Need.MANAGE)
    participant = _participant(program_id, participant_id)
    return services.participant_status_set(
        participant=participant, status=Participant.Status.WITHDRAWN, by=user
    )
