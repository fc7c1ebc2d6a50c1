"""The fields a program can match on, the rules that fit each kind, the recommended set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from matching.models import MatchCriterion
from programs.models import ProfileQuestion, Program

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
