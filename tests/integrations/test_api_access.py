"""The API access matrix: every endpoint with a token of each kind of person.

Program A is coordinated by "coordinator"; program B by "other_coordinator". A token
acts as its owner: nothing outside the owner's rights is readable or writable, and
a refused write leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from integrations.models import ApiToken
from integrations.tokens import api_token_create, api_token_revoke
from mentoring.models import User
from programs.models import Mentorship, Participant, Program
from tests.factories import user_create
from tests.factories.programs import participant_create, program_create
from tests.integrations.conftest import ALL_SCOPES

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {A} program A, {P} a participant of A, {M} a mentorship of A
    scope: str
    body: dict[str, Any] | None = None

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
]

PERSONAS = [
    "coordinator_a",
    "coordinator_b",
    "hr",
    "participant",
    "revoked",
    "missing_scope",
]


def expected_status(persona: str, endpoint: Endpoint) -> int:
    """What each persona gets: their rights in the web app, and no more."""
    path = endpoint.path
    in_program_a = "{A}" in path
    ok = (
        201
        if (endpoint.method == "POST" and path.endswith(("/programs", "/participants")))
        else 200
    )
    if persona == "revoked":
        return 401
    if persona == "missing_scope":
        return 403
    if persona == "coordinator_a":
        return ok
    if persona == "coordinator_b":
        # Program A does not exist for them; their own list and new programs are theirs.
        return 404 if in_program_a else ok
    if persona == "hr":
        if path in ("/programs", "/programs/{A}") and endpoint.method == "GET":
            return 200
        return 403
    if persona == "participant":
        # A mentee of A who also coordinates elsewhere: sees A, manages nothing in it.
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
    program_b = program_create(name="B", coordinators=[other])
    member = user_create(is_coordinator=True)
    participant_create(program=program_a, user=member, role=Participant.Role.MENTEE)
    mentor = participant_create(program=program_a, role=Participant.Role.MENTOR)
    mentee = participant_create(program=program_a, role=Participant.Role.MENTEE)
    pair = Mentorship.objects.create(
        program=program_a, mentor=mentor, mentee=mentee, started_at=dt.datetime.now(dt.UTC)
    )
    participant_create(program=program_b)
    revoked, revoked_secret = api_token_create(owner=coordinator, name="old", scopes=ALL_SCOPES)
    api_token_revoke(token=revoked)
    return {
        "A": program_a,
        "B": program_b,
        "P": mentee,
        "M": pair,
        "owners": {
            "coordinator_a": coordinator,
            "coordinator_b": other,
            "hr": hr,
            "participant": member,
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
    ]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(client: Client, world: dict[str, Any], persona: str, endpoint: Endpoint):
    path = endpoint.path.format(A=world["A"].pk, P=world["P"].pk, M=world["M"].pk)
    headers = {"Authorization": f"Bearer {_secret(world, persona, endpoint)}"}
    before = _snapshot()
    if endpoint.method == "GET":
        response = client.get(f"/api/v1{path}", headers=headers)
    else:
        response = client.generic(
            endpoint.method,
            f"/api/v1{path}",
            data=json.dumps(endpoint.body or {}),
            content_type="application/json",
            headers=headers,
        )
    expected = expected_status(persona, endpoint)
    assert response.status_code == expected, (persona, str(endpoint), response.content[:300])
    assert isinstance(response.json(), dict)
    if expected >= 400:
        assert response.json()["detail"]
        if endpoint.writes:
            assert _snapshot() == before, "a refused request wrote something"
    if endpoint.path == "/programs" and endpoint.method == "GET" and expected == 200:
        listed = {p["id"] for p in response.json()["items"]}
        sees_a = persona in ("coordinator_a", "hr", "participant")
        assert (world["A"].pk in listed) is sees_a
        assert (world["B"].pk in listed) is (persona in ("coordinator_b", "hr"))


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
            .replace("{M}", "{mentorship_id}"),
        )
        for e in ENDPOINTS
    }
    assert operations == covered
