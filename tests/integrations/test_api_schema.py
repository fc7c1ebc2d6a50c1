"""A property-based run over the OpenAPI document (schemathesis): every operation,
with generated valid and invalid input, answers without a 500 and as documented.

Requests go through Django's WSGI handler in this thread, so they see this test's
database transaction; the examples per operation are few enough for well under a
minute in all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mentoring.models import User
from pairs.models import CheckIn, Mentorship
from programs.models import Participant, Program
from surveys import services as survey_services
from surveys.models import Invitation
from tests.factories.programs import participant_create
from tests.factories.surveys import answer_all, survey_open
from tests.integrations.conftest import token_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 12


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    # Django closes "old" connections around each request; inside a test transaction
    # that would close this test's connection (the test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run(
    operation: Any,
    mode: schemathesis.GenerationMode,
    *,
    headers: dict[str, str],
    path: dict[str, Any] | None,
    checks: list[Any],
    seen: dict[str, set[int]],
) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path)

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @given(case=strategy)
    def check(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        seen.setdefault(operation.label, set()).add(response.status_code)
        case.validate_response(response, checks=checks)

    check()


def _run_documented_examples(
    operation: Any,
    *,
    headers: dict[str, str],
    path: dict[str, Any] | None,
    seen: dict[str, set[int]],
) -> None:
    """Send each request body the document gives as an example, exactly as written: a
    reader who copies one gets the documented success (generated runs mix examples in
    only now and then)."""
    for body in operation.body:
        examples = list(body.definition.get("schema", {}).get("examples", []))
        if "example" in body.definition:
            examples.append(body.definition["example"])
        for example in examples:
            case = operation.Case(body=example, media_type=body.media_type, path_parameters=path)
            response = case.call(headers=headers)
            seen.setdefault(operation.label, set()).add(response.status_code)
            case.validate_response(response, checks=CHECKS)
            assert 200 <= response.status_code < 300, (operation.label, response.text[:300])


def test_api_answers_every_generated_request_as_its_schema_says(
    wsgi_app: WSGIHandler,
    coordinator: User,
    hr: User,
    program: Program,
    mentor: Participant,
    mentee: Participant,
    settings: Any,
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    pair = Mentorship.objects.create(
        program=program, mentor=mentor, mentee=mentee, started_at=dt.datetime.now(dt.UTC)
    )
    CheckIn.objects.create(
        mentorship=pair,
        status=CheckIn.Status.DONE,
        scheduled_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
        logged_at=dt.datetime.now(dt.UTC),
        notes="Private",
    )
    others = [participant_create(program=program) for _ in range(3)]
    survey = survey_open(program, coordinator)
    answer_all(survey, list(Invitation.objects.filter(survey=survey)), text="Useful")
    survey_services.survey_close(survey=survey, by=coordinator)
    coordinator_headers = {"Authorization": f"Bearer {token_for(coordinator)}"}
    # HR's own endpoints (the cross-program survey figures, the outcome import).
    hr_headers = {"Authorization": f"Bearer {token_for(hr)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    real_ids = {
        "program_id": program.pk,
        "participant_id": mentor.pk,
        "mentorship_id": pair.pk,
        "survey_id": survey.pk,
    }
    results = list(schema.get_all_operations())
    assert all(isinstance(result, Ok) for result in results), "the OpenAPI document is invalid"
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    seen: dict[str, set[int]] = {}
    assert len(operations) >= 19
    for operation in operations:
        hr_only = operation.path.endswith(("/surveys/overview", "/outcomes/import"))
        headers = hr_headers if hr_only else coordinator_headers
        names = {p.name for p in operation.path_parameters}
        known = {name: real_ids[name] for name in names}
        if operation.path.endswith("/withdraw"):
            # A person is withdrawn once; the edits above must not have done it first.
            known["participant_id"] = others[0].pk
        _run_documented_examples(operation, headers=headers, path=known or None, seen=seen)
        # Valid input against real rows, then against generated ids.
        _run(
            operation,
            schemathesis.GenerationMode.POSITIVE,
            headers=headers,
            path=known or None,
            checks=CHECKS,
            seen=seen,
        )
        if names:
            _run(
                operation,
                schemathesis.GenerationMode.POSITIVE,
                headers=headers,
                path=None,
                checks=CHECKS,
                seen=seen,
            )
        # Invalid input: never a 500, and the refusal is as documented. (Unknown query
        # parameters are ignored, as most APIs do, so schemathesis's stricter
        # negative_data_rejection check is not used.)
        _run(
            operation,
            schemathesis.GenerationMode.NEGATIVE,
            headers=headers,
            path=known or None,
            checks=CHECKS,
            seen=seen,
        )
    # The run reached the code behind every operation, not only its refusals.
    assert set(seen) == {operation.label for operation in operations}
    for label, statuses in seen.items():
        assert any(200 <= status < 300 for status in statuses), (label, statuses)
        assert 429 not in statuses
