"""The coordinator's dashboard of one program: numbers, snapshots and the at-risk worklist.

:func:`dashboard_compute` counts everything in the database (a fixed number of
queries whatever the program's size) and returns plain JSON-ready data, which
:func:`snapshot_take` stores nightly (and on demand) as a
:class:`mentoring.models.ProgramSnapshot`; :func:`dashboard_get` reads the latest
snapshot while it is fresh and computes live otherwise.

Privacy: the numbers are aggregates. Survey figures of a week are shown only when
at least the program's minimum group size answered (surveys.results.minimum_for).
The at-risk worklist is live and names pairs (coordinators see them on the pairs
page anyway) with dates and counts only; "ratings falling" is a yes/no derived from
the pair's private ratings, never the ratings themselves.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentoring.models import Delivery
from mentoring.notifications import Kind, notification_disabled_pairs, notification_send
from pairs import metrics
from pairs.models import CheckIn, Mentorship
from pairs.selectors import workspace_url
from pairs.workspace import Health, health_annotate, needing_attention, pair_health_counts
from programs.models import Participant, Program
from reports.activity import activity_store
from reports.models import ProgramSnapshot
from surveys.models import Answer, Question
from surveys.results import minimum_for, nps_score

# A snapshot older than this is stale; the nightly task runs every 24 hours.
SNAPSHOT_FRESH = dt.timedelta(hours=26)
WEEKS_SHOWN = 12
SURVEY_WEEKS_SHOWN = 26
AT_RISK_SHOWN = 25
# A proposed check-in nobody answered for this long counts as an unanswered request.
UNANSWERED_AFTER = dt.timedelta(days=2)

FUNNEL = (
    ("invited", _("Invited")),
    ("profile_complete", _("Profile complete")),
    ("matched", _("Matched")),
    ("first_checkin", _("First check-in held")),
    ("active", _("Active (met in the last three cycles)")),
)
FUNNEL_LABELS = dict(FUNNEL)


def program_zone(program: Program) -> zoneinfo.ZoneInfo:
    """The program's time zone: weeks start on its Mondays, whoever looks (a snapshot
    taken by a worker and a page seen from another zone count the same weeks)."""
    try:
        return zoneinfo.ZoneInfo(program.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _week_start(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.date:
    day = moment.astimezone(zone).date()
    return day - dt.timedelta(days=day.weekday())


def _in_pair(field: str = "") -> Q:
    return Q(**{f"{field}mentor": OuterRef("pk")}) | Q(**{f"{field}mentee": OuterRef("pk")})


def funnel_counts(*, program: Program, now: dt.datetime) -> dict[str, int]:
    """How many of the program's people reached each step: one query."""
    recent = now - dt.timedelta(days=3 * program.checkin_cadence_days)
    done = CheckIn.objects.filter(status=CheckIn.Status.DONE)
    row = (
        Participant.objects.filter(program=program)
        .annotate(
            is_matched=Exists(Mentorship.objects.filter(_in_pair())),
            has_met=Exists(done.filter(_in_pair("mentorship__"))),
            is_active=Exists(
                done.filter(
                    _in_pair("mentorship__"),
                    mentorship__state=Mentorship.State.ACTIVE,
                    scheduled_at__gte=recent,
                )
            ),
        )
        .aggregate(
            invited=Count("pk"),
            profile_complete=Count("pk", filter=Q(profile_completed_at__isnull=False)),
            matched=Count("pk", filter=Q(is_matched=True)),
            first_checkin=Count("pk", filter=Q(has_met=True)),
            active=Count("pk", filter=Q(is_active=True)),
        )
    )
    return {key: int(row[key]) for key, _label in FUNNEL}


