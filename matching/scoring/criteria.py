"""What a coordinator picks: criteria and their weights, the hard rules, their names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

HIGH = 3.0
MEDIUM = 2.0
LOW = 1.0
# The presets a coordinator picks from; any other non-negative number works too.
WEIGHTS: Mapping[str, float] = {"high": HIGH, "medium": MEDIUM, "low": LOW}

# The key of the explanation part that carries the baseline.
BASELINE = "baseline"
# Names of the hard rules in Scorer.violations (mandatory criteria add "mandatory:<key>").
RULE_SAME_PERSON = "same_person"
RULE_REPORTING_LINE = "reporting_line"
RULE_SAME_DEPARTMENT = "same_department"
RULE_NO_SHARED_LANGUAGE = "no_shared_language"


class Kind(StrEnum):
    # Both people's sets of a field overlap (skills, interests, languages, a
    # multiple-choice answer): s is the cosine |A & B| / sqrt(|A| |B|), or with
    # measure="mentee_share" the share of the mentee's items the mentor has.
    SIMILAR = "similar"
    # The mentor offers what the mentee wants: s is the share of the mentee's
    # `field` items found in the mentor's `mentor_field`.
    COMPLEMENTARY = "complementary"
    # The mentor is at least `min_gap` seniority levels above the mentee: s is 0 or 1.
    SENIORITY_GAP = "seniority_gap"
    # Same (or, with prefer="different", different) value of a categorical field:
    # department, location, a single-choice answer. s is 0 or 1.
    SAME_OR_DIFFERENT = "same_or_different"
    # A penalty growing linearly with the hours between the two UTC offsets (around
    # the clock, so at most 12), full at `max_hours`.
    TIME_ZONE = "time_zone"
    # The mentee's free text (`field`) and the mentor's (`mentor_field`) share themes:
    # s is the cosine of their tf-idf vectors (matching.themes), fitted on the
    # population's own texts.
    THEMES = "themes"


@dataclass(frozen=True)
class Criterion:
    """One rule of a program's matching, with its weight and parameters.

    ``key`` names the criterion in contributions and explanations (unique per
    program, e.g. "skills" or "q12"). Unknown values (an empty set, no seniority, no
    department, no time zone) never earn points and never pass a mandatory
    criterion; an unknown time zone costs nothing.
    """

    key: str
    kind: Kind
    weight: float = MEDIUM
    mandatory: bool = False
    # SIMILAR: the set field; COMPLEMENTARY: the mentee's set field ("wants");
    # SAME_OR_DIFFERENT: the categorical field; THEMES: the mentee's text field.
    field: str = ""
    # COMPLEMENTARY: the mentor's set field ("offers"); THEMES: the mentor's text
    # field (empty: the same field as the mentee's).
    mentor_field: str = ""
    measure: Literal["cosine", "mentee_share"] = "cosine"
    min_gap: int = 1
    prefer: Literal["same", "different"] = "same"
    # TIME_ZONE: the penalty is full at this many hours apart; as a mandatory rule,
    # pairs further apart are not allowed.
    max_hours: float = 12.0

    @property
    def is_penalty(self) -> bool:
        return self.kind == Kind.TIME_ZONE


@dataclass(frozen=True)
class Rules:
    """Hard rules of a program, on top of its mandatory criteria.

    The reporting line (when ``reporting_line`` is on) forbids a pair when one of the
    two is the other's manager, directly or further up the chain as far as it is
    known (:attr:`People.chain`), or when both have the same direct manager. A
    person is never paired with themselves (same email), whatever the rules.
    """

    reporting_line: bool = True
    # Never pair two people of the same department (both known and equal).
    same_department: bool = False
    # Require at least one shared language (people with no languages fail it).
    shared_language: bool = False
    department_field: str = "department"
    language_field: str = "languages"
