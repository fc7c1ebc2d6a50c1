"""From a program's rows to the pure scorer: the matchable fields, the criteria as the
scorer takes them, the people as columns, and explanations as sentences.

A run stores the configuration it used (:func:`config_from_program`) and everything
downstream reads that configuration, so "what if" previews and old drafts are
scored exactly as they were shown.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from matching import scoring
from matching.models import MatchCriterion, MatchSettings, PairRule
from pairs.mentorships import mentor_capacity
from pairs.models import Mentorship
from programs.models import Participant, ProfileAnswer, ProfileQuestion, Program

SET, CATEGORY, SENIORITY, TIME_ZONE, TEXT = "set", "category", "seniority", "time_zone", "text"

# The profile fields every program can match on, with their type.
PROFILE_FIELDS: dict[str, tuple[str, Any]] = {
    "skills": (SET, gettext_lazy("skills")),
    "interests": (SET, gettext_lazy("interests")),
    "languages": (SET, gettext_lazy("languages")),
    "department": (CATEGORY, gettext_lazy("department")),
    "location": (CATEGORY, gettext_lazy("location")),
    "seniority": (SENIORITY, gettext_lazy("seniority")),
    "time_zone": (TIME_ZONE, gettext_lazy("time zone")),
    "career_aspirations": (TEXT, gettext_lazy("career aspirations")),
    "bio": (TEXT, gettext_lazy("short bio")),
}

# Which rules fit which kind of field.
RULES_FOR: dict[str, tuple[str, ...]] = {
    SET: (MatchCriterion.Rule.SIMILAR, MatchCriterion.Rule.COMPLEMENTARY),
    CATEGORY: (MatchCriterion.Rule.SAME, MatchCriterion.Rule.DIFFERENT),
    SENIORITY: (MatchCriterion.Rule.SENIORITY_GAP,),
    TIME_ZONE: (MatchCriterion.Rule.TIME_ZONE,),
    TEXT: (MatchCriterion.Rule.SIMILAR_THEMES,),
}
# The rules that compare a mentee's field with another field of the mentor's, and the
# kind of field that must be.
MENTOR_FIELD_KIND: dict[str, str] = {
    MatchCriterion.Rule.COMPLEMENTARY: SET,
    MatchCriterion.Rule.SIMILAR_THEMES: TEXT,
}

# What a new program starts with when the coordinator asks for the recommended set.
RECOMMENDED: tuple[dict[str, Any], ...] = (
    {"field": "interests", "mentor_field": "skills", "rule": "complementary", "weight": "high"},
    {"field": "skills", "rule": "similar", "weight": "medium"},
    {"field": "seniority", "rule": "seniority_gap", "weight": "medium", "min_gap": 1},
    {"field": "languages", "rule": "similar", "weight": "low"},
    {"field": "department", "rule": "different", "weight": "low"},
    {"field": "time_zone", "rule": "time_zone", "weight": "medium", "max_hours": 8},
)


@dataclass(frozen=True)
class Field:
    key: str
    kind: str
    label: str


def field_catalog(program: Program) -> dict[str, Field]:
    """Every field this program can match on: profile fields and its matching questions."""
    catalog = {k: Field(k, kind, str(label)) for k, (kind, label) in PROFILE_FIELDS.items()}
    questions = ProfileQuestion.objects.filter(program=program, is_matching_input=True)
    for question in questions:
        if question.kind == ProfileQuestion.Kind.TEXT:
            kind = TEXT
        elif question.kind == ProfileQuestion.Kind.MULTI_CHOICE:
            kind = SET
        else:
            kind = CATEGORY
        catalog[f"q{question.pk}"] = Field(f"q{question.pk}", kind, question.text)
    return catalog


def criterion_weight(row: Mapping[str, Any]) -> tuple[float, bool]:
    """(weight, mandatory) of a criterion as stored."""
    if row["weight"] == MatchCriterion.Weight.MANDATORY:
        return 0.0, True
    if row["weight"] == MatchCriterion.Weight.CUSTOM:
        return float(row.get("custom_weight") or 0), False
    return scoring.WEIGHTS[row["weight"]], False


def criterion_row(criterion: MatchCriterion) -> dict[str, Any]:
    return {
        "key": f"c{criterion.pk}" if criterion.pk else criterion.field,
        "field": criterion.field,
        "mentor_field": criterion.mentor_field,
        "rule": criterion.rule,
        "weight": criterion.weight,
        "custom_weight": float(criterion.custom_weight) if criterion.custom_weight else None,
        "min_gap": criterion.min_gap,
        "max_hours": criterion.max_hours,
    }


def settings_of(program: Program) -> MatchSettings:
    found = MatchSettings.objects.filter(program=program).first()
    return found or MatchSettings(program=program)


def config_from_program(program: Program) -> dict[str, Any]:
    """The criteria, rules, pins and blocks a run of this program uses now."""
    match_settings = settings_of(program)
    criteria = [criterion_row(c) for c in MatchCriterion.objects.filter(program=program)]
    rules = PairRule.objects.filter(program=program).values_list("kind", "mentee_id", "mentor_id")
    return {
        "objective": match_settings.objective,
        "criteria": criteria,
        "rules": {
            "reporting_line": match_settings.avoid_reporting_line,
            "same_department": match_settings.avoid_same_department,
            "shared_language": match_settings.require_shared_language,
        },
        "pins": [[mentee, mentor] for kind, mentee, mentor in rules if kind == PairRule.Kind.PIN],
        "blocks": [
            [mentee, mentor] for kind, mentee, mentor in rules if kind == PairRule.Kind.BLOCK
        ],
    }


def scoring_criteria(config: Mapping[str, Any]) -> list[scoring.Criterion]:
    result = []
    for row in config["criteria"]:
        weight, mandatory = criterion_weight(row)
        rule = row["rule"]
        common: dict[str, Any] = {"key": row["key"], "weight": weight, "mandatory": mandatory}
        if rule == MatchCriterion.Rule.SIMILAR:
            result.append(
                scoring.Criterion(kind=scoring.Kind.SIMILAR, field=row["field"], **common)
            )
        elif rule == MatchCriterion.Rule.COMPLEMENTARY:
            result.append(
                scoring.Criterion(
                    kind=scoring.Kind.COMPLEMENTARY,
                    field=row["field"],
                    mentor_field=row["mentor_field"] or row["field"],
                    **common,
                )
            )
        elif rule == MatchCriterion.Rule.SENIORITY_GAP:
            result.append(
                scoring.Criterion(kind=scoring.Kind.SENIORITY_GAP, min_gap=row["min_gap"], **common)
            )
        elif rule in (MatchCriterion.Rule.SAME, MatchCriterion.Rule.DIFFERENT):
            result.append(
                scoring.Criterion(
                    kind=scoring.Kind.SAME_OR_DIFFERENT,
                    field=row["field"],
                    prefer="same" if rule == MatchCriterion.Rule.SAME else "different",
                    **common,
                )
            )
        elif rule == MatchCriterion.Rule.TIME_ZONE:
            result.append(
                scoring.Criterion(
                    kind=scoring.Kind.TIME_ZONE, max_hours=float(row["max_hours"]), **common
                )
            )
        elif rule == MatchCriterion.Rule.SIMILAR_THEMES:
            result.append(
                scoring.Criterion(
                    kind=scoring.Kind.THEMES,
                    field=row["field"],
                    mentor_field=row["mentor_field"] or row["field"],
                    **common,
                )
            )
    return result


def scoring_rules(config: Mapping[str, Any]) -> scoring.Rules:
    rules = config["rules"]
    return scoring.Rules(
        reporting_line=rules["reporting_line"],
        same_department=rules["same_department"],
        shared_language=rules["shared_language"],
    )


# -- people --------------------------------------------------------------------


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


# -- explanations ------------------------------------------------------------------


def explanation_store(
    explanation: scoring.Explanation, config: Mapping[str, Any], catalog: Mapping[str, Field]
) -> list[dict[str, Any]]:
    """The parts of a pair's explanation as JSON, each with its sentence."""
    rows = {row["key"]: row for row in config["criteria"]}
    parts = list(explanation.parts)
    # With one time-zone rule, its baseline and its penalty read better as one line
    # ("+12 2 hours apart" rather than "+18 baseline" and "-6 2 hours apart"); the
    # parts still add up to the score.
    penalties = [p for p in parts if p.kind == scoring.Kind.TIME_ZONE and not p.mandatory]
    if parts and parts[0].kind == scoring.BASELINE and len(penalties) == 1:
        baseline = parts.pop(0)
        at = parts.index(penalties[0])
        parts[at] = replace(
            penalties[0],
            points=penalties[0].points + baseline.points,
            exact_points=penalties[0].exact_points + baseline.exact_points,
        )
    stored = []
    for part in parts:
        data = part.as_dict()
        data["text"] = part_text(part, rows.get(part.criterion), catalog)
        stored.append(data)
    return stored


