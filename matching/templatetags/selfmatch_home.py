"""The home page's self-match card: "Find a mentor" for mentees without one in a
program that lets them choose, "Requests to you" for mentors with requests waiting.

Reads from the participations the home view already loaded, in at most three
queries whatever the number of programs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.db.models import Count

from matching.models import MatchRequest, MatchSettings
from programs.models import Mentorship, Participant

register = template.Library()


@register.simple_tag
def selfmatch_home(participations: Sequence[Participant]) -> list[dict[str, Any]]:
    """{% selfmatch_home participations as links %}: [{participant, kind, count}]."""
    active = [p for p in participations if p.status == Participant.Status.ACTIVE]
    mentees = [p for p in active if p.role == Participant.Role.MENTEE]
    mentors = [p for p in active if p.role == Participant.Role.MENTOR]
    links: list[dict[str, Any]] = []
    if mentees:
        on = set(
            MatchSettings.objects.filter(
                program_id__in=[p.program_id for p in mentees], self_match=True
            ).values_list("program_id", flat=True)
        )
        candidates = [p for p in mentees if p.program_id in on]
        if candidates:
            matched = set(
                Mentorship.objects.filter(
                    mentee__in=candidates, state=Mentorship.State.ACTIVE
                ).values_list("mentee_id", flat=True)
            )
            links += [
                {"participant": p, "kind": "find", "count": 0}
                for p in candidates
                if p.pk not in matched
            ]
    if mentors:
        waiting = dict(
            MatchRequest.objects.filter(mentor__in=mentors, state=MatchRequest.State.PENDING)
            .values("mentor_id")
            .annotate(n=Count("pk"))
            .values_list("mentor_id", "n")
        )
        links += [
            {"participant": p, "kind": "incoming", "count": waiting[p.pk]}
            for p in mentors
            if waiting.get(p.pk)
        ]
    return links
