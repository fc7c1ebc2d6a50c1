"""Reads of the guides: the list a person may open, the home page's card, and how
many people opened them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from guides.access import resource_audience_filter
from guides.models import Resource, ResourceAttachment, ResourceView
from mentoring.audience import AUDIENCES_BY_ROLE
from programs.access import ProgramAccess
from programs.models import Participant, Program


def _count_of(queryset: QuerySet[Any]) -> Coalesce:
    subquery = (
        queryset.filter(resource=OuterRef("pk"))
        .order_by()
        .values("resource")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(subquery, output_field=IntegerField()), Value(0))


def resource_list(*, access: ProgramAccess) -> QuerySet[Resource]:
    """The guides this person may open, in the coordinators' order.

    Each row carries attachment_count; for coordinators also view_count (how many
    different people opened it).
    """
    resources = (
        Resource.objects.filter(program=access.program)
        .filter(resource_audience_filter(access))
        .annotate(attachment_count=_count_of(ResourceAttachment.objects.all()))
        .order_by("position", "id")
    )
    if access.is_coordinator:
        resources = resources.annotate(view_count=_count_of(ResourceView.objects.all()))
    return resources


def resource_home_list(*, participations: Sequence[Participant], limit: int = 5) -> list[Resource]:
    """Published guides meant for this person in any of their programs, newest first
    (the home page's card). One query, whatever the number of programs."""
    visible = Q(pk__in=[])
    for participant in participations:
        if participant.program.state in (Program.State.DRAFT,):
            continue
        visible |= Q(
            program_id=participant.program_id,
            audience__in=AUDIENCES_BY_ROLE[participant.role],
        )
    return list(
        Resource.objects.filter(visible, published_at__isnull=False)
        .select_related("program")
        .order_by("-published_at", "position", "id")[:limit]
    )


def resource_views_total(*, program: Program) -> dict[str, int]:
    """How many different people opened at least one of the program's guides."""
    return ResourceView.objects.filter(resource__program=program).aggregate(
        people=Count("user", distinct=True)
    )