def _field_label(catalog: Mapping[str, Field], key: str) -> str:
    field = catalog.get(key)
    return field.label if field is not None else key


def _items(items: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(items[:limit])
    more = len(items) - limit
    return shown + (ngettext(" and %d more", " and %d more", more) % more if more > 0 else "")


def part_text(
    part: scoring.Part, row: Mapping[str, Any] | None, catalog: Mapping[str, Field]
) -> str:
    """One sentence for one part: "shared skills: negotiation, Python"."""
    if part.kind == scoring.BASELINE:
        return _("time-zone points before distance")
    if row is None:
        return part.criterion
    label = _field_label(catalog, row["field"])
    if part.mandatory:
        return (
            _("meets the required rule on %(field)s") % {"field": label}
            if part.satisfied
            else _("does not meet the required rule on %(field)s") % {"field": label}
        )
    if part.kind == scoring.Kind.SIMILAR:
        if part.items:
            return _("shared %(field)s: %(items)s") % {"field": label, "items": _items(part.items)}
        return _("no shared %(field)s") % {"field": label}
    if part.kind == scoring.Kind.COMPLEMENTARY:
        offers = _field_label(catalog, row.get("mentor_field") or row["field"])
        if part.items:
            return _("%(offers)s the mentee is looking for: %(items)s") % {
                "offers": offers,
                "items": _items(part.items),
            }
        return _("mentor's %(offers)s don't cover the mentee's %(field)s") % {
            "offers": offers,
            "field": label,
        }
    if part.kind == scoring.Kind.THEMES:
        if part.items:
            return _("both mention: %(items)s") % {"items": _items(part.items)}
        return _("no shared themes in %(field)s and %(other)s") % {
            "field": label,
            "other": _field_label(catalog, row.get("mentor_field") or row["field"]),
        }
    if part.kind == scoring.Kind.SENIORITY_GAP:
        if part.gap is None:
            return _("seniority not known")
        return (
            ngettext(
                "mentor is %(gap)d level more senior",
                "mentor is %(gap)d levels more senior",
                part.gap,
            )
            % {"gap": part.gap}
            if part.gap > 0
            else _("mentor is not more senior")
        )
    if part.kind == scoring.Kind.SAME_OR_DIFFERENT:
        if part.same is None:
            return _("%(field)s not known") % {"field": label}
        if part.same:
            return _("same %(field)s: %(value)s") % {"field": label, "value": part.mentee_value}
        return _("different %(field)s: %(a)s and %(b)s") % {
            "field": label,
            "a": part.mentee_value,
            "b": part.mentor_value,
        }
    if part.kind == scoring.Kind.TIME_ZONE:
        if part.hours is None:
            return _("time zone not known")
        hours = round(part.hours)
        if hours == 0:
            return _("same time zone")
        return ngettext("%(n)d hour apart", "%(n)d hours apart", hours) % {"n": hours}
    return label


VIOLATION_TEXT: dict[str, Any] = {
    scoring.RULE_SAME_PERSON: gettext_lazy("the same person"),
    scoring.RULE_REPORTING_LINE: gettext_lazy("in the same reporting line"),
    scoring.RULE_SAME_DEPARTMENT: gettext_lazy("in the same department"),
    scoring.RULE_NO_SHARED_LANGUAGE: gettext_lazy("no shared language"),
}


def violation_text(code: str, catalog: Mapping[str, Field], config: Mapping[str, Any]) -> str:
    if code.startswith("mandatory:"):
        key = code.split(":", 1)[1]
        row = next((r for r in config["criteria"] if r["key"] == key), None)
        label = _field_label(catalog, row["field"]) if row else key
        return _("fails the required rule on %(field)s") % {"field": label}
    return str(VIOLATION_TEXT.get(code, code))
