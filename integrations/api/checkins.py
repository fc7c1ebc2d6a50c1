"""/api/v1/programs/{id}/checkins: when pairs met, for the program's coordinators.

Dates, statuses, lengths and counts only, as on the pairs page. Topics, notes,
ratings, goal progress, places and video links are the pair's alone: no schema
here has a field for them, and the queries below do not even read them.
"""

# No "from __future__ import annotations": ninja reads these annotations at run time.
import datetime as dt
from typing import Any

from django.db.models import Count, IntegerField, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from integrations.api.core import ERRORS, QUERY_ERRORS, Id, Pages, owner
from integrations.api.schemas import (
    CheckInFilter,
    CheckInOut,
    CheckInPeriod,
    MentorshipCheckInFilter,
    MentorshipCheckInSummaryOut,
    ProgramCheckInSummaryOut,
)
from integrations.models import ApiToken
from integrations.webhooks import IntegrationError
from pairs.models import CheckIn, Mentorship
from pairs.workspace import health_annotate, pair_health_counts
from programs.access import Need, access_program
from programs.models import Program

router = Router(tags=["check-ins"])
Status = CheckIn.Status
# The columns a coordinator may see; nothing else is loaded.
PUBLIC_FIELDS = (
    "id",
    "mentorship_id",
    "status",
    "scheduled_at",
    "duration_minutes",
    "logged_at",
    "cancelled_at",
)


def _program(request: HttpRequest, program_id: int) -> Program:
    user = owner(request, ApiToken.Scope.CHECKINS_READ)
    return access_program(user, program_id, need=Need.MANAGE).program


def _period(checkins: QuerySet[CheckIn], since: dt.date | None, until: dt.date | None) -> Any:
    """Check-ins scheduled on these UTC days (both ends included)."""
    if since is not None and until is not None and until < since:
        raise IntegrationError(_("'until' must not be before 'since'."))
    if since is not None:
        checkins = checkins.filter(
            scheduled_at__gte=dt.datetime.combine(since, dt.time.min, dt.UTC)
        )
    if until is not None and until < dt.date.max:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, dt.UTC)
        checkins = checkins.filter(scheduled_at__lt=end)
    return checkins


def _counts(prefix: str, now: dt.datetime) -> dict[str, Any]:
    """The counts and dates of CheckInCounts, as aggregates over ``prefix`` (the
    check-ins' path from the rows being annotated: "" or "checkins__")."""

    def status(value: str, **more: Any) -> Q:
        return Q(**{f"{prefix}status": value}, **{f"{prefix}{k}": v for k, v in more.items()})

    pk, at = f"{prefix}pk" if prefix else "pk", f"{prefix}scheduled_at"
    done = status(Status.DONE)
    return {
        "proposed": Count(pk, filter=status(Status.PROPOSED)),
        "scheduled": Count(pk, filter=status(Status.SCHEDULED)),
        "done": Count(pk, filter=done),
        "missed": Count(pk, filter=status(Status.MISSED)),
        "cancelled": Count(pk, filter=status(Status.CANCELLED)),
        "minutes_met": Coalesce(
            Sum(f"{prefix}duration_minutes", filter=done), 0, output_field=IntegerField()
        ),
        "first_met_at": Min(at, filter=done),
        "last_met_at": Max(at, filter=done),
        "next_scheduled_at": Min(at, filter=status(Status.SCHEDULED, scheduled_at__gte=now)),
    }


def _pair_rows(program: Program, now: dt.datetime) -> QuerySet[Any]:
    """The program's mentorships with their check-in counts, dates and health: one query."""
    counts = _counts("checkins__", now)
    # health_annotate already counts met and missed check-ins and the next one to come.
    for name in ("done", "missed", "next_scheduled_at"):
        counts.pop(name)
    return (
        health_annotate(
            Mentorship.objects.filter(program=program),
            cadence_days=program.checkin_cadence_days,
            now=now,
        )
        .annotate(**counts)
        .only("id", "state", "started_at", "ended_at")
        .order_by("id")
    )


def _pair_summary(row: Any) -> dict[str, Any]:
    return {
        "mentorship_id": row.pk,
        "state": row.state,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
        "health": row.health if row.state == Mentorship.State.ACTIVE else None,
        "proposed": row.proposed,
        "scheduled": row.scheduled,
        "done": row.met_count,
        "missed": row.missed_count,
        "cancelled": row.cancelled,
        "minutes_met": row.minutes_met,
        "first_met_at": row.first_met_at,
        "last_met_at": row.last_met_at,
        "next_scheduled_at": row.next_at,
    }


class PairSummaries(Pages):
    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = [_pair_summary(row) for row in page["items"]]
        return page


@router.get(
    "/programs/{program_id}/checkins",
    response={200: list[CheckInOut], **QUERY_ERRORS},
    summary="List check-ins",
)
@paginate(Pages)
def checkin_list(
    request: HttpRequest, program_id: Id, filters: Query[CheckInFilter]
) -> QuerySet[CheckIn]:
    """The program's check-ins, earliest first: dates, status and length only."""
    program = _program(request, program_id)
    checkins = CheckIn.objects.filter(mentorship__program=program)
    if filters.mentorship_id is not None:
        checkins = checkins.filter(mentorship_id=filters.mentorship_id)
    if filters.status:
        checkins = checkins.filter(status=filters.status)
    checkins = _period(checkins, filters.since, filters.until)
    return checkins.only(*PUBLIC_FIELDS).order_by("scheduled_at", "id")


@router.get(
    "/programs/{program_id}/checkins/summary",
    response={200: ProgramCheckInSummaryOut, **QUERY_ERRORS},
    summary="Count the program's check-ins",
)
def checkin_summary(
    request: HttpRequest, program_id: Id, period: Query[CheckInPeriod]
) -> dict[str, Any]:
    """Check-ins per status, minutes met and dates across the program (in the period,
    when one is given), and its active pairs by health today."""
    program = _program(request, program_id)
    now = timezone.now()
    checkins = _period(
        CheckIn.objects.filter(mentorship__program=program), period.since, period.until
    )
    row = checkins.aggregate(
        **_counts("", now),
        pairs_met=Count("mentorship", distinct=True, filter=Q(status=Status.DONE)),
    )
    return {"program_id": program.pk, **row, "health": pair_health_counts(program=program, now=now)}


@router.get(
    "/programs/{program_id}/checkins/by-mentorship",
    response={200: list[MentorshipCheckInSummaryOut], **ERRORS},
    summary="Count check-ins per mentorship",
)
@paginate(PairSummaries)
def checkin_summary_by_mentorship(
    request: HttpRequest, program_id: Id, filters: Query[MentorshipCheckInFilter]
) -> QuerySet[Any]:
    """One row per mentorship (every state), ordered by id."""
    program = _program(request, program_id)
    rows = _pair_rows(program, timezone.now())
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.health:
        rows = rows.filter(state=Mentorship.State.ACTIVE, health=filters.health)
    return rows


@router.get(
    "/programs/{program_id}/mentorships/{mentorship_id}/checkins/summary",
    response={200: MentorshipCheckInSummaryOut, **ERRORS},
    summary="Count one mentorship's check-ins",
)
def checkin_summary_of_mentorship(
    request: HttpRequest, program_id: Id, mentorship_id: Id
) -> dict[str, Any]:
    program = _program(request, program_id)
    row = _pair_rows(program, timezone.now()).filter(pk=mentorship_id).first()
    if row is None:
        raise Http404
    return _pair_summary(row)
