"""The people of one matching: the matchable participants as the scorer's columns."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from matching import scoring
from matching.inputs.config import scoring_criteria, scoring_rules
from matching.inputs.fields import CATEGORY, SET, TEXT, Field, field_catalog
from pairs.mentorships import mentor_capacity
from pairs.models import Mentorship
from programs.models import Participant, ProfileAnswer, Program


@dataclass
class Pool:
    """The people of one matching and their rows in the scorer."""

    mentees: list[Participant]
    mentors: list[Participant]
    # Free places per mentor (capacity minus active mentorships), aligned with mentors.
    free: list[int]
    scorer: scoring.Scorer

    def mentee_row(self) -> dict[int, int]:
        return {p.pk: n for n, p in enumerate(self.mentees)}

    def mentor_row(self) -> dict[int, int]:
        return {p.pk: n for n, p in enumerate(self.mentors)}


def _offset_minutes(name: str, at: dt.datetime) -> int | None:
    if not name:
        return None
    try:
        offset = at.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return None if offset is None else int(offset.total_seconds() // 60)


def _person(
    participant: Participant,
    answers: Mapping[int, Mapping[str, Any]],
    catalog: Mapping[str, Field],
    at: dt.datetime,
    capacity: int,
) -> scoring.Person:
    user = participant.user
    profile = getattr(user, "profile", None) if user is not None else None
    # What the person's own profile says once they have one (pages show the profile,
    # and a field they cleared stays cleared); the import's values until then.
    known = profile if profile is not None else participant
    categories: dict[str, str | None] = {
        "department": known.department,
        "location": known.location,
    }
    sets: dict[str, list[str]] = {
        "skills": list(profile.skills) if profile else [],
        "interests": list(profile.interests) if profile else [],
        "languages": list(profile.languages) if profile else [],
    }
    texts: dict[str, str] = {
        "career_aspirations": profile.career_aspirations if profile else "",
        "bio": profile.bio if profile else "",
    }
    mine = answers.get(participant.pk, {})
    for key, field in catalog.items():
        if not key.startswith("q"):
            continue
        value = mine.get(key)
        if field.kind == TEXT:
            texts[key] = value if isinstance(value, str) else ""
        elif field.kind == SET:
            sets[key] = [str(v) for v in value] if isinstance(value, list) else []
        else:
            categories[key] = str(value) if isinstance(value, str | int) and value != "" else None
    # The zone every page shows: the person's own once they have an account (the
    # import's guess seeds it, and they may have changed it since), else the import's.
    zone_name = (user.time_zone if user is not None else "") or participant.time_zone
    return scoring.Person(
        id=participant.pk,
        email=participant.email or (user.email if user is not None else ""),
        manager_email=participant.manager_email,
        seniority=profile.seniority if profile else None,
        utc_offset_minutes=_offset_minutes(zone_name, at),
        capacity=capacity,
        categories=categories,
        sets=sets,
        texts=texts,
    )


def matchable_participants(
    program: Program,
) -> tuple[list[Participant], list[Participant], list[int]]:
    """Active mentees without an active mentor (re-match requests first, oldest first)
    and active mentors with a free place, with their free places."""
    base = Participant.objects.filter(
        program=program, status=Participant.Status.ACTIVE
    ).select_related("user", "user__profile")
    mentees = list(
        base.filter(role=Participant.Role.MENTEE)
        .exclude(mentorships_as_mentee__state=Mentorship.State.ACTIVE)
        .order_by("rematch_requested_at", "pk")
    )
    # Nulls sort last on PostgreSQL and first on SQLite: put requests first everywhere.
    mentees.sort(key=lambda p: (p.rematch_requested_at is None, p.rematch_requested_at or 0, p.pk))
    mentors = list(
        base.filter(role=Participant.Role.MENTOR)
        .annotate(
            taken=Count(
                "mentorships_as_mentor",
                filter=Q(mentorships_as_mentor__state=Mentorship.State.ACTIVE),
            )
        )
        .order_by("pk")
    )
    free: list[int] = []
    kept: list[Participant] = []
    for mentor in mentors:
        capacity = mentor_capacity(mentor, program)
        places = capacity - mentor.taken
        if places > 0:
            kept.append(mentor)
            free.append(places)
    return mentees, kept, free


def pool_build(
    program: Program,
    config: Mapping[str, Any],
    *,
    mentees: Sequence[Participant] | None = None,
    mentors: Sequence[Participant] | None = None,
    free: Sequence[int] | None = None,
    at: dt.datetime | None = None,
) -> Pool:
    """Load (or take) the people and build the scorer for ``config``."""
    if mentees is None or mentors is None or free is None:
        mentees, mentors, free = matchable_participants(program)
    at = at or timezone.now()
    catalog = field_catalog(program)
    question_ids = [int(k[1:]) for k in catalog if k.startswith("q")]
    answers: dict[int, dict[str, Any]] = {}
    if question_ids:
        people_ids = [p.pk for p in (*mentees, *mentors)]
        rows = ProfileAnswer.objects.filter(
            question_id__in=question_ids, participant_id__in=people_ids
        ).values_list("participant_id", "question_id", "value")
        for participant_id, question_id, value in rows:
            answers.setdefault(participant_id, {})[f"q{question_id}"] = value
    population = scoring.population_build(
        mentees=[_person(p, answers, catalog, at, 1) for p in mentees],
        mentors=[_person(p, answers, catalog, at, c) for p, c in zip(mentors, free, strict=True)],
    )
    # Fields nobody filled in still need a column for the criteria that name them.
    population = _with_missing_fields(population, config, catalog)
    scorer = scoring.Scorer(population, scoring_criteria(config), scoring_rules(config))
    return Pool(list(mentees), list(mentors), list(free), scorer)


def _with_missing_fields(
    population: scoring.Population, config: Mapping[str, Any], catalog: Mapping[str, Field]
) -> scoring.Population:
    import numpy as np
    import scipy.sparse as sp

    needed_sets = {"languages"}
    needed_categories = {"department"}
    needed_texts: set[str] = set()
    for row in config["criteria"]:
        for key in (row["field"], row.get("mentor_field") or ""):
            field = catalog.get(key)
            if field is None:
                continue
            if field.kind == SET:
                needed_sets.add(key)
            elif field.kind == CATEGORY:
                needed_categories.add(key)
            elif field.kind == TEXT:
                needed_texts.add(key)
    width = len(population.labels)

    def fill(people: scoring.People) -> scoring.People:
        sets = dict(people.sets)
        categories = dict(people.categories)
        for key in needed_sets - set(sets):
            sets[key] = sp.csr_matrix((len(people), width), dtype=np.float64)
        for key in needed_categories - set(categories):
            categories[key] = np.full(len(people), -1, dtype=np.int64)
        texts = dict(people.texts)
        for key in needed_texts - set(texts):
            texts[key] = ("",) * len(people)
        return scoring.People(
            ids=people.ids,
            email=people.email,
            manager=people.manager,
            chain=people.chain,
            seniority=people.seniority,
            utc_offset=people.utc_offset,
            capacity=people.capacity,
            categories=categories,
            sets=sets,
            texts=texts,
        )

    return scoring.Population(
        mentees=fill(population.mentees),
        mentors=fill(population.mentors),
        labels=population.labels,
        emails=population.emails,
    )
