"""The coordinator's list of a program's pairs by health, and its CSV export.

Coordinators of the program only (HR viewers, site admins and participants get 403,
anyone else 404). Both show names, health, dates and counts; never an agreement,
goal, topic, note or rating (pairs.workspace.pair_list selects none of them).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from mentoring.csv_export import csv_download
from mentoring.http import AuthenticatedHttpRequest, login_required
from pairs import workspace
from pairs.workspace import Health
from programs.access import Need, access_program
from programs.models import Program

PAIRS_PER_PAGE = 50


def _health(params: QueryDict) -> str:
    value = params.get("health", "")
    return value if value in Health.LABELS else ""


def _table_context(program: Program, params: QueryDict) -> dict[str, Any]:
    health = _health(params)
    now = timezone.now()
    page = Paginator(workspace.pair_list(program=program, health=health, now=now), PAIRS_PER_PAGE)
    query = params.copy()
    query.pop("page", None)
    list_url = reverse("pairs:pair_list", args=[program.pk])
    return {
        "program": program,
        "health": health,
        "health_choices": Health.CHOICES,
        "health_labels": Health.LABELS,
        "page": page.get_page(params.get("page")),
        "query": query,
        "list_url": list_url,
        "counts": workspace.pair_health_counts(program=program, now=now),
    }


@login_required
@require_safe
def pair_list(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    context = {**_table_context(access.program, request.GET), "access": access}
    if request.htmx:
        return render(request, "pairs/pair_list.html#table", context)
    return render(request, "pairs/pair_list.html", context)


@login_required
@require_safe
def pair_export(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    program = access.program
    pairs = workspace.pair_list(program=program, health=_health(request.GET))
    name = slugify(program.name) or "program"
    # Names and addresses leave the site: on the record, with the filter used.
    response, writer = csv_download(
        request,
        filename=f"{name}-pairs.csv",
        export="pairs",
        target=program,
        detail={"health": request.GET.get("health", "")[:20]},
    )
    writer.writerow(
        [
            "mentor",
            "mentor_email",
            "mentee",
            "mentee_email",
            "health",
            "matched_on",
            "last_met_on",
            "next_check_in_on",
            "met_count",
            "missed_count",
        ]
    )
    for pair in pairs.iterator(chunk_size=1000):
        writer.writerow(
            [
                _name(pair.mentor),
                pair.mentor.email,
                _name(pair.mentee),
                pair.mentee.email,
                pair.health,
                _day(pair.started_at),
                _day(pair.last_met_at),
                _day(pair.next_at),
                pair.met_count,
                pair.missed_count,
            ]
        )
    return response


def _name(participant: Any) -> str:
    user = participant.user
    return user.display_name if user is not None else participant.display_name


def _day(moment: Any) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""
