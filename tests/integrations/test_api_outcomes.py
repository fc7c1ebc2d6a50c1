"""HR's outcome import through the API: the same importer as the page, all or nothing,
every problem listed by row; HR viewers' tokens with outcomes:write only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from integrations.api.outcomes import EXAMPLE_FILE
from integrations.models import ApiToken
from mentoring.models import EmployeeRecord, OutcomeImport, Promotion
from tests.integrations.conftest import token_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/outcomes/import"


def _upload(client: Client, secret: str, content: bytes, name: str = "hr.csv"):
    return client.post(
        URL,
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
        headers={"Authorization": f"Bearer {secret}"},
    )


def _rows() -> list[tuple[str, str, dt.date | None]]:
    return list(
        EmployeeRecord.objects.order_by("email").values_list("email", "department", "left_on")
    )


def test_a_clean_file_replaces_the_outcome_data(client, hr):
    EmployeeRecord.objects.create(email="old@example.org")
    response = _upload(client, token_for(hr), EXAMPLE_FILE.encode(), name="march.csv")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["employees"], body["leavers"], body["promotions"]) == (2, 1, 1)
    assert body["file_name"] == "march.csv"
    assert _rows() == [
        ("ana@example.org", "Finance", None),
        ("ben@example.org", "Sales", dt.date(2026, 1, 31)),
    ]
    assert list(Promotion.objects.values_list("promoted_on", flat=True)) == [dt.date(2024, 4, 1)]
    record = OutcomeImport.objects.get()
    assert (record.pk, record.uploaded_by) == (body["id"], hr)


def test_a_file_with_problems_changes_nothing_and_lists_them_by_row(client, hr):
    EmployeeRecord.objects.create(email="kept@example.org", department="Legal")
    content = (
        b"email,department,status,left on\n"
        b"ana@example.org,Finance,employed,\n"
        b"not-an-email,Sales,employed,\n"
        b"ana@example.org,Finance,left,\n"
    )
    response = _upload(client, token_for(hr), content)
    assert response.status_code == 400
    body = response.json()
    assert "nothing was changed" in body["detail"]
    assert body["problem_count"] == 3
    problems = [(p["row"], p["column"], p["value"]) for p in body["problems"]]
    assert problems == [
        (3, "email", "not-an-email"),
        (4, "email", "ana@example.org"),
        (4, "status", "left"),
    ]
    assert all(p["message"] for p in body["problems"])
    assert _rows() == [("kept@example.org", "Legal", None)]
    assert not OutcomeImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"email\n", "no employees"),
        (b"\xff\xfe\x00garbage", ""),
        (b"name,salary\nana,1\n", "Unknown column"),
    ],
)
def test_unreadable_files_are_a_400_with_the_reason(client, hr, content, reason):
    response = _upload(client, token_for(hr), content)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["problems"][0]["message"]
    assert reason in " ".join(p["message"] for p in body["problems"])
    assert not EmployeeRecord.objects.exists()


def test_no_file_is_a_422_naming_the_field(client, hr):
    response = client.post(URL, {}, headers={"Authorization": f"Bearer {token_for(hr)}"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "file"


def test_only_hr_viewers_and_admins_import(client, coordinator, hr):
    refused = _upload(client, token_for(coordinator), EXAMPLE_FILE.encode())
    assert refused.status_code == 403
    assert not EmployeeRecord.objects.exists()
    hr.is_staff = True
    hr.is_hr_viewer = False
    hr.save(update_fields=["is_staff", "is_hr_viewer"])
    assert _upload(client, token_for(hr), EXAMPLE_FILE.encode()).status_code == 201


def test_the_import_needs_the_outcomes_write_scope(client, hr):
    reader = token_for(hr, [s for s in ApiToken.Scope.values if s != "outcomes:write"])
    response = _upload(client, reader, EXAMPLE_FILE.encode())
    assert response.status_code == 403
    assert "outcomes:write" in response.json()["detail"]
    assert not EmployeeRecord.objects.exists()
