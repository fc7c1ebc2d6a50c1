"""Who may use self-match: the program's participants with the right role, each seeing
only their own side of a request (404 to outsiders, 403 to other members)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from matching.models import MatchRequest
from mentoring.models import User
from programs.access import Need, ProgramAccess, access_program
from programs.models import Participant


def access_self_match(user: User, program_id: int, *, role: str) -> ProgramAccess:
    """The program's participant with ``role`` may use their self-match pages.

    Outsiders get 404; coordinators, HR and people with the other role get 403.
    """
    access = access_program(user, program_id, need=Need.VIEW)
    participant = access.participant
    if participant is None or participant.role != role:
        raise PermissionDenied
    if participant.status != Participant.Status.ACTIVE:
        raise PermissionDenied
    return access


def access_match_request(
    user: User, program_id: int, request_id: int, *, side: str
) -> MatchRequest:
    """A request seen from one side: its mentee (side "mentee") or its mentor ("mentor").

    A request of another program, or one that does not exist, is a 404; members of
    the program who are not that side of the request get 403.
    """
    access = access_program(user, program_id, need=Need.VIEW)
    request = (
        MatchRequest.objects.select_related(
            "program", "mentee", "mentee__user", "mentor", "mentor__user"
        )
        .filter(pk=request_id, program_id=access.program.pk)
        .first()
    )
    if request is None:
        raise Http404
    person = request.mentee if side == Participant.Role.MENTEE else request.mentor
    if person.user_id is None or person.user_id != user.pk:
        raise PermissionDenied
    return request
