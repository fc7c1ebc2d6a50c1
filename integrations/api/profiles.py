"""/api/v1/programs/{id}/profiles: participants' profiles for the program's coordinators.

The self-described demographics never leave through the API: they exist for
aggregates only.
"""

# No "from __future__ import annotations": ninja reads these annotations at run time.
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from integrations.api.core import ERRORS, Id, Pages, owner
from integrations.api.schemas import ParticipantFilter, ProfileOut
from integrations.models import ApiToken
from programs.access import Need, access_program
from programs.models import Participant

router = Router(tags=["profiles"])


class ProfileRows(Pages):
    """Pages of participants, each turned into the profile row the schema shows."""

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = [profile_row(p) for p in page["items"]]
        return page


def profile_row(participant: Participant) -> dict[str, Any]:
    user = participant.user
    profile = getattr(user, "profile", None) if user is not None else None

    def field(name: str) -> Any:
        value = getattr(profile, name, None) if profile is not None else None
        # What the person says about themselves wins over what the coordinator knew.
        return value or getattr(participant, name, "") or ""

    return {
        "participant_id": participant.pk,
        "full_name": (user.full_name if user else "") or participant.full_name,
        "role": participant.role,
        "job_title": field("job_title"),
        "department": field("department"),
        "location": field("location"),
        "seniority": profile.seniority if profile else None,
        "languages": list(profile.languages) if profile else [],
        "skills": list(profile.skills) if profile else [],
        "interests": list(profile.interests) if profile else [],
        "career_aspirations": profile.career_aspirations if profile else "",
        "bio": profile.bio if profile else "",
    }


@router.get(
    "/programs/{program_id}/profiles",
    response={200: list[ProfileOut], **ERRORS},
    summary="List participants' profiles",
)
@paginate(ProfileRows)
def profile_list(
    request: HttpRequest, program_id: Id, filters: Query[ParticipantFilter]
) -> QuerySet[Participant]:
    user = owner(request, ApiToken.Scope.PROFILES_READ)
    program = access_program(user, program_id, need=Need.MANAGE).program
    participants = Participant.objects.filter(program=program)
    if filters.role:
        participants = participants.filter(role=filters.role)
    if filters.status:
        participants = participants.filter(status=filters.status)
    return (
        participants.select_related("user", "user__profile")
        .defer("user__profile__gender", "user__profile__ethnicity")
        .order_by("id")
    )
