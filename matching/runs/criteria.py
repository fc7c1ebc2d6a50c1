"""The coordinator's settings, criteria and pair rules (pins and blocks) of a program."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from matching import inputs
from matching.models import MatchCriterion, MatchSettings, PairRule
from mentoring.audit import audit_record
from mentoring.models import AuditEvent, User
from programs.models import Participant, Program
from programs.services import ProgramError


def match_settings_update(*, program: Program, by: User, **fields: Any) -> MatchSettings:
    match_settings, _created = MatchSettings.objects.get_or_create(program=program)
    for name, value in fields.items():
        setattr(match_settings, name, value)
    match_settings.updated_by = by
    match_settings.save()
    audit_record(
        action=AuditEvent.Action.MATCHING_CHANGE,
        actor=by,
        target=match_settings,
        detail={"change": "settings_update", "program_id": program.pk, "fields": sorted(fields)},
    )
    return match_settings


def criterion_problem(program: Program, fields: Mapping[str, Any]) -> tuple[str, str] | None:
    """What is wrong with a criterion, if anything: (the form field, the message)."""
    catalog = inputs.field_catalog(program)
    field = catalog.get(fields["field"])
    if field is None:
        return "field", _("Choose a field to match on.")
    if fields["rule"] not in inputs.RULES_FOR[field.kind]:
        return "rule", _("“%(rule)s” does not apply to %(field)s.") % {
            "rule": MatchCriterion.Rule(fields["rule"]).label,
            "field": field.label,
        }
    if fields["rule"] == MatchCriterion.Rule.COMPLEMENTARY:
        other = catalog.get(fields.get("mentor_field") or "")
        if other is None or other.kind != inputs.SET:
            return "mentor_field", _("Choose what the mentor offers.")
    if fields["rule"] == MatchCriterion.Rule.SIMILAR_THEMES and fields.get("mentor_field"):
        other = catalog.get(fields["mentor_field"])
        if other is None or other.kind != inputs.TEXT:
            return "mentor_field", _(
                "Compare themes with one of the mentor's free-text fields, or leave it empty "
                "to compare the same field."
            )
    if fields["weight"] == MatchCriterion.Weight.CUSTOM and not fields.get("custom_weight"):
        return "custom_weight", _("Give the weight as a number.")
    return None


def criterion_check(program: Program, fields: Mapping[str, Any]) -> None:
    """Refuse a criterion whose rule does not fit its field."""
    problem = criterion_problem(program, fields)
    if problem is not None:
        raise ProgramError(problem[1])


@transaction.atomic
def criterion_add(*, program: Program, by: User, **fields: Any) -> MatchCriterion:
    criterion_check(program, fields)
    if fields["rule"] not in inputs.MENTOR_FIELD_KIND:
        fields["mentor_field"] = ""
    if MatchCriterion.objects.filter(
        program=program,
        field=fields["field"],
        rule=fields["rule"],
        mentor_field=fields.get("mentor_field", ""),
    ).exists():
        raise ProgramError(_("This program already has that criterion; change its weight instead."))
    last = MatchCriterion.objects.filter(program=program).aggregate(m=Max("position"))["m"] or 0
    criterion = MatchCriterion.objects.create(program=program, position=last + 1, **fields)
    audit_record(
        action=AuditEvent.Action.MATCHING_CHANGE,
        actor=by,
        target=criterion,
        detail={"change": "criterion_add", "program_id": program.pk},
    )
    return criterion


@transaction.atomic
def criterion_update(*, criterion: MatchCriterion, by: User, **fields: Any) -> MatchCriterion:
    merged = {**inputs.criterion_row(criterion), **fields}
    criterion_check(criterion.program, merged)
    for name, value in fields.items():
        setattr(criterion, name, value)
    criterion.save()
    audit_record(
        action=AuditEvent.Action.MATCHING_CHANGE,
        actor=by,
        target=criterion,
        detail={"change": "criterion_update", "fields": sorted(fields)},
    )
    return criterion


def criterion_delete(*, criterion: MatchCriterion, by: User) -> None:
    audit_record(
        action=AuditEvent.Action.MATCHING_CHANGE,
        actor=by,
        target=criterion,
        detail={"change": "criterion_delete", "program_id": criterion.program_id},
    )
    criterion.delete()


@transaction.atomic
def criteria_recommended_add(*, program: Program, by: User) -> int:
    """Add the recommended criteria the program does not have yet."""
    added = 0
    for spec in inputs.RECOMMENDED:
        fields = {"mentor_field": "", **spec}
        if not MatchCriterion.objects.filter(
            program=program,
            field=fields["field"],
            rule=fields["rule"],
            mentor_field=fields["mentor_field"],
        ).exists():
            criterion_add(program=program, by=by, **fields)
            added += 1
    return added


def _pair_people(
    program: Program, mentee_id: int, mentor_id: int
) -> tuple[Participant, Participant]:
    people = {
        p.pk: p for p in Participant.objects.filter(program=program, pk__in=[mentee_id, mentor_id])
    }
    mentee, mentor = people.get(mentee_id), people.get(mentor_id)
    if mentee is None or mentor is None:
        raise ProgramError(_("Both people must belong to this program."))
    if mentee.role != Participant.Role.MENTEE or mentor.role != Participant.Role.MENTOR:
        raise ProgramError(_("A pair is one mentee and one mentor."))
    return mentee, mentor


@transaction.atomic
def pair_rule_set(
    *, program: Program, mentee_id: int, mentor_id: int, kind: str, by: User
) -> PairRule:
    """Pin (always pair) or block (never pair) two people; a pin replaces the
    mentee's earlier pin."""
    mentee, mentor = _pair_people(program, mentee_id, mentor_id)
    if kind == PairRule.Kind.PIN:
        PairRule.objects.filter(program=program, mentee=mentee, kind=PairRule.Kind.PIN).exclude(
            mentor=mentor
        ).delete()
    rule, _created = PairRule.objects.update_or_create(
        mentee=mentee, mentor=mentor, defaults={"program": program, "kind": kind, "created_by": by}
    )
    audit_record(
        action=AuditEvent.Action.MATCHING_CHANGE,
        actor=by,
        target=rule,
        detail={
            "change": "pair_rule_set",
            "kind": kind,
            "mentee_id": mentee.pk,
            "mentor_id": mentor.pk,
        },
    )
    return rule


def pair_pin_delete(*, program: Program, mentee_id: int, mentor_id: int, by: User) -> bool:
    """Drop the pin that keeps these two together, if there is one (audited)."""
    rule = PairRule.objects.filter(
        program=program, mentee_id=mentee_id, mentor_id=mentor_id, kind=PairRule.Kind.PIN
    ).first()
    if rule is None:
        return False
    pair_rule_delete(rule=rule, by=by)
    return True


def pair_rule_delete(*, rule: PairRule, by: User) -> None:
    audit_record(
        action=AuditEvent.Action.MATCHING_CHANGE,
        actor=by,
        target=rule,
        detail={
            "change": "pair_rule_delete",
            "mentee_id": rule.mentee_id,
            "mentor_id": rule.mentor_id,
        },
    )
    rule.delete()
