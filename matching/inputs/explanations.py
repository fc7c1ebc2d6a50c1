"""A pair's explanation as stored JSON parts, each with its sentence; rule violations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from matching import scoring
from matching.inputs.fields import Field


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
