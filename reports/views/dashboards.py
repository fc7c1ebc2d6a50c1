"""The coordinator's dashboard of one program, its printable report, CSV exports,
"Refresh now" and the one-click nudge.

Coordinators of the program only: HR viewers and site admins (who see cross-program
aggregates on /insights/) and participants get 403, anyone else 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mentoring.csv_export import csv_download
from mentoring.http import AuthenticatedHttpRequest, login_required
from pairs.models import Mentorship
from pairs.workspace import Health
from programs.access import Need, access_program
from programs.models import Program, ProgramGoal
from reports import dashboards
from reports.charts import column_chart
from reports.tasks import snapshot_program_task

EXPORTS = ("funnel", "health", "checkins", "surveys", "goals", "at_risk")


def _context(program: Program, now: dt.datetime) -> dict[str, Any]:
    board = dashboards.dashboard_get(program=program, now=now)
    data = board.data
    funnel = data["funnel"]
    first = funnel.get("invited") or 0
    funnel_rows = [
        {
            "key": key,
            "label": label,
            "count": funnel.get(key, 0),
            "percent": round(100 * funnel.get(key, 0) / first) if first else None,
        }
        for key, label in dashboards.FUNNEL
    ]
    weekly = [
        {**row, "week": dt.date.fromisoformat(row["week_on"])} for row in data["checkins_weekly"]
    ]
    surveys = [
        {**row, "week": dt.date.fromisoformat(row["week_on"])} for row in data["survey_weekly"]
    ]
    metric_labels = dict(ProgramGoal.Metric.choices)
    goals = [
        {
            **goal,
            "label": metric_labels.get(goal["metric"], goal["metric"]),
            "target_on_date": dt.date.fromisoformat(goal["target_on"]),
            "is_percent": goal["metric"] in ProgramGoal.PERCENT_METRICS,
        }
        for goal in data["goals"]
    ]
    at_risk, at_risk_total = dashboards.at_risk_list(program=program, now=now)
    return {
        "program": program,
        "board": board,
        "funnel_rows": funnel_rows,
        "health_rows": [
            {"key": key, "label": label, "count": data["health"].get(key, 0)}
            for key, label in Health.CHOICES
        ],
        "weekly": weekly,
        "weekly_chart": column_chart(
            [(f"{row['week']:%d %b}", row["held"], str(row["held"])) for row in weekly]
        ),
        "weekly_total": sum(row["held"] for row in weekly),
        "surveys": surveys,
        "survey_chart": column_chart(
            [
                (
                    f"{row['week']:%d %b}",
                    row["rating_avg"],
                    "-" if row["rating_avg"] is None else f"{row['rating_avg']:.1f}",
                )
                for row in surveys
            ]
        ),
        "goals": goals,
        "at_risk": at_risk,
        "at_risk_total": at_risk_total,
        "exports": EXPORTS,
    }


@login_required
@require_safe
def program_dashboard(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    now = timezone.now()
    export = request.GET.get("export", "")
    if export:
        if export not in EXPORTS:
            raise Http404
        return _export(request, access.program, export, now)
    context = {**_context(access.program, now), "access": access}
    return render(request, "mentoring/program_dashboard.html", context)


@login_required
@require_safe
def program_report(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    context = {**_context(access.program, timezone.now()), "access": access, "printable": True}
    return render(request, "mentoring/program_report.html", context)


@login_required
@require_POST
def program_dashboard_refresh(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    program_pk = access.program.pk
    transaction.on_commit(lambda: snapshot_program_task.delay(program_pk))
    messages.success(request, _("The numbers are being recomputed; reload in a moment."))
    return redirect("program_dashboard", access.program.pk)


@login_required
@require_POST
def pair_nudge(
    request: AuthenticatedHttpRequest, program_id: int, mentorship_id: int
) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    mentorship = get_object_or_404(
        Mentorship, pk=mentorship_id, program=access.program, state=Mentorship.State.ACTIVE
    )
    sent = dashboards.pair_nudge_send(mentorship=mentorship)
    if sent:
        messages.success(request, _("Nudge sent to the pair."))
    else:
        messages.info(
            request,
            _("This pair was already nudged today (or turned nudges off); nothing was sent."),
        )
    return redirect("program_dashboard", access.program.pk)


def _export(request: HttpRequest, program: Program, table: str, now: dt.datetime) -> HttpResponse:
    """One table of the dashboard as shown (hidden survey cells stay empty)."""
    context = _context(program, now)
    name = slugify(program.name) or "program"
    response, writer = csv_download(
        request, filename=f"{name}-{table}.csv", export=f"dashboard_{table}", target=program
    )

    def blank(value: Any) -> Any:
        return "" if value is None else value

    if table == "funnel":
        writer.writerow(["step", "people", "percent_of_invited"])
        for row in context["funnel_rows"]:
            writer.writerow([row["key"], row["count"], blank(row["percent"])])
    elif table == "health":
        writer.writerow(["health", "pairs"])
        for row in context["health_rows"]:
            writer.writerow([row["key"], row["count"]])
    elif table == "checkins":
        writer.writerow(["week_starting", "check_ins_held"])
        for row in context["weekly"]:
            writer.writerow([row["week_on"], row["held"]])
    elif table == "surveys":
        writer.writerow(["week_starting", "rating_answers", "rating_average", "nps_answers", "nps"])
        for row in context["surveys"]:
            writer.writerow(
                [
                    row["week_on"],
                    blank(row["rating_n"]),
                    blank(row["rating_avg"]),
                    blank(row["nps_n"]),
                    blank(row["nps"]),
                ]
            )
    elif table == "goals":
        writer.writerow(["metric", "target", "by", "value", "percent_of_target", "based_on"])
        for goal in context["goals"]:
            writer.writerow(
                [
                    goal["metric"],
                    goal["target_value"],
                    goal["target_on"],
                    goal["display"] if goal["enough"] else "",
                    blank(goal["progress_percent"]),
                    goal["n"] if goal["enough"] else "",
                ]
            )
    else:
        writer.writerow(
            [
                "mentor",
                "mentee",
                "health",
                "score",
                "days_since_last_meeting",
                "missed_recently",
                "ratings_falling",
                "unanswered_proposals",
            ]
        )
        for row in context["at_risk"]:
            pair = row.mentorship
            writer.writerow(
                [
                    _name(pair.mentor),
                    _name(pair.mentee),
                    row.health,
                    row.score,
                    row.days_since,
                    row.missed,
                    "yes" if row.ratings_falling else "no",
                    row.unanswered,
                ]
            )
    return response


def _name(participant: Any) -> str:
    user = participant.user
    return user.display_name if user is not None else participant.display_name
