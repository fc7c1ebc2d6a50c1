"""The home page's self-match card: "Find a mentor" for mentees without one in a
program that lets them choose, "Requests to you" for mentors with requests waiting.

Reads from the participations the home view already loaded, in one query
whatever the number of programs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from matching.models import MatchRequest, MatchSettings
from pairs.models import Mentorship
from programs.models import Participant

register = template.Library()


@register.simple_tag
def selfmatch_home(participations: Sequence[Participant]) -> list[dict[str, Any]]:
    """{% selfmatch_home participations as links %}: [{participant, kind, count}].

    One query whenever there are participations, whatever their roles and number.
    """
    by_id = {p.pk: p for p in participations if p.status == Participant.Status.ACTIVE}
    if not by_id:
        return []
    pending = (
        MatchRequest.objects.filter(mentor=OuterRef("pk"), state=MatchRequest.State.PENDING)
        .order_by()
        .values("mentor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Participant.objects.filter(pk__in=by_id)
        .annotate(
            self_match_on=Exists(
                MatchSettings.objects.filter(program=OuterRef("program"), self_match=True)
            ),
            has_mentor=Exists(
                Mentorship.objects.filter(mentee=OuterRef("pk"), state=Mentorship.State.ACTIVE)
            ),
            waiting=Coalesce(Subquery(pending), 0),
        )
        .values_list("pk", "self_match_on", "has_mentor", "waiting")
    )
    links: list[dict[str, Any]] = []
    for pk, self_match_on, has_mentor, waiting in rows:
        p = by_id[pk]
        if p.role == Participant.Role.MENTEE and self_match_on and not has_mentor:
            links.append({"participant": p, "kind": "find", "count": 0})
        elif p.role == Participant.Role.MENTOR and waiting:
            links.append({"participant": p, "kind": "incoming", "count": waiting})
    links.sort(key=lambda link: list(by_id).index(link["participant"].pk))
    return links
