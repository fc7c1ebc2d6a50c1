"""Who may see or act in a pair: the two people, and for some things its program's
coordinators (``access_mentorship``). Same shape as programs.access: 404 for
outsiders, 403 for members of the program without the right.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mentoring.models import User
from pairs.models import Mentorship
from programs.access import Need, access_program
from programs.models import Participant


@dataclass(frozen=True)
class MentorshipAccess:
    mentorship: Mentorship
    is_coordinator: bool
    # The caller's side of the pair: "mentor", "mentee", or "" for a coordinator.
    side: str

    @property
    def is_member(self) -> bool:
        return bool(self.side)

    @property
    def partner(self) -> Participant | None:
        if self.side == Participant.Role.MENTOR:
            return self.mentorship.mentee
        if self.side == Participant.Role.MENTEE:
            return self.mentorship.mentor
        return None


def access_mentorship(
    user: User, mentorship_id: int, *, need: Need = Need.VIEW
) -> MentorshipAccess:
    """The two people may view (and act in) their mentorship; its program's coordinators
    may manage it (end it, re-match) but not read what is private to the pair.

    Outsiders get 404; other members of the program and HR get 403.
    """
    mentorship = (
        Mentorship.objects.select_related(
            "program", "mentor", "mentor__user", "mentee", "mentee__user"
        )
        .filter(pk=mentorship_id)
        .first()
    )
    if mentorship is None or not user.is_authenticated:
        raise Http404
    access = access_program(user, mentorship.program_id, need=Need.VIEW)
    side = ""
    if mentorship.mentor.user_id == user.pk:
        side = Participant.Role.MENTOR
    elif mentorship.mentee.user_id == user.pk:
        side = Participant.Role.MENTEE
    if side:
        return MentorshipAccess(mentorship, False, side)
    if access.is_coordinator:
        if need == Need.VIEW:
            # The workspace is the pair's; coordinators use the program's pages.
            raise PermissionDenied
        return MentorshipAccess(mentorship, True, "")
    raise PermissionDenied
