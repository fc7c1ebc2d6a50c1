"""A run's configuration: the program's criteria, rules, pins and blocks, and the
scorer's criteria and rules made from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matching import scoring
from matching.models import MatchCriterion, MatchSettings, PairRule
from programs.models import Program


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
