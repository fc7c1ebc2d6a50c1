"""The API access matrix: every endpoint with a token of each kind of person.

Program A is coordinated by "coordinator"; program B ("Bravo") by another coordinator.
A token acts as its owner: nothing outside the owner's rights is readable or
writable, a refused write leaves the database as it was, and nobody but B's
coordinator and HR ever reads anything of program B.

Tokens are for coordinators, HR viewers and site admins, so the mentor and the mentee
of program A are people who coordinate some other program too (their tokens work,
but give them nothing in A beyond what they see as participants); the outsider is a
coordinator of no program at all.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from integrations.api.outcomes import EXAMPLE_FILE
from integrations.models import ApiToken
from integrations.tokens import api_token_create, api_token_revoke
from mentoring.models import EmployeeRecord, OutcomeImport, User
from pairs.models import CheckIn, Mentorship
from programs.models import Participant, Program
from surveys.models import Survey
from tests.factories import user_create
from tests.factories.programs import participant_create, program_create
from tests.factories.surveys import survey_open
from tests.integrations.conftest import ALL_SCOPES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@dataclass(frozen=True)
class Endpoint:
    method: str
    # {A} program A, {P} a participant of A, {M} a mentorship of A, {S} a survey of A
    path: str
    scope: str
    body: dict[str, Any] | None = None
    upload: str = ""  # sent as the multipart "file" field instead of a JSON body

    @property
    def writes(self) -> bool:
        return self.method != "GET"

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ENDPOINTS = [
    Endpoint("GET", "/programs", "programs:read"),
    Endpoint("POST", "/programs", "programs:write", {"name": "New", "is_evergreen": True}),
    Endpoint("GET", "/programs/{A}", "programs:read"),
    Endpoint("GET", "/programs/{A}/participants", "participants:read"),
    Endpoint(
        "POST",
        "/programs/{A}/participants",
        "participants:write",
        {"email": "new@example.org", "role": "mentee"},
    ),
    Endpoint("GET", "/programs/{A}/participants/{P}", "participants:read"),
    Endpoint(
        "PATCH", "/programs/{A}/participants/{P}", "participants:write", {"department": "Legal"}
    ),
    Endpoint("POST", "/programs/{A}/participants/{P}/withdraw", "participants:write"),
    Endpoint("GET", "/programs/{A}/profiles", "profiles:read"),
    Endpoint("GET", "/programs/{A}/mentorships", "mentorships:read"),
    Endpoint("GET", "/programs/{A}/mentorships/{M}", "mentorships:read"),
    Endpoint("GET", "/programs/{A}/checkins", "checkins:read"),
    Endpoint("GET", "/programs/{A}/checkins/summary", "checkins:read"),
    Endpoint("GET", "/programs/{A}/checkins/by-mentorship", "checkins:read"),
    Endpoint("GET", "/programs/{A}/mentorships/{M}/checkins/summary", "checkins:read"),
    Endpoint("GET", "/programs/{A}/surveys", "surveys:read"),
    Endpoint("GET", "/programs/{A}/surveys/{S}/results", "surveys:read"),
    Endpoint("GET", "/surveys/overview", "surveys:read"),
    Endpoint("POST", "/outcomes/import", "outcomes:write", upload=EXAMPLE_FILE),
]
# The lists of program A and the rows each must hold (by the item's id key).
A_LISTS: dict[str, tuple[str, Any]] = {
    "/programs/{A}/participants": ("id", lambda a: Participant.objects.filter(program=a)),
    "/programs/{A}/profiles": (
        "participant_id",
        lambda a: Participant.objects.filter(program=a),
    ),
    "/programs/{A}/mentorships": ("id", lambda a: Mentorship.objects.filter(program=a)),
    "/programs/{A}/checkins": ("id", lambda a: CheckIn.objects.filter(mentorship__program=a)),
    "/programs/{A}/checkins/by-mentorship": (
        "mentorship_id",
        lambda a: Mentorship.objects.filter(program=a),
    ),
    "/programs/{A}/surveys": ("id", lambda a: Survey.objects.filter(program=a)),
}
# Site-wide endpoints for HR viewers only (as HR's own pages).
HR_ONLY = ("/surveys/overview", "/outcomes/import")

PERSONAS = [
    "coordinator_a",
    "coordinator_b",
    "hr",
    "mentor",
    "mentee",
    "outsider",
    "revoked",
    "missing_scope",
]


def expected_status(persona: str, endpoint: Endpoint) -> int:
    """What each persona gets: their rights in the web app, and no more."""
    path = endpoint.path
    in_program_a = "{A}" in path
    ok = (
        201
        if (
            endpoint.method == "POST"
            and path.endswith(("/programs", "/participants", "/outcomes/import"))
        )
        else 200
    )
    if persona == "revoked":
        return 401
    if persona == "missing_scope":
        return 403
    if path in HR_ONLY:
        return ok if persona == "hr" else 403
    if persona == "coordinator_a":
        return ok
    if persona in ("coordinator_b", "outsider"):
        # Program A does not exist for them; their own list and new programs are theirs.
        return 404 if in_program_a else ok
    if persona == "hr":
        if path in ("/programs", "/programs/{A}") and endpoint.method == "GET":
            return 200
        return 403
    if persona in ("mentor", "mentee"):
        # A participant of A who also coordinates elsewhere: sees A, manages nothing in it.
        if endpoint.method == "GET" and path in ("/programs", "/programs/{A}"):
            return 200
        if path == "/programs":
            return 201
        return 403
    raise AssertionError(persona)


@pytest.fixture
def world(coordinator: User, hr: User) -> dict[str, Any]:
    program_a = program_create(name="A", coordinators=[coordinator])
    other = user_create(is_coordinator=True)
    program_b = program_create(name="Program Bravo", coordinators=[other])
    mentee_member = user_create(is_coordinator=True)
    mentor_member = user_create(is_coordinator=True)
    participant_create(program=program_a, user=mentee_member, role=Participant.Role.MENTEE)
    participant_create(program=program_a, user=mentor_member, role=Participant.Role.MENTOR)
    mentor = participant_create(program=program_a, role=Participant.Role.MENTOR)
    mentee = participant_create(program=program_a, role=Participant.Role.MENTEE)
    pair = Mentorship.objects.create(
        program=program_a, mentor=mentor, mentee=mentee, started_at=dt.datetime.now(dt.UTC)
    )
    CheckIn.objects.create(
        mentorship=pair,
        status=CheckIn.Status.DONE,
        scheduled_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
        logged_at=dt.datetime.now(dt.UTC),
    )
    survey = survey_open(program_a, coordinator)
    # Program B has the same kinds of rows, so a leak would show.
    theirs = [
        participant_create(program=program_b, role=role, full_name=f"Bravo {role}")
        for role in (Participant.Role.MENTOR, Participant.Role.MENTEE)
    ]
    pair_b = Mentorship.objects.create(
        program=program_b, mentor=theirs[0], mentee=theirs[1], started_at=pair.started_at
    )
    CheckIn.objects.create(
        mentorship=pair_b, status=CheckIn.Status.SCHEDULED, scheduled_at=pair.started_at
    )
    survey_b = survey_open(program_b, other)
    survey_b.title = "Bravo survey"
    survey_b.save(update_fields=["title"])
    revoked, revoked_secret = api_token_create(owner=coordinator, name="old", scopes=ALL_SCOPES)
    api_token_revoke(token=revoked)
    return {
        "A": program_a,
        "B": program_b,
        "P": mentee,
        "M": pair,
        "S": survey,
        "owners": {
            "coordinator_a": coordinator,
            "coordinator_b": other,
            "hr": hr,
            "mentor": mentor_member,
            "mentee": mentee_member,
            "outsider": user_create(is_coordinator=True),
            "missing_scope": coordinator,
        },
        "revoked_secret": revoked_secret,
    }


def _secret(world: dict[str, Any], persona: str, endpoint: Endpoint) -> str:
    if persona == "revoked":
        return str(world["revoked_secret"])
    scopes = ALL_SCOPES
    if persona == "missing_scope":
        scopes = [s for s in ApiToken.Scope.values if s != endpoint.scope]
    _token, secret = api_token_create(owner=world["owners"][persona], name="t", scopes=scopes)
    return secret


def _snapshot() -> list[tuple[Any, ...]]:
    return [
        *Program.objects.order_by("pk").values_list("pk", "name", "state"),
        *Participant.objects.order_by("pk").values_list("pk", "status", "department", "email"),
        *Mentorship.objects.order_by("pk").values_list("pk", "state"),
        *CheckIn.objects.order_by("pk").values_list("pk", "status"),
        *Survey.objects.order_by("pk").values_list("pk", "state"),
        *EmployeeRecord.objects.order_by("pk").values_list("pk", "email"),
        *OutcomeImport.objects.order_by("pk").values_list("pk"),
    ]


def _call(client: Client, endpoint: Endpoint, path: str, headers: dict[str, str]) -> Any:
    if endpoint.method == "GET":
        return client.get(f"/api/v1{path}", headers=headers)
    if endpoint.upload:
        upload = SimpleUploadedFile("outcomes.csv", endpoint.upload.encode(), "text/csv")
        return client.post(f"/api/v1{path}", {"file": upload}, headers=headers)
    return client.generic(
        endpoint.method,
        f"/api/v1{path}",
        data=json.dumps(endpoint.body or {}),
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(client: Client, world: dict[str, Any], persona: str, endpoint: Endpoint):
    path = endpoint.path.format(A=world["A"].pk, P=world["P"].pk, M=world["M"].pk, S=world["S"].pk)
    headers = {"Authorization": f"Bearer {_secret(world, persona, endpoint)}"}
    before = _snapshot()
    response = _call(client, endpoint, path, headers)
    expected = expected_status(persona, endpoint)
    assert response.status_code == expected, (persona, str(endpoint), response.content[:300])
    assert isinstance(response.json(), dict)
    if expected >= 400:
        assert response.json()["detail"]
        if endpoint.writes:
            assert _snapshot() == before, "a refused request wrote something"
    if persona not in ("coordinator_b", "hr"):
        assert b"Bravo" not in response.content, "program B leaked"
    if endpoint.path == "/programs" and endpoint.method == "GET" and expected == 200:
        listed = {p["id"] for p in response.json()["items"]}
        sees_a = persona in ("coordinator_a", "hr", "mentor", "mentee")
        assert (world["A"].pk in listed) is sees_a
        assert (world["B"].pk in listed) is (persona in ("coordinator_b", "hr"))
    if expected == 200 and endpoint.path in A_LISTS:
        # Rows of A only: B's pair, check-in and survey never join A's lists.
        key, rows = A_LISTS[endpoint.path]
        assert {item[key] for item in response.json()["items"]} == set(
            rows(world["A"]).values_list("pk", flat=True)
        )


def test_the_matrix_covers_every_operation_in_the_openapi_document(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    operations = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, item in document["paths"].items()
        for method in item
    }
    covered = {
        (
            e.method,
            e.path.replace("{A}", "{program_id}")
            .replace("{P}", "{participant_id}")
            .replace("{M}", "{mentorship_id}")
            .replace("{S}", "{survey_id}"),
        )
        for e in ENDPOINTS
    }
    assert operations == covered
