"""Self-match reads: the settings, recommended mentors with their reasons, the requests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, QuerySet
from django.utils import timezone

from matching.inputs import config_from_program, explanation_store, field_catalog, pool_build
from matching.models import MatchCriterion, MatchRequest, MatchSettings
from pairs.mentorships import active_mentee_counts, explanation_reasons, mentor_capacity
from pairs.models import Mentorship
from programs.models import Participant, Program

State = MatchRequest.State
OPEN_STATES = (State.QUEUED, State.PENDING)
# How many mentors the "Find a mentor" page recommends.
RECOMMENDED_LIMIT = 20


def settings_get(program: Program) -> MatchSettings:
    found = MatchSettings.objects.filter(program=program).first()
    return found or MatchSettings(program=program)


@dataclass(frozen=True)
class Recommendation:
    mentor: Participant
    score: int
    # Stored explanation parts (JSON-ready), each with "points" and "text".
    explanation: list[dict[str, Any]]
    free: int
    reasons: list[str] = field(default_factory=list)


def reasons_of(explanation: Sequence[dict[str, Any]]) -> list[str]:
    """The sentences worth showing (pairs.mentorships.explanation_reasons)."""
    return [str(part["text"]) for part in explanation_reasons(explanation)]


def _mentors_with_places(program: Program) -> QuerySet[Participant]:
    """Active mentors of the program, with what scoring and the cards need."""
    return (
        Participant.objects.filter(
            program=program, role=Participant.Role.MENTOR, status=Participant.Status.ACTIVE
        )
        .select_related("program", "user", "user__profile")
        .order_by("pk")
    )


def _pending_counts(mentor_ids: Sequence[int]) -> dict[int, int]:
    rows = (
        MatchRequest.objects.filter(mentor_id__in=mentor_ids, state=State.PENDING)
        .values("mentor_id")
        .annotate(n=Count("pk"))
    )
    return {row["mentor_id"]: row["n"] for row in rows}


def _score(
    program: Program,
    mentee: Participant,
    mentors: Sequence[Participant],
    free: Sequence[int],
    *,
    at: dt.datetime,
) -> list[Recommendation]:
    """Every mentor that passes the hard rules for this mentee, best score first."""
    if not mentors:
        return []
    config = config_from_program(program)
    blocked = {mentor for mentee_id, mentor in config["blocks"] if mentee_id == mentee.pk}
    pool = pool_build(program, config, mentees=[mentee], mentors=mentors, free=free, at=at)
    scores, feasible = pool.scorer.exact_block(np.array([0], dtype=np.int64))
    order = sorted(
        (col for col in range(len(mentors)) if feasible[0, col]),
        key=lambda col: (-float(scores[0, col]), mentors[col].pk),
    )
    catalog = field_catalog(program)
    found = []
    for col in order:
        mentor = mentors[col]
        if mentor.pk in blocked or mentor.user_id == mentee.user_id:
            continue
        explanation = pool.scorer.explain(0, col)
        stored = explanation_store(explanation, config, catalog)
        found.append(
            Recommendation(
                mentor=mentor,
                score=explanation.score,
                explanation=stored,
                free=free[col],
                reasons=reasons_of(stored),
            )
        )
    return found


def recommended_mentors(
    program: Program,
    mentee_participant: Participant,
    limit: int | None = RECOMMENDED_LIMIT,
    *,
    now: dt.datetime | None = None,
) -> list[Recommendation]:
    """Mentors this mentee may ask, best score first, each with the reasons.

    Only mentors who pass the program's hard rules and mandatory criteria, are not
    blocked for this mentee, have not declined them before and still have a free
    place (pending requests to them count as taken). A fixed number of queries,
    whatever the number of mentors.
    """
    now = now or timezone.now()
    mentors = list(_mentors_with_places(program))
    pending = _pending_counts([m.pk for m in mentors])
    active = active_mentee_counts([m.pk for m in mentors])
    declined = set(
        MatchRequest.objects.filter(mentee=mentee_participant, state=State.DECLINED).values_list(
            "mentor_id", flat=True
        )
    )
    kept: list[Participant] = []
    free: list[int] = []
    for mentor in mentors:
        places = mentor_capacity(mentor) - active.get(mentor.pk, 0) - pending.get(mentor.pk, 0)
        if places > 0 and mentor.pk not in declined:
            kept.append(mentor)
            free.append(places)
    found = _score(program, mentee_participant, kept, free, at=now)
    return found[:limit] if limit is not None else found


def request_list_for_mentee(*, mentee: Participant) -> list[MatchRequest]:
    return list(
        MatchRequest.objects.filter(mentee=mentee)
        .select_related("mentor", "mentor__user")
        .order_by("-created_at", "rank", "pk")[:50]
    )


def request_list_for_mentor(*, mentor: Participant) -> list[MatchRequest]:
    """Requests waiting for this mentor's answer, oldest first, then recent answers."""
    return list(
        MatchRequest.objects.filter(mentor=mentor)
        .exclude(state__in=(State.QUEUED, State.SKIPPED, State.WITHDRAWN))
        .select_related("mentee", "mentee__user", "mentee__user__profile")
        .order_by("-sent_at", "pk")[:50]
    )


def program_has_criteria(program: Program) -> bool:
    """Without criteria every mentor scores 0 for want of anything to compare."""
    return MatchCriterion.objects.filter(program=program).exists()


def mentee_has_mentor(mentee: Participant) -> bool:
    return Mentorship.objects.filter(mentee=mentee, state=Mentorship.State.ACTIVE).exists()
