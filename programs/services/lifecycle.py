"""Programs and their state, coordinators, the join link and goals."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.audit import Action, audit_record
from mentoring.models import User
from programs.models import Program, ProgramGoal, ProgramStateChange
from programs.services.base import ProgramError
from programs.signals import program_closed, program_created

# ------------------------------------------------------------------------------
# Programs and their state
# ------------------------------------------------------------------------------

# Which moves each state allows. Closing is possible from anywhere but is final.
PROGRAM_TRANSITIONS: dict[str, frozenset[str]] = {
    Program.State.DRAFT: frozenset({Program.State.ENROLLING, Program.State.CLOSED}),
    Program.State.ENROLLING: frozenset(
        {Program.State.DRAFT, Program.State.MATCHING, Program.State.CLOSED}
    ),
    Program.State.MATCHING: frozenset(
        {Program.State.ENROLLING, Program.State.RUNNING, Program.State.CLOSED}
    ),
    Program.State.RUNNING: frozenset({Program.State.CLOSED}),
    Program.State.CLOSED: frozenset(),
}

PROGRAM_EDITABLE_FIELDS = frozenset(
    {
        "name",
        "description",
        "format",
        "starts_on",
        "ends_on",
        "is_evergreen",
        "checkin_cadence_days",
        "default_mentor_capacity",
        "min_group_size",
        "time_zone",
        "join_requires_approval",
    }
)


def _check_dates(program: Program) -> None:
    if program.is_evergreen:
        return
    if program.starts_on is None or program.ends_on is None:
        raise ProgramError(_("Give a start and an end date, or mark the program as evergreen."))
    if program.ends_on < program.starts_on:
        raise ProgramError(_("The end date must not be before the start date."))


@transaction.atomic
def program_create(*, created_by: User, name: str, **fields: Any) -> Program:
    unknown = set(fields) - PROGRAM_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"program_create() got unexpected fields: {sorted(unknown)}")
    program = Program(name=name.strip(), created_by=created_by, **fields)
    _check_dates(program)
    program.save()
    program.coordinators.add(created_by)
    # In this transaction: the apps above add what every new program starts with.
    program_created.send(sender=Program, program=program, by=created_by)
    audit_record(
        action=Action.PROGRAM_CHANGE, actor=created_by, target=program, detail={"change": "create"}
    )
    return program


@transaction.atomic
def program_update(*, program: Program, by: User, **fields: Any) -> Program:
    unknown = set(fields) - PROGRAM_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"program_update() got unexpected fields: {sorted(unknown)}")
    if program.state == Program.State.CLOSED:
        raise ProgramError(_("A closed program can no longer be changed."))
    for name, value in fields.items():
        setattr(program, name, value)
    _check_dates(program)
    program.save(update_fields=[*fields, "updated_at"])
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=program,
        detail={"change": "update", "fields": sorted(fields)},
    )
    return program


def program_allowed_transitions(program: Program) -> list[str]:
    order = list(Program.State.values)
    return sorted(PROGRAM_TRANSITIONS[program.state], key=order.index)


@transaction.atomic
def program_transition(*, program: Program, to_state: str, by: User) -> Program:
    """Move a program to another state, if the move is allowed; record who did it."""
    if to_state not in Program.State.values:
        raise ProgramError(_("Unknown state: %(state)s.") % {"state": to_state})
    # Lock the row: two coordinators pressing buttons at once must not both move it.
    locked = Program.objects.select_for_update().get(pk=program.pk)
    if to_state not in PROGRAM_TRANSITIONS[locked.state]:
        raise ProgramError(
            _("A program cannot go from %(from)s to %(to)s.")
            % {
                "from": Program.State(locked.state).label,
                "to": Program.State(to_state).label,
            }
        )
    now = timezone.now()
    ProgramStateChange.objects.create(
        program=locked, from_state=locked.state, to_state=to_state, changed_by=by, changed_at=now
    )
    locked.state = to_state
    locked.state_changed_at = now
    locked.save(update_fields=["state", "state_changed_at", "updated_at"])
    program.state, program.state_changed_at = locked.state, locked.state_changed_at
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=locked,
        detail={"change": "transition", "to": to_state},
    )
    if to_state == Program.State.CLOSED:
        # Pairs still meeting when the program closes have completed it (pairs.receivers).
        program_closed.send(sender=Program, program=locked, by=by, now=now)
    return locked


def program_coordinator_add(*, program: Program, user: User, by: User) -> None:
    program.coordinators.add(user)
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=program,
        detail={"change": "coordinator_add", "user_id": user.pk},
    )


@transaction.atomic
def program_coordinator_remove(*, program: Program, user: User, by: User) -> None:
    Program.objects.select_for_update().get(pk=program.pk)
    if not program.coordinators.exclude(pk=user.pk).exists():
        raise ProgramError(_("A program needs at least one coordinator."))
    program.coordinators.remove(user)
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=program,
        detail={"change": "coordinator_remove", "user_id": user.pk},
    )


def program_join_link_enable(*, program: Program, by: User) -> str:
    """Create (or replace) the shareable join link's token; the old link stops working."""
    program.join_token = secrets.token_urlsafe(24)
    program.save(update_fields=["join_token", "updated_at"])
    # The token itself is a secret: the row says that it changed, never what it is.
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=program,
        detail={"change": "join_link_enable"},
    )
    return program.join_token


def program_join_link_disable(*, program: Program, by: User) -> None:
    program.join_token = None
    program.save(update_fields=["join_token", "updated_at"])
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=program,
        detail={"change": "join_link_disable"},
    )


# ------------------------------------------------------------------------------
# Goals
# ------------------------------------------------------------------------------


def program_goal_set(
    *, program: Program, metric: str, target_value: Decimal, target_on: dt.date, by: User
) -> ProgramGoal:
    if program.state == Program.State.CLOSED:
        raise ProgramError(_("A closed program can no longer be changed."))
    if metric not in ProgramGoal.Metric.values:
        raise ProgramError(_("Unknown metric: %(metric)s.") % {"metric": metric})
    if metric in ProgramGoal.PERCENT_METRICS and not (0 <= target_value <= 100):
        raise ProgramError(_("A percentage target must be between 0 and 100."))
    if metric == ProgramGoal.Metric.AVG_SATISFACTION and not (1 <= target_value <= 5):
        raise ProgramError(_("A satisfaction target must be between 1 and 5."))
    goal, _created = ProgramGoal.objects.update_or_create(
        program=program,
        metric=metric,
        defaults={"target_value": target_value, "target_on": target_on},
    )
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=program,
        detail={"change": "goal_set", "goal_id": goal.pk, "metric": metric},
    )
    return goal


def program_goal_delete(*, goal: ProgramGoal, by: User) -> None:
    if goal.program.state == Program.State.CLOSED:
        raise ProgramError(_("A closed program can no longer be changed."))
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=goal.program,
        detail={"change": "goal_delete", "goal_id": goal.pk, "metric": goal.metric},
    )
    goal.delete()