def checkins_weekly(*, program: Program, now: dt.datetime) -> list[dict[str, Any]]:
    """Check-ins held per week over the last WEEKS_SHOWN weeks (oldest first), weeks in
    the program's time zone: one query."""
    zone = program_zone(program)
    first = _week_start(now, zone) - dt.timedelta(weeks=WEEKS_SHOWN - 1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    rows = (
        CheckIn.objects.filter(
            mentorship__program=program,
            status=CheckIn.Status.DONE,
            scheduled_at__gte=start,
            scheduled_at__lte=now,
        )
        .annotate(week=TruncWeek("scheduled_at", tzinfo=zone))
        .values("week")
        .annotate(n=Count("pk"))
    )
    by_week = {_as_date(row["week"], zone): row["n"] for row in rows}
    return [
        {
            "week_on": (week := first + dt.timedelta(weeks=i)).isoformat(),
            "held": by_week.get(week, 0),
        }
        for i in range(WEEKS_SHOWN)
    ]


def _as_date(value: Any, zone: zoneinfo.ZoneInfo) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(zone).date() if timezone.is_aware(value) else value.date()
    return value


def survey_weekly(*, program: Program, now: dt.datetime) -> list[dict[str, Any]]:
    """Average 1-5 rating and NPS of the program's surveys per week of answering,
    each hidden (None) when fewer than the minimum group answered: one query."""
    minimum = minimum_for(program)
    since = _week_start(now, program_zone(program)) - dt.timedelta(weeks=SURVEY_WEEKS_SHOWN - 1)
    rows = (
        Answer.objects.filter(
            response__survey__program=program,
            response__week_on__gte=since,
            question__kind__in=[Question.Kind.RATING, Question.Kind.NPS],
        )
        .values("response__week_on", "question__kind", "value")
        .annotate(n=Count("pk"))
    )
    ratings: dict[dt.date, list[int]] = defaultdict(list)
    nps: dict[dt.date, list[int]] = defaultdict(list)
    for row in rows:
        if not isinstance(row["value"], int) or isinstance(row["value"], bool):
            continue
        target = ratings if row["question__kind"] == Question.Kind.RATING else nps
        target[row["response__week_on"]].extend([row["value"]] * row["n"])
    weeks = sorted(set(ratings) | set(nps))
    result = []
    for week in weeks:
        r, p = ratings.get(week, []), nps.get(week, [])
        result.append(
            {
                "week_on": week.isoformat(),
                "rating_n": len(r) if len(r) >= minimum else None,
                "rating_avg": round(sum(r) / len(r), 2) if len(r) >= minimum else None,
                "nps_n": len(p) if len(p) >= minimum else None,
                "nps": nps_score(p) if len(p) >= minimum else None,
            }
        )
    return result


def dashboard_compute(*, program: Program, now: dt.datetime | None = None) -> dict[str, Any]:
    """Every number of the dashboard, as JSON-ready data."""
    now = now or timezone.now()
    goals = [
        {
            "metric": row.goal.metric,
            "target_value": str(row.goal.target_value),
            "target_on": row.goal.target_on.isoformat(),
            "n": row.measure.n,
            "enough": row.enough,
            "display": row.display,
            "progress_percent": row.progress_percent,
            "met": row.met,
        }
        for row in metrics.goal_progress_list(program=program, now=now)
    ]
    return {
        "computed_at": now.isoformat(),
        "funnel": funnel_counts(program=program, now=now),
        "health": pair_health_counts(program=program, now=now),
        "checkins_weekly": checkins_weekly(program=program, now=now),
        "survey_weekly": survey_weekly(program=program, now=now),
        "goals": goals,
    }


@dataclass(frozen=True)
class Dashboard:
    data: dict[str, Any]
    computed_at: dt.datetime
    from_snapshot: bool


def dashboard_get(*, program: Program, now: dt.datetime | None = None) -> Dashboard:
    """The latest snapshot when fresh, else the numbers computed now."""
    now = now or timezone.now()
    snapshot = (
        ProgramSnapshot.objects.filter(program=program, computed_at__gte=now - SNAPSHOT_FRESH)
        .order_by("-computed_at")
        .first()
    )
    if snapshot is not None:
        return Dashboard(snapshot.data, snapshot.computed_at, True)
    return Dashboard(dashboard_compute(program=program, now=now), now, False)


def snapshot_take(*, program: Program, now: dt.datetime | None = None) -> ProgramSnapshot:
    """Compute and store today's snapshot (replacing an earlier one of the same day),
    with the program's monthly activity rows for HR's dashboard."""
    now = now or timezone.now()
    data = dashboard_compute(program=program, now=now)
    with transaction.atomic():
        snapshot, _created = ProgramSnapshot.objects.update_or_create(
            program=program,
            taken_on=timezone.localdate(now),
            defaults={"computed_at": now, "data": data},
        )
        # HR's monthly activity rows of the program, fresh with the same snapshot.
        activity_store(program_id=program.pk, now=now)
    return snapshot


# ------------------------------------------------------------------------------
# At-risk worklist
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AtRisk:
    mentorship: Any  # a Mentorship annotated by health_annotate
    health: str
    days_since: int
    cadences_since: float
    missed: int
    ratings_falling: bool
    unanswered: int
    score: int

    @property
    def health_label(self) -> str:
        return str(Health.LABELS[self.health])


def _risk_score(
    cadences_since: float, missed: int, falling: bool, unanswered: int
) -> tuple[int, dict[str, int]]:
    parts = {
        # Nothing until a full cycle has passed, then 20 points per extra cycle (max 60).
        "days": round(min(60.0, max(0.0, cadences_since - 1) * 20)),
        "missed": min(45, 15 * missed),
        "falling": 15 if falling else 0,
        "unanswered": min(20, 10 * unanswered),
    }
    return sum(parts.values()), parts


def _pair_rating(offset: int) -> Subquery:
    rated = (
        CheckIn.objects.filter(mentorship=OuterRef("pk"), status=CheckIn.Status.DONE)
        .filter(Q(mentor_rating__isnull=False) | Q(mentee_rating__isnull=False))
        .annotate(
            r=(
                Cast(Coalesce("mentor_rating", "mentee_rating"), FloatField())
                + Cast(Coalesce("mentee_rating", "mentor_rating"), FloatField())
            )
            / 2
        )
        .order_by("-scheduled_at", "-pk")
        .values("r")[offset : offset + 1]
    )
    return Subquery(rated, output_field=FloatField())


def at_risk_list(
    *, program: Program, now: dt.datetime | None = None, limit: int = AT_RISK_SHOWN
) -> tuple[list[AtRisk], int]:
    """The active pairs that need attention (pairs.workspace.needing_attention: every
    pair whose health is not on track), highest score first, and how many there are.
    The score only orders them. One query whatever the number of pairs."""
    now = now or timezone.now()
    cadence = program.checkin_cadence_days
    recent = now - dt.timedelta(days=3 * cadence)
    pairs = (
        needing_attention(
            health_annotate(
                Mentorship.objects.filter(program=program, state=Mentorship.State.ACTIVE),
                cadence_days=cadence,
                now=now,
            )
        )
        .annotate(
            recent_missed=Count(
                "checkins",
                filter=Q(
                    checkins__status=CheckIn.Status.MISSED, checkins__scheduled_at__gte=recent
                ),
            ),
            unanswered=Count(
                "checkins",
                filter=Q(
                    checkins__status=CheckIn.Status.PROPOSED,
                    checkins__created_at__lte=now - UNANSWERED_AFTER,
                    checkins__scheduled_at__gte=now,
                ),
            ),
            last_rating=_pair_rating(0),
            previous_rating=_pair_rating(1),
            ref_at=F("_ref"),
        )
        .select_related("mentor", "mentor__user", "mentee", "mentee__user")
        .only(
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
    )
    rows = []
    for pair in pairs:
        since = now - pair.ref_at
        cadences = since.total_seconds() / (cadence * 86400)
        falling = (
            pair.last_rating is not None
            and pair.previous_rating is not None
            and pair.last_rating < pair.previous_rating
        )
        score, _parts = _risk_score(cadences, pair.recent_missed, falling, pair.unanswered)
        rows.append(
            AtRisk(
                mentorship=pair,
                health=pair.health,
                days_since=since.days,
                cadences_since=round(cadences, 1),
                missed=pair.recent_missed,
                ratings_falling=falling,
                unanswered=pair.unanswered,
                score=score,
            )
        )
    rows.sort(key=lambda row: (-row.score, -row.days_since, row.mentorship.pk))
    return rows[:limit], len(rows)


# ------------------------------------------------------------------------------
# The coordinator's one-click nudge
# ------------------------------------------------------------------------------

NUDGE_DELIVERY = "pair-nudge-coordinator"


@transaction.atomic
def pair_nudge_send(*, mentorship: Mentorship, now: dt.datetime | None = None) -> int:
    """Email both people of an active pair a "time to catch up" nudge, at most once a
    day per pair, whoever clicks. Returns how many emails went out (0: already
    nudged today, or both turned nudges off). Dates and counts only."""
    now = now or timezone.now()
    if mentorship.state != Mentorship.State.ACTIVE:
        return 0
    day = timezone.localdate(now).isoformat()
    if not Delivery.objects.claim(kind=NUDGE_DELIVERY, key=f"{mentorship.pk}:{day}"):
        return 0
    pair = (
        Mentorship.objects.select_related("program", "mentor__user", "mentee__user")
        .filter(pk=mentorship.pk)
        .get()
    )
    people = [(p, p.user) for p in (pair.mentor, pair.mentee) if p.user is not None]
    off = notification_disabled_pairs(user_ids=[user.pk for _p, user in people])
    sent = 0
    for person, user in people:
        if (user.pk, Kind.PAIR_NUDGES.value) in off:
            continue
        partner = pair.mentee if person.pk == pair.mentor_id else pair.mentor
        notification_send(
            to=user,
            preference_checked=True,
            kind=Kind.PAIR_NUDGES,
            template="pairs/pair_nudge",
            context={
                "kind": "overdue",
                "program": pair.program,
                "partner": partner.user or partner,
                "cadence": pair.program.checkin_cadence_days,
                "link": workspace_url(pair),
            },
        )
        sent += 1
    return sent
