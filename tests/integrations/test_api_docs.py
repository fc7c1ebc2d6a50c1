"""docs/api.md stays true: every operation is in its table, and each example response
has exactly the fields a real response of that operation has."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from integrations.api.outcomes import EXAMPLE_FILE
from mentoring.models import User
from pairs.checkins.services import checkin_log_past
from pairs.models import CheckIn
from programs.models import Participant, Program
from surveys.models import Invitation
from tests.conftest import ROOT
from tests.factories.programs import mentee_of, mentorship_make, participant_create
from tests.factories.surveys import answer_all, people, survey_open
from tests.integrations.conftest import same_shape, shape, token_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

DOC = (ROOT / "docs" / "api.md").read_text()
# How the table abbreviates path parameters.
SHORT = {"program_id": "id", "participant_id": "pid", "mentorship_id": "mid", "survey_id": "sid"}


def documented_examples() -> dict[str, Any]:
    found = {
        match.group(1).strip(): json.loads(match.group(2))
        for match in re.finditer(r"<!-- api-example: (.+?) -->\s*```json\n(.*?)```", DOC, re.DOTALL)
    }
    assert len(found) >= 7, "docs/api.md lost its examples"
    return found


def test_every_operation_is_in_the_endpoint_table(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    for path, item in document["paths"].items():
        short = path.removeprefix("/api/v1")
        for name, abbreviation in SHORT.items():
            short = short.replace("{" + name + "}", "{" + abbreviation + "}")
        for method in item:
            assert re.search(rf"`{method.upper()} {re.escape(short)}[`?]", DOC), (method, short)


def test_each_example_response_has_the_fields_of_a_real_one(
    client: Client, coordinator: User, hr: User, program: Program
) -> None:
    pair = mentorship_make(program=program, started_at=timezone.now() - dt.timedelta(days=9))
    checkin_log_past(
        mentorship=pair,
        by=mentee_of(pair),
        held_at=timezone.now() - dt.timedelta(days=1),
        outcome="done",
    )
    CheckIn.objects.create(
        mentorship=pair,
        status=CheckIn.Status.SCHEDULED,
        scheduled_at=timezone.now() + dt.timedelta(days=3),
    )
    people(program, Participant.Role.MENTEE, 6)
    participant_create(program=program, role=Participant.Role.MENTOR)
    survey = survey_open(program, coordinator)
    answer_all(survey, list(Invitation.objects.filter(survey=survey)), text="Useful")
    coordinator_headers = {"Authorization": f"Bearer {token_for(coordinator)}"}
    hr_headers = {"Authorization": f"Bearer {token_for(hr)}"}
    ids = {"program_id": program.pk, "mentorship_id": pair.pk, "survey_id": survey.pk}

    def real(name: str) -> Any:
        method, path, *status = name.split()
        url = "/api/v1" + path.format(**ids)
        headers = hr_headers if path in ("/surveys/overview", "/outcomes/import") else None
        headers = headers or coordinator_headers
        if method == "GET":
            response = client.get(url, headers=headers)
        else:
            content = EXAMPLE_FILE if status == ["201"] else "email\nnot-an-address\n"
            upload = SimpleUploadedFile("outcomes.csv", content.encode(), "text/csv")
            response = client.post(url, {"file": upload}, headers=headers)
        assert response.status_code == int(status[0] if status else 200), response.content
        return response.json()

    for name, example in documented_examples().items():
        got = real(name)
        assert same_shape(shape(example), shape(got)), (name, shape(example), shape(got))
