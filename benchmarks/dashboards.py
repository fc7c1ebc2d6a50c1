"""Benchmark: every dashboard page, its exports and the nightly snapshot on the large seed.

Runs on the configured database (DATABASE_URL; SQLite when unset) inside a throwaway
database it creates and destroys, never the real one. Seeds it with
``seed_demo --size large`` (50 programs, 20,000 participants, 200,000 check-ins,
100,000 survey answers, HR's outcome file for everyone; timed), takes the nightly
snapshots of every program and HR's counts (timed, serially in this process, as one
worker would), then requests each page through Django's test client in this process:
a few warm-up requests, then ``--requests`` timed ones each. The time is the server's:
from the request entering the middleware to the full response body. Prints one JSON
object per line:

    {"benchmark": "seed", "seconds": 55.1, "programs": 52, ...}
    {"benchmark": "snapshot", "programs": 52, "seconds": 6.2, ...}
    {"benchmark": "dashboards", "page": "coordinator_dashboard", "queries": 6,
     "p50_ms": 41.0, "p95_ms": 48.2, "status": 200, ...}

    DATABASE_URL=postgresql:///mentoring_bench .venv/bin/python benchmarks/dashboards.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings.test")

TARGET_P95_MS = 150
TARGET_SNAPSHOT_SECONDS = 60


def _percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p95 of 40 requests: the 38th fastest)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def seed(scale: float) -> dict[str, Any]:
    from django.core.management import call_command

    from mentoring.models import EmployeeRecord
    from pairs.models import CheckIn
    from programs.models import Participant, Program
    from surveys.models import Answer

    started = time.perf_counter()
    call_command("seed_demo", size="large", scale=scale, stdout=io.StringIO())
    seconds = time.perf_counter() - started
    return {
        "benchmark": "seed",
        "command": "seed_demo --size large",
        "seconds": round(seconds, 1),
        "programs": Program.objects.count(),
        "participants": Participant.objects.count(),
        "checkins": CheckIn.objects.count(),
        "answers": Answer.objects.count(),
        "employee_records": EmployeeRecord.objects.count(),
    }


def snapshot_all() -> dict[str, Any]:
    """The nightly run, serially: every program's snapshot, then HR's counts."""
    from programs.models import Program
    from reports.dashboards import snapshot_take
    from reports.insights import insight_snapshots_take

    programs = list(Program.objects.exclude(state=Program.State.DRAFT).order_by("pk"))
    slowest = 0.0
    started = time.perf_counter()
    for program in programs:
        one = time.perf_counter()
        snapshot_take(program=program)
        slowest = max(slowest, time.perf_counter() - one)
    programs_done = time.perf_counter()
    scopes = insight_snapshots_take()
    seconds = time.perf_counter() - started
    return {
        "benchmark": "snapshot",
        "programs": len(programs),
        "seconds": round(seconds, 2),
        "program_snapshots_seconds": round(programs_done - started, 2),
        "slowest_program_seconds": round(slowest, 3),
        "hr_snapshot_seconds": round(time.perf_counter() - programs_done, 2),
        "hr_scopes": scopes,
        "target_seconds": TARGET_SNAPSHOT_SECONDS,
    }


def measure(
    client: Any, page: str, url: str, *, requests: int, warmup: int, headers: dict | None = None
) -> dict[str, Any]:
    from django.db import connection

    executed = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal executed
        executed += 1
        return execute(sql, params, many, context)

    for _ in range(warmup):
        client.get(url, headers=headers or {})
    timings = []
    status = 0
    size = 0
    queries = 0
    for i in range(requests):
        executed = 0
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            response = client.get(url, headers=headers or {})
            # Streaming or not, the body is complete here: the test client reads it.
            body = response.content
            timings.append(1000 * (time.perf_counter() - started))
        if i == 0:
            queries, status, size = executed, response.status_code, len(body)
    p95 = _percentile(timings, 0.95)
    return {
        "benchmark": "dashboards",
        "page": page,
        "url": url,
        "status": status,
        "queries": queries,
        "requests": requests,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(max(timings), 1),
        "bytes": size,
        "target_p95_ms": TARGET_P95_MS,
        "within_target": p95 < TARGET_P95_MS,
    }


def pages(program: Any) -> list[tuple[str, str, str, dict[str, str] | None]]:
    """(persona, page name, url, headers) of every dashboard page and export."""
    from django.urls import reverse

    from programs.models import Participant
    from reports.views import dashboards as views_dashboards
    from reports.views import insights as views_insights

    dashboard = reverse("program_dashboard", args=[program.pk])
    result: list[tuple[str, str, str, dict[str, str] | None]] = [
        # Not a dashboard: a small signed-in page (middleware, session, base template,
        # two queries of its own), to show what the machine's load adds to everything.
        ("hr", "baseline_notification_settings", reverse("notification_preferences"), None),
        ("coordinator", "coordinator_dashboard", dashboard, None),
        ("coordinator", "coordinator_report", reverse("program_report", args=[program.pk]), None),
        (
            "coordinator",
            "coordinator_goals",
            reverse("programs:goal_list", args=[program.pk]),
            None,
        ),
    ]
    for table in views_dashboards.EXPORTS:
        result.append(
            ("coordinator", f"coordinator_csv_{table}", f"{dashboard}?export={table}", None)
        )
    insights = reverse("insights_dashboard")
    department = (
        Participant.objects.exclude(department="").values_list("department", flat=True).first()
    )
    # The last three months (HR's periods are whole months).
    from django.utils import timezone

    today = timezone.localdate()
    first = today.replace(day=1) - dt.timedelta(days=62)
    period = f"start={first:%Y-%m}&end={today:%Y-%m}"
    result += [
        ("hr", "hr_dashboard", insights, None),
        ("hr", "hr_dashboard_program", f"{insights}?program={program.pk}", None),
        ("hr", "hr_dashboard_department", f"{insights}?department={department}", None),
        ("hr", "hr_dashboard_period", f"{insights}?{period}", None),
        (
            "hr",
            "hr_dashboard_htmx_filters",
            f"{insights}?program={program.pk}&department={department}&{period}",
            {"HX-Request": "true"},
        ),
    ]
    for table in views_insights.EXPORTS:
        result.append(("hr", f"hr_csv_{table}", f"{insights}?export={table}", None))
    return result


def run(*, scale: float, requests: int, warmup: int) -> None:
    from django.db import connection
    from django.test import Client

    from mentoring.models import User
    from reports.models import InsightSnapshot, ProgramSnapshot

    print(json.dumps({**seed(scale), "database": connection.vendor}), flush=True)
    print(json.dumps(snapshot_all()), flush=True)

    from programs.models import Program

    # A program of the large seed (the small demo's programs are tiny).
    program = Program.objects.filter(name__startswith="Demo program 01").order_by("pk").first()
    if program is None:
        raise SystemExit("the large seed made no programs")
    listed = pages(program)
    coordinator = program.coordinators.order_by("pk").first()
    hr = User.objects.filter(is_hr_viewer=True, is_active=True).order_by("pk").first()
    if coordinator is None or hr is None:
        raise SystemExit("the seed made no coordinator or HR viewer")
    clients = {"coordinator": Client(), "hr": Client()}
    clients["coordinator"].force_login(coordinator)
    clients["hr"].force_login(hr)
    urls = {page: url for _persona, page, url, _headers in listed}
    for persona, page, url, headers in listed:
        row = measure(
            clients[persona], page, url, requests=requests, warmup=warmup, headers=headers
        )
        print(json.dumps(row), flush=True)
    # Without a fresh snapshot (a program's first day, or a nightly run that failed)
    # the numbers are counted live: the fallback's cost, not the usual page.
    ProgramSnapshot.objects.filter(program=program).delete()
    row = measure(
        clients["coordinator"],
        "coordinator_dashboard_live",
        urls["coordinator_dashboard"],
        requests=requests,
        warmup=warmup,
    )
    print(json.dumps(row), flush=True)
    ProgramSnapshot.objects.all().delete()
    InsightSnapshot.objects.all().delete()
    row = measure(
        clients["hr"], "hr_dashboard_live", urls["hr_dashboard"], requests=requests, warmup=warmup
    )
    print(json.dumps(row), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the large seed")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    args = parser.parse_args()

    import logging

    import django

    django.setup()
    from benchmarks.support.database import throwaway_database

    # The seed's eager tasks log a line each; the benchmark prints only its JSON.
    logging.getLogger("celery").setLevel(logging.WARNING)
    from django.conf import settings
    from django.core import mail

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.CELERY_TASK_ALWAYS_EAGER = True
    mail.outbox = []
    with throwaway_database("dashboards"):
        run(scale=args.scale, requests=args.requests, warmup=args.warmup)


if __name__ == "__main__":
    main()
