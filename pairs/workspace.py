"""The mentorship workspace: pair health, the agreement, pair goals and milestones,
and the reads behind the pair's page and the coordinator's list of pairs.

Privacy: the agreement's expectations, goals, milestones, topics, notes, ratings and
goal progress are the pair's alone. What coordinators get (:func:`pair_list`) is
built from dates, statuses and counts only; it never selects a private column.

Pair health is computed in the database from the program's cadence (C days) and
the pair's last check-in logged as met (or, before the first, the day they were
matched), by one function (:func:`health_annotate`) used by every page:

- on track: the last meeting is at most C days ago;
- due: more than C and at most 1.5 x C days ago;
- overdue: more than 1.5 x C and at most 3 x C days ago;
- inactive: more than 3 x C days ago (including pairs that never met in 3 x C days).

A pair needs attention when it is not on track (due, overdue or inactive): the one
definition behind the health badge, the health counts and the dashboard's at-risk
worklist (:func:`needing_attention`). A pair that has not met yet is on track during
its first cycle (its grace period) and due after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Max,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentoring.models import User
from pairs.models import CheckIn, Mentorship, MentorshipAgreement, Milestone, PairGoal
from pairs.selectors import side_of
from programs.models import Program
from programs.services import ProgramError


class Health:
    ON_TRACK = "on_track"
    DUE = "due"
    OVERDUE = "overdue"
    INACTIVE = "inactive"

    CHOICES = (
        (ON_TRACK, gettext_lazy("On track")),
        (DUE, gettext_lazy("Due")),
        (OVERDUE, gettext_lazy("Overdue")),
        (INACTIVE, gettext_lazy("Inactive")),
    )
    LABELS = dict(CHOICES)
    # The states in which a pair needs its coordinator's attention.
    NEEDS_ATTENTION = (DUE, OVERDUE, INACTIVE)
    # Cadences since the last meeting at which each state ends.
    DUE_AFTER = 1.0
    OVERDUE_AFTER = 1.5
    INACTIVE_AFTER = 3.0


def _health_case(cadence: dt.timedelta, now: dt.datetime) -> Case:
    """The health of a row annotated with ``_ref`` (its last meeting, else its start)."""
    return Case(
        When(Q(_ref__gte=now - cadence * Health.DUE_AFTER), then=Value(Health.ON_TRACK)),
        When(Q(_ref__gte=now - cadence * Health.OVERDUE_AFTER), then=Value(Health.DUE)),
        When(Q(_ref__gte=now - cadence * Health.INACTIVE_AFTER), then=Value(Health.OVERDUE)),
        default=Value(Health.INACTIVE),
        output_field=CharField(),
    )


def health_annotate(
    mentorships: QuerySet[Mentorship], *, cadence_days: int, now: dt.datetime | None = None
) -> QuerySet[Any]:
    """Add last_met_at, next_at (next scheduled check-in), met_count, missed_count
    and health to each mentorship. All in the one query."""
    now = now or timezone.now()
    done = Q(checkins__status=CheckIn.Status.DONE)
    return (
        mentorships.annotate(
            last_met_at=Max("checkins__scheduled_at", filter=done),
            next_at=Min(
                "checkins__scheduled_at",
                filter=Q(
                    checkins__status=CheckIn.Status.SCHEDULED, checkins__scheduled_at__gte=now
                ),
            ),
            met_count=Count("checkins", filter=done),
            missed_count=Count("checkins", filter=Q(checkins__status=CheckIn.Status.MISSED)),
        )
        .annotate(_ref=Coalesce(F("last_met_at"), F("started_at")))
        .annotate(health=_health_case(dt.timedelta(days=cadence_days), now))
    )


def needing_attention(annotated: QuerySet[Any]) -> QuerySet[Any]:
    """The pairs of a :func:`health_annotate` queryset that need attention: every pair
    whose badge is not "On track", and no other."""
    return annotated.filter(health__in=Health.NEEDS_ATTENTION)


# ------------------------------------------------------------------------------
# Agreement
# ------------------------------------------------------------------------------


def agreement_get(*, mentorship: Mentorship) -> MentorshipAgreement:
    agreement, _created = MentorshipAgreement.objects.get_or_create(mentorship=mentorship)
    return agreement


@transaction.atomic
def agreement_update(
    *, mentorship: Mentorship, by: User, expectations: str, now: dt.datetime | None = None
) -> MentorshipAgreement:
    """Write the expectations; the writer accepts them, the partner is asked again."""
    now = now or timezone.now()
    side = side_of(mentorship, by)
    if not side:
        raise ProgramError(_("Only the pair can change their agreement."))
    if mentorship.state != Mentorship.State.ACTIVE:
        raise ProgramError(_("This mentorship has ended."))
    agreement = agreement_get(mentorship=mentorship)
    agreement = MentorshipAgreement.objects.select_for_update().get(pk=agreement.pk)
    agreement.expectations = expectations.strip()
    agreement.updated_by = by
    agreement.mentor_accepted_at = now if side == "mentor" else None
    agreement.mentee_accepted_at = now if side == "mentee" else None
    agreement.save()
    return agreement


@transaction.atomic
def agreement_accept(
    *, mentorship: Mentorship, by: User, now: dt.datetime | None = None
) -> MentorshipAgreement:
    now = now or timezone.now()
    side = side_of(mentorship, by)
    if not side:
        raise ProgramError(_("Only the pair can accept their agreement."))
    agreement = agreement_get(mentorship=mentorship)
    field = f"{side}_accepted_at"
    MentorshipAgreement.objects.filter(pk=agreement.pk, **{f"{field}__isnull": True}).update(
        **{field: now, "updated_at": now}
    )
    agreement.refresh_from_db()
    return agreement


# ------------------------------------------------------------------------------
# Goals and milestones
# ------------------------------------------------------------------------------


def _check_pair(mentorship: Mentorship, by: User) -> None:
    if not side_of(mentorship, by):
        raise ProgramError(_("Only the pair can change their goals."))
    if mentorship.state != Mentorship.State.ACTIVE:
        raise ProgramError(_("This mentorship has ended."))


@transaction.atomic
def pair_goal_create(
    *, mentorship: Mentorship, by: User, title: str, description: str = ""
) -> PairGoal:
    _check_pair(mentorship, by)
    position = PairGoal.objects.filter(mentorship=mentorship).count()
    return PairGoal.objects.create(
        mentorship=mentorship,
        title=title.strip(),
        description=description.strip(),
        position=position,
        created_by=by,
    )


@transaction.atomic
def pair_goal_update(*, goal: PairGoal, by: User, progress: int, status: str) -> PairGoal:
    _check_pair(goal.mentorship, by)
    if status not in PairGoal.Status.values or not 0 <= progress <= 100:
        raise ProgramError(_("Choose a status and a progress from 0 to 100."))
    goal.progress = 100 if status == PairGoal.Status.ACHIEVED else progress
    goal.status = status
    goal.save(update_fields=["progress", "status", "updated_at"])
    return goal


@transaction.atomic
def milestone_create(
    *, goal: PairGoal, by: User, title: str, due_on: dt.date | None = None
) -> Milestone:
    _check_pair(goal.mentorship, by)
    position = Milestone.objects.filter(goal=goal).count()
    return Milestone.objects.create(
        goal=goal, title=title.strip(), due_on=due_on, position=position
    )


@transaction.atomic
def milestone_toggle(
    *, milestone: Milestone, by: User, now: dt.datetime | None = None
) -> Milestone:
    _check_pair(milestone.goal.mentorship, by)
    milestone.done_at = None if milestone.done_at else (now or timezone.now())
    milestone.save(update_fields=["done_at"])
    return milestone


# ------------------------------------------------------------------------------
# Reads
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkspaceData:
    mentorship: Mentorship
    health: str
    last_met_at: dt.datetime | None
    next_at: dt.datetime | None
    agreement: MentorshipAgreement
    goals: list[PairGoal]
    upcoming: list[CheckIn]
    past: list[CheckIn]


def workspace_get(*, mentorship: Mentorship, now: dt.datetime | None = None) -> WorkspaceData:
    """Everything the pair's page shows, in a fixed number of queries."""
    now = now or timezone.now()
    program: Program = mentorship.program
    facts = (
        health_annotate(
            Mentorship.objects.filter(pk=mentorship.pk),
            cadence_days=program.checkin_cadence_days,
            now=now,
        )
        .values("health", "last_met_at", "next_at")
        .get()
    )
    goals = list(
        PairGoal.objects.filter(mentorship=mentorship).prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("position", "id"))
        )
    )
    checkins = list(CheckIn.objects.filter(mentorship=mentorship).select_related("proposed_by"))
    upcoming = [
        c
        for c in checkins
        if c.status in (CheckIn.Status.PROPOSED, CheckIn.Status.SCHEDULED) and c.scheduled_at >= now
    ]
    past = [c for c in checkins if c not in upcoming and c.status != CheckIn.Status.CANCELLED]
    past.sort(key=lambda c: c.scheduled_at, reverse=True)
    return WorkspaceData(
        mentorship=mentorship,
        health=facts["health"],
        last_met_at=facts["last_met_at"],
        next_at=facts["next_at"],
        agreement=agreement_get(mentorship=mentorship),
        goals=goals,
        upcoming=upcoming,
        past=past,
    )


