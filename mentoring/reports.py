"""Progress emails: weekly to each program's coordinators, monthly to HR viewers.

Beat starts each sweep on a schedule (settings.CELERY_BEAT_SCHEDULE); every email is
claimed with a unique mentoring.Delivery inside the transaction that sends it, keyed
by its period ("weekly:<program>:<ISO week>:<user>", "monthly:<YYYY-MM>:<user>"),
so running a sweep twice, or in two workers, sends each email once.

The weekly email carries the dashboard's key numbers (from the latest snapshot); the
monthly HR summary carries only suppressed cross-program aggregates
(mentoring.insights), never a name.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from mentoring import dashboards, insights
from mentoring.emails import absolute_url
from mentoring.models import Delivery, User
from mentoring.notifications import Kind, notification_disabled_pairs, notification_send
from programs.models import Program
from programs.workspace import Health

logger = logging.getLogger(__name__)

WEEKLY = "progress-weekly"
MONTHLY = "progress-monthly"
SENDING_STATES = (Program.State.ENROLLING, Program.State.MATCHING, Program.State.RUNNING)


def _send_once(*, kind: str, key: str, user: User, template: str, context: dict) -> bool:
    with transaction.atomic():
        if not Delivery.objects.claim(kind=kind, key=key):
            return False
        notification_send(
            to=user,
            kind=Kind.PROGRESS_REPORTS,
            template=template,
            context=context,
            preference_checked=True,  # the callers left out who turned it off
        )
    return True


def progress_weekly_send(*, now: dt.datetime | None = None) -> int:
    """The weekly progress email to each coordinator of each open program."""
    now = now or timezone.now()
    year, week, _day = timezone.localdate(now).isocalendar()
    programs = list(
        Program.objects.filter(state__in=SENDING_STATES).prefetch_related("coordinators")
    )
    coordinators = {u.pk for p in programs for u in p.coordinators.all()}
    off = notification_disabled_pairs(user_ids=coordinators)
    sent = 0
    for program in programs:
        people = [
            u
            for u in program.coordinators.all()
            if u.is_active and (u.pk, Kind.PROGRESS_REPORTS.value) not in off
        ]
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
            key = f"weekly:{program.pk}:{year}-W{week:02d}:{user.pk}"
            sent += _send_once(
                kind=WEEKLY,
                key=key,
                user=user,
                template="mentoring/progress_weekly",
                context=context,
            )
    return sent


def _previous_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def hr_monthly_send(*, now: dt.datetime | None = None) -> int:
    """The monthly summary of last month to every HR viewer: suppressed aggregates only."""
    now = now or timezone.now()
    start, end = _previous_month(timezone.localdate(now))
    filters = insights.with_minimum(insights.Filters(start=start, end=end))
    participation = insights.participation(filters)
    # Check-ins held last month, shown only when enough pairs met (a single busy pair
    # must not be the whole number): the dashboard's month row, suppressed alike.
    month = next(
        iter(insights.engagement(filters, insights.activity_for(filters, now=now)).months), None
    )
    pairs_met = month.pairs if month else 0
    held = month.held if month else 0
    hr = list(User.objects.filter(Q(is_hr_viewer=True), is_active=True))
    off = notification_disabled_pairs(user_ids=[u.pk for u in hr])
    context = {
        "month": start,
        "participation": participation,
        "checkins_held": held,
        "pairs_met": pairs_met,
        "link": absolute_url(reverse("insights_dashboard")),
    }
    sent = 0
    for user in hr:
        if (user.pk, Kind.PROGRESS_REPORTS.value) in off:
            continue
        key = f"monthly:{start:%Y-%m}:{user.pk}"
        sent += _send_once(
            kind=MONTHLY, key=key, user=user, template="mentoring/hr_monthly", context=context
        )
    return sent
