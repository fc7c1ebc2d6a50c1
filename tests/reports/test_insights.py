"""HR's outcome import and the organisation dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentoring.models import EmployeeRecord, OutcomeImport, Promotion, User
from programs.models import Participant, Program
from reports import insights, outcomes
from tests.factories import user_create
from tests.factories.programs import participant_create, program_create

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def _csv(
    rows: list[str], header: str = "email,department,hired on,status,left on,promotions"
) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def test_a_clean_file_replaces_the_data_in_one_go(hr: User) -> None:
    checked = outcomes.outcomes_check(
        _csv(
            [
                "Ann@Example.org,Sales,2020-01-01,employed,,2025-03-01;2024-01-01",
                "bob@example.org,Sales,2019-05-01,left,2025-06-30,",
            ]
        )
    )
    assert checked.ok, checked.problems
    outcomes.outcomes_apply(checked=checked, file_name="hr.csv", by=hr)
    assert sorted(EmployeeRecord.objects.values_list("email", flat=True)) == [
        "ann@example.org",
        "bob@example.org",
    ]
    assert Promotion.objects.count() == 2
    # A second file replaces the first entirely.
    again = outcomes.outcomes_check(_csv(["carl@example.org,IT,,employed,,"]))
    outcomes.outcomes_apply(checked=again, file_name="hr2.csv", by=hr)
    assert list(EmployeeRecord.objects.values_list("email", flat=True)) == ["carl@example.org"]
    assert Promotion.objects.count() == 0
    assert OutcomeImport.objects.count() == 2


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("not-an-email,Sales,,employed,,", "email", "is not an email address"),
        (",Sales,,employed,,", "email", "email is missing"),
        ("a@example.org,Sales,,retired,,", "status", "Unknown status"),
        ("a@example.org,Sales,,left,,", "status", "needs the date they left"),
        ("a@example.org,Sales,,employed,2025-01-01,", "status", "cannot have a leaving date"),
        ("a@example.org,Sales,2025-02-30,employed,,", "hired on", "is not a date"),
        ("a@example.org,Sales,2025-05-01,left,2025-01-01,", "left on", "before the hiring date"),
        ("a@example.org,Sales,,employed,,soon", "promotions", "is not a date"),
        ("a@example.org," + "x" * 121 + ",,employed,,", "department", "longer than 120"),
    ],
)
def test_each_bad_row_is_named_by_row_and_column_and_nothing_changes(
    hr: User, row: str, column: str, message: str
) -> None:
    EmployeeRecord.objects.create(email="keep@example.org")
    checked = outcomes.outcomes_check(_csv(["ok@example.org,Sales,,employed,,", row]))
    assert not checked.ok
    assert checked.problems[0]["row"] == 3
    assert checked.problems[0]["column"] == column
    assert message in checked.problems[0]["message"]
    with pytest.raises(ValueError, match="clean"):
        outcomes.outcomes_apply(checked=checked, file_name="bad.csv", by=hr)
    assert list(EmployeeRecord.objects.values_list("email", flat=True)) == ["keep@example.org"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"PK\x03\x04rest", "spreadsheet workbook"),
        (b"name,role\nAnn,x\n", 'The "email" column is missing'),
        (b"email\n", "no employees"),
        ("email;department\nann@example.org;Ventes\n".encode("cp1252"), None),
        (b"\xef\xbb\xbfemail,department\nann@example.org,Sales\n", None),
        (b"email,department\nann@example.org,Sales\nann@example.org,Sales\n", "already on row 2"),
    ],
)
def test_file_level_problems_and_odd_encodings(data: bytes, message: str | None) -> None:
    checked = outcomes.outcomes_check(data)
    if message is None:
        assert checked.ok, checked.problems
    else:
        assert not checked.ok
        assert any(message in p["message"] for p in checked.problems), checked.problems


def test_wilson_interval_brackets_the_rate() -> None:
    low, high = insights.wilson(8, 10)
    assert 0.44 < low < 0.8 < high < 0.98
    assert insights.wilson(0, 10)[0] == 0.0
    assert insights.wilson(10, 10)[1] == pytest.approx(1.0)


def _employees(
    department: str, took_part: int, others: int, *, program: Program, left: int = 0
) -> None:
    """People employed all period; ``left`` of the others left in it."""
    for n in range(took_part):
        email = f"p{n}.{department}@example.org".lower()
        EmployeeRecord.objects.create(email=email, department=department)
        participant_create(
            program=program,
            user=user_create(email=email),
            role=Participant.Role.MENTEE,
            department=department,
            joined_at=timezone.now() - dt.timedelta(days=400),
        )
    for n in range(others):
        EmployeeRecord.objects.create(
            email=f"o{n}.{department}@example.org".lower(),
            department=department,
            left_on=dt.date(2025, 6, 1) if n < left else None,
        )


def test_outcomes_compare_groups_and_hide_small_ones_and_their_complements(
    coordinator: User,
) -> None:
    program = program_create(coordinators=[coordinator], state=Program.State.RUNNING)
    _employees("Sales", 9, 10, program=program, left=5)
    _employees("Legal", 2, 7, program=program)  # two participants: too few to show
    _employees("IT", 6, 12, program=program)
    result = insights.outcomes(insights.Filters(START, END))
    rows = {row.label: row for row in result.retention}
    assert rows["Sales"].participants.n == 9
    assert rows["Sales"].participants.percent == 100.0
    assert rows["Sales"].others.n == 10
    assert rows["Sales"].others.percent == 50.0
    assert rows["Legal"].participants.n is None
    # Legal's other cell or another participants' cell is hidden with it, so the
    # column total minus the shown cells never gives the two people back.
    participants_shown = [
        row.participants.n for label, row in rows.items() if label != "All departments"
    ]
    assert participants_shown.count(None) >= 2
    # The standardised rate reweights non-participants to the participants' mix of the
    # departments that are shown (here Sales alone), so no hidden cell leaks through it.
    assert rows["IT"].others.n is None
    assert result.retention_standardised is not None
    assert result.retention_standardised.n == 10
    assert result.retention_standardised.percent == 50.0


def _hr_view(client: Client, user: User, url: str) -> Any:
    client.force_login(user)
    return client.get(url)


def test_hr_sees_the_dashboard_and_others_do_not(
    client: Client, hr: User, staff: User, coordinator: User, user: User
) -> None:
    url = reverse("insights_dashboard")
    assert _hr_view(client, hr, url).status_code == 200
    assert _hr_view(client, staff, url).status_code == 200
    assert _hr_view(client, coordinator, url).status_code == 403
    assert _hr_view(client, user, url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    upload = reverse("outcome_import")
    assert _hr_view(client, hr, upload).status_code == 200
    client.force_login(coordinator)
    response = client.post(
        upload, {"file": SimpleUploadedFile("x.csv", _csv(["a@example.org,,,,,"]))}
    )
    assert response.status_code == 403
    assert not EmployeeRecord.objects.exists()


def test_upload_page_lists_problems_or_applies(client: Client, hr: User) -> None:
    client.force_login(hr)
    url = reverse("outcome_import")
    bad = client.post(url, {"file": SimpleUploadedFile("x.csv", _csv(["nope,,,,,"]))})
    assert bad.status_code == 200
    assert "is not an email address" in bad.content.decode()
    assert not EmployeeRecord.objects.exists()
    good = client.post(
        url, {"file": SimpleUploadedFile("x.csv", _csv(["a@example.org,Sales,,employed,,"]))}
    )
    assert good.status_code == 302
    assert EmployeeRecord.objects.count() == 1


def test_dashboard_filters_export_and_query_count(
    client: Client, hr: User, coordinator: User, django_assert_max_num_queries: Any
) -> None:
    program = program_create(coordinators=[coordinator], state=Program.State.RUNNING)
    _employees("Sales", 6, 10, program=program, left=5)
    client.force_login(hr)
    url = reverse("insights_dashboard")
    with django_assert_max_num_queries(30):  # + engagement, satisfaction, diversity
        page = client.get(url, {"start": "2025-01-01", "end": "2025-12-31"})
    assert page.status_code == 200
    assert "Non-participants, same department mix" in page.content.decode()
    partial = client.get(url, {"department": "Sales"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    export = client.get(url, {"start": "2025-01-01", "end": "2025-12-31", "export": "outcomes"})
    assert export["Content-Type"].startswith("text/csv")
    lines = export.content.decode().splitlines()
    assert lines[0].startswith("measure,department,group,people")
    assert any(line.startswith("retention,Sales,non-participants,10,50.0") for line in lines)
    bad = client.get(url, {"start": "2025-12-31", "end": "2025-01-01"})
    assert bad.status_code == 200
    assert "The end must be after the start." in bad.content.decode()


def test_every_hr_table_exports_as_csv_for_hr_only(
    client: Client, hr: User, staff: User, coordinator: User, user: User
) -> None:
    from reports.views.insights import EXPORTS

    program = program_create(coordinators=[coordinator], state=Program.State.RUNNING)
    _employees("Sales", 6, 10, program=program, left=5)
    url = reverse("insights_dashboard")
    headers = {
        "participation": "group,item,count",
        "outcomes": "measure,department,group,people,rate_percent,ci95_low,ci95_high",
        "engagement": "month,pairs_that_met,check_ins_held",
        "satisfaction": "measure,value,based_on,unit",
        "diversity": "breakdown,group,people",
    }
    assert set(EXPORTS) == set(headers)
    for table in EXPORTS:
        for viewer in (hr, staff):
            response = _hr_view(client, viewer, f"{url}?export={table}")
            assert response.status_code == 200, table
            assert response["Content-Type"].startswith("text/csv")
            assert f'filename="{table}-' in response["Content-Disposition"]
            assert response.content.decode().splitlines()[0] == headers[table]
        for outsider in (coordinator, user):
            assert _hr_view(client, outsider, f"{url}?export={table}").status_code == 403
        client.logout()
        assert client.get(f"{url}?export={table}").status_code == 302
    assert _hr_view(client, hr, f"{url}?export=names").status_code == 404


def test_the_period_is_whole_months(client: Client, hr: User) -> None:
    client.force_login(hr)
    url = reverse("insights_dashboard")
    page = client.get(url, {"start": "2025-03", "end": "2025-05"})
    filters = page.context["filters"]
    assert (filters.start, filters.end) == (dt.date(2025, 3, 1), dt.date(2025, 5, 31))
    # A full date counts as its month; a month still running ends today.
    page = client.get(url, {"start": "2025-03-15", "end": timezone.localdate().isoformat()})
    filters = page.context["filters"]
    assert (filters.start, filters.end) == (dt.date(2025, 3, 1), timezone.localdate())
    assert client.get(url, {"start": "2025-05", "end": "2025-05"}).context["form"].is_valid()
    bad = client.get(url, {"start": "March", "end": "2025-05"})
    assert "Enter a month, such as 2026-03." in bad.content.decode()


def test_filters_that_cannot_be_read_are_named_above_the_numbers(client: Client, hr: User) -> None:
    client.force_login(hr)
    url = reverse("insights_dashboard")
    # The partial htmx swaps in carries the reason too: the form itself is not swapped.
    partial = client.get(
        url, {"start": "2025-05", "end": "2025-03"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<form" not in partial
    assert "To (month): The end must be after the start." in partial
    # An empty form shows the twelve months it stands for.
    page = client.get(url).content.decode()
    last = timezone.localdate().replace(day=1)
    first = dt.date(last.year - 1, last.month, 1) + dt.timedelta(days=31)
    assert f'name="end" value="{last:%Y-%m}"' in page
    assert f'name="start" value="{first:%Y-%m}"' in page


def test_hr_reads_last_nights_counts_until_they_are_stale_or_a_new_file_comes(
    client: Client,
    hr: User,
    coordinator: User,
    django_capture_on_commit_callbacks: Any,
    eager_celery: None,
) -> None:
    from reports.models import InsightSnapshot
    from reports.tasks import snapshot_programs_task

    program = program_create(coordinators=[coordinator], state=Program.State.RUNNING)
    _employees("Sales", 6, 10, program=program, left=5)
    snapshot_programs_task.delay()  # the nightly run (tasks in this process)
    assert InsightSnapshot.objects.filter(program__isnull=True).exists()
    assert InsightSnapshot.objects.filter(program=program).exists()
    client.force_login(hr)
    url = reverse("insights_dashboard")

    def mentees() -> str:
        text = client.get(url, {"export": "participation"}).content.decode()
        return next(line for line in text.splitlines() if line.startswith("role,Mentee,"))

    assert mentees() == "role,Mentee,6"
    # Someone joins during the day: the dashboard shows last night's counts...
    participant_create(program=program, role=Participant.Role.MENTEE, department="Sales")
    assert mentees() == "role,Mentee,6"
    page = client.get(url).content.decode()
    assert "People, pairs and outcomes as of" in page
    # ... and counts again once they are a day old.
    with time_machine.travel(timezone.now() + dt.timedelta(hours=27)):
        client.force_login(hr)  # (HR's idle sessions end long before a day)
        assert mentees() == "role,Mentee,7"
    client.force_login(hr)
    # A new outcome file replaces them at once: counted live, then taken again.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("outcome_import"),
            {
                "file": SimpleUploadedFile(
                    "x.csv", _csv(["p0.sales@example.org,Sales,,left,2025-06-01,"])
                )
            },
        )
    assert response.status_code == 302
    assert mentees() == "role,Mentee,7"
    assert InsightSnapshot.objects.filter(program__isnull=True).exists()