def pair_list(
    *, program: Program, health: str = "", now: dt.datetime | None = None
) -> QuerySet[Any]:
    """The program's active pairs for its coordinators: names, health, dates and
    counts only. Least healthy first. One query (plus the paginator's count)."""
    now = now or timezone.now()
    pairs = health_annotate(
        Mentorship.objects.filter(program=program, state=Mentorship.State.ACTIVE),
        cadence_days=program.checkin_cadence_days,
        now=now,
    ).select_related("mentor", "mentor__user", "mentee", "mentee__user")
    # Only columns that carry no private text (Mentorship has none; the people's names).
    pairs = pairs.only(
        "pk",
        "program_id",
        "started_at",
        "state",
        "mentor__full_name",
        "mentor__email",
        "mentor__user__full_name",
        "mentor__user__preferred_name",
        "mentor__user__email",
        "mentee__full_name",
        "mentee__email",
        "mentee__user__full_name",
        "mentee__user__preferred_name",
        "mentee__user__email",
    )
    if health in Health.LABELS:
        pairs = pairs.filter(health=health)
    return pairs.order_by("_ref", "pk")


def pair_health_counts(*, program: Program, now: dt.datetime | None = None) -> dict[str, int]:
    """How many active pairs are in each state: one query."""
    now = now or timezone.now()
    rows = health_annotate(
        Mentorship.objects.filter(program=program, state=Mentorship.State.ACTIVE),
        cadence_days=program.checkin_cadence_days,
        now=now,
    ).values("pk", "health")
    counts = dict.fromkeys(Health.LABELS, 0)
    for row in rows:
        counts[row["health"]] += 1
    return counts
