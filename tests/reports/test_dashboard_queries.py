"""Every dashboard page and export costs the same number of queries for a small
organisation and a large one: counted live and read from snapshots alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.models import User
from pairs.models import CheckIn, Mentorship
from programs.models import Participant, Program
from reports import dashboards, insights
from reports.views import dashboards as views_dashboards
from reports.views import insights as views_insights
from tests.factories.dashboards import dashboard_world

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 9, 16, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _queries(client: Client, url: str, **headers: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def _coordinator_urls(program: Program) -> dict[str, str]:
    url = reverse("program_dashboard", args=[program.pk])
    return {
        "dashboard": url,
        "report": reverse("program_report", args=[program.pk]),
        **{f"{table}.csv": f"{url}?export={table}" for table in views_dashboards.EXPORTS},
    }


HR_VIEWS = {
    "dashboard": ({}, ""),
    "htmx filters": ({"HX_Request": "true"}, "department=Sales&start=2026-03&end=2026-08"),
    **{f"{table}.csv": ({}, f"export={table}") for table in views_insights.EXPORTS},
}


def _hr_counts(client: Client, program: Program) -> dict[str, int]:
    url = reverse("insights_dashboard")
    counts = {
        name: _queries(client, f"{url}?{query}", **headers)
        for name, (headers, query) in HR_VIEWS.items()
    }
    counts["program filter"] = _queries(client, f"{url}?program={program.pk}")
    return counts


@pytest.mark.parametrize("snapshot", [False, True], ids=["live", "snapshot"])
def test_dashboards_cost_the_same_queries_for_small_and_large_data(
    client: Client, coordinator: User, hr: User, snapshot: bool
) -> None:
    small = dashboard_world(seed=1, now=NOW, coordinator=coordinator, programs=1, people=6)
    if snapshot:
        dashboards.snapshot_take(program=small.programs[0], now=NOW)
        insights.insight_snapshots_take(now=NOW)
    client.force_login(coordinator)
    small_program = {
        name: _queries(client, url) for name, url in _coordinator_urls(small.programs[0]).items()
    }
    client.force_login(hr)
    small_hr = _hr_counts(client, small.programs[0])

    large = dashboard_world(seed=2, now=NOW, coordinator=coordinator, programs=3, people=60)
    if snapshot:
        for program in large.programs:
            dashboards.snapshot_take(program=program, now=NOW)
        insights.insight_snapshots_take(now=NOW)
    big = max(large.programs, key=lambda p: Mentorship.objects.filter(program=p).count())
    # Ten times the pairs and check-ins, three times the programs.
    assert Mentorship.objects.filter(program=big).count() >= 5 * max(
        1, Mentorship.objects.filter(program=small.programs[0]).count()
    )
    assert CheckIn.objects.filter(mentorship__program=big).count() > 100
    assert Participant.objects.count() > 150
    client.force_login(coordinator)
    large_program = {name: _queries(client, url) for name, url in _coordinator_urls(big).items()}
    client.force_login(hr)
    large_hr = _hr_counts(client, big)

    assert large_program == small_program
    assert large_hr == small_hr
