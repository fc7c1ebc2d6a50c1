"""Progress emails: weekly to each program's coordinators, monthly to HR viewers.

Beat runs both sweeps every hour (settings.CELERY_BEAT_SCHEDULE); each sends only
once its period's email is due (Monday, or the 1st, at REPORT_EMAIL_HOUR in the
server's time zone) and is not yet sent, so a lost run (a worker down on Monday
morning, a broker that dropped the task) is caught up by the next hour's, never
skipped. Every email is claimed with a unique mentoring.Delivery inside the
transaction that sends it, keyed by its period ("weekly:<program>:<ISO week>:<user>",
"monthly:<YYYY-MM>:<user>"), so running a sweep twice, or in two workers, sends each
email once; a period whose emails all went costs one query, nothing is computed.

The weekly email carries the dashboard's key numbers (from the latest snapshot); the
monthly HR summary carries only suppressed cross-program aggregates
(reports.insights), never a name.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from mentoring.emails import absolute_url
from mentoring.models import Delivery, User
from mentoring.notifications import (
    Kind,
    QuietHours,
    notification_disabled_pairs,
    notification_send,
)
from pairs.workspace import Health
from programs.models import Program
from reports import dashboards, insights

logger = logging.getLogger(__name__)

WEEKLY = "progress-weekly"
MONTHLY = "progress-monthly"
SENDING_STATES = (Program.State.ENROLLING, Program.State.MATCHING, Program.State.RUNNING)


def _send_once(
    *, kind: str, key: str, user: User, template: str, context: dict, now: dt.datetime
) -> bool:
    """One report email, once per key; in the person's night it waits for the next
    hourly run (the key stays free)."""
    try:
        return notification_send(
            to=user,
            kind=Kind.PROGRESS_REPORTS,
            template=template,
            context=context,
            preference_checked=True,  # the callers left out who turned it off
            once=(kind, key),
            wait_out_quiet_hours=True,
            now=now,
        )
    except QuietHours:
        return False


def _due_since(day: dt.date) -> dt.datetime:
    """REPORT_EMAIL_HOUR on that day, in the server's time zone."""
    at = dt.datetime.combine(day, dt.time(settings.REPORT_EMAIL_HOUR))
    return timezone.make_aware(at, timezone.get_default_timezone())


def _sent_keys(kind: str, keys: Iterable[str]) -> set[str]:
    return set(Delivery.objects.filter(kind=kind, key__in=list(keys)).values_list("key", flat=True))


def progress_weekly_send(*, now: dt.datetime | None = None) -> int:
    """The weekly progress email to each coordinator of each open program, once a
    week from Monday's REPORT_EMAIL_HOUR (later in the week if that run was lost)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if now < _due_since(today - dt.timedelta(days=today.weekday())):
        return 0  # Monday before the hour: this week's is not due, last week's went
    year, week, _day = today.isocalendar()
    programs = list(
        Program.objects.filter(state__in=SENDING_STATES).prefetch_related("coordinators")
    )
    coordinators = {u.pk for p in programs for u in p.coordinators.all()}
    off = notification_disabled_pairs(user_ids=coordinators)

    def key(program: Program, user: User) -> str:
        return f"weekly:{program.pk}:{year}-W{week:02d}:{user.pk}"

    # Who is still owed this week's email, for every program at once: one query.
    owed = {
        program.pk: [
            u
            for u in program.coordinators.all()
            if u.is_active and (u.pk, Kind.PROGRESS_REPORTS.value) not in off
        ]
        for program in programs
    }
    sent_before = _sent_keys(WEEKLY, (key(p, u) for p in programs for u in owed[p.pk]))
    sent = 0
    for program in programs:
        people = [u for u in owed[program.pk] if key(program, u) not in sent_before]
        if not people:
            continue
        board = dashboards.dashboard_get(program=program, now=now)
        data = board.data
        weeks = data["checkins_weekly"]
        context = {
            "program": program,
            "week": f"{year}-W{week:02d}",
            "funnel": [
                {"label": label, "count": data["funnel"].get(key, 0)}
                for key, label in dashboards.FUNNEL
            ],
            "health": [
                {"label": label, "count": data["health"].get(key, 0)}
                for key, label in Health.CHOICES
            ],
            # The last full week (the current one has only begun on a Monday morning).
            "held_last_week": weeks[-2]["held"] if len(weeks) > 1 else 0,
            "held_12_weeks": sum(w["held"] for w in weeks),
            "goals_met": sum(1 for g in data["goals"] if g["met"]),
            "goals_total": len(data["goals"]),
            "link": absolute_url(reverse("program_dashboard", args=[program.pk])),
        }
        for user in people:
            sent += _send_once(
                kind=WEEKLY,
                key=key(program, user),
                user=user,
                template="mentoring/progress_weekly",
                context=context,
                now=now,
            )
    return sent


def _previous_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def hr_monthly_send(*, now: dt.datetime | None = None) -> int:
    """The monthly summary of last month to every HR viewer: suppressed aggregates
    only; once a month from the 1st's REPORT_EMAIL_HOUR (later if that run was lost)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if now < _due_since(today.replace(day=1)):
        return 0
    start, end = _previous_month(today)
    hr = list(User.objects.filter(Q(is_hr_viewer=True), is_active=True))
    off = notification_disabled_pairs(user_ids=[u.pk for u in hr])
    key_of = {u.pk: f"monthly:{start:%Y-%m}:{u.pk}" for u in hr}
    sent_before = _sent_keys(MONTHLY, key_of.values())
    hr = [
        u
        for u in hr
        if (u.pk, Kind.PROGRESS_REPORTS.value) not in off and key_of[u.pk] not in sent_before
    ]
    if not hr:
        return 0
    filters = insights.with_minimum(insights.Filters(start=start, end=end))
    participation = insights.participation(filters)
    # Check-ins held last month, shown only when enough pairs met (a single busy pair
    # must not be the whole number): the dashboard's month row, suppressed alike.
    month = next(
        iter(insights.engagement(filters, insights.activity_for(filters, now=now)).months), None
    )
    pairs_met = month.pairs if month else 0
    held = month.held if month else 0
    context = {
        "month": start,
        "participation": participation,
        "checkins_held": held,
        "pairs_met": pairs_met,
        "link": absolute_url(reverse("insights_dashboard")),
    }
    sent = 0
    for user in hr:
        sent += _send_once(
            kind=MONTHLY,
            key=key_of[user.pk],
            user=user,
            template="mentoring/hr_monthly",
            context=context,
            now=now,
        )
    return sent
