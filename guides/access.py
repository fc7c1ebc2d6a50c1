"""Which of a program's guides each person may open, and a guide with the caller's
rights in one step."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from guides.models import Resource
from mentoring.audience import AUDIENCES_BY_ROLE
from mentoring.models import User
from programs.access import Need, ProgramAccess, access_program_item


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
    access, resource = access_program_item(
        user, program_id, Resource, resource_id, resource_audience_filter, need
    )
    return ResourceAccess(access, resource)
