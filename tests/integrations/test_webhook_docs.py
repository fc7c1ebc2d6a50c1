"""The signature check in docs/webhooks.md, run exactly as written against a real
delivery received on 127.0.0.1; the documented payloads against real deliveries."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from integrations import webhooks
from integrations.models import WebhookEndpoint
from pairs.checkins.services import checkin_log_past
from programs.models import Participant
from surveys import services as survey_services
from tests.conftest import ROOT
from tests.factories.programs import mentee_of, mentorship_make
from tests.factories.surveys import people, survey_open
from tests.integrations.conftest import same_shape, shape

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def _documented_verify() -> Callable[..., bool]:
    text = (ROOT / "docs" / "webhooks.md").read_text()
    block = re.search(
        r"<!-- verify-example:start -->\s*```python\n(.*?)```\s*<!-- verify-example:end -->",
        text,
        re.DOTALL,
    )
    assert block, "docs/webhooks.md lost its verification example"
    namespace: dict[str, Any] = {}
    exec(compile(block.group(1), "docs/webhooks.md", "exec"), namespace)  # noqa: S102
    verify: Callable[..., bool] = namespace["verify_signature"]
    return verify


def test_the_documented_example_verifies_a_real_delivery(program, coordinator, receiver):
    verify_signature = _documented_verify()
    endpoint = webhooks.webhook_endpoint_create(
        program=program,
        url=receiver.url,
        events=[WebhookEndpoint.Event.PARTICIPANT_ENROLLED],
        by=coordinator,
    )
    (delivery_id,) = webhooks.events_emit(
        program=program,
        event=WebhookEndpoint.Event.PARTICIPANT_ENROLLED,
        items=[{"participant": {"id": 1, "full_name": "Zoë Ünal"}}],
    )
    webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
    (request,) = receiver.requests
    header = request.headers["X-Mentoring-Signature"]
    timestamp = int(header.split(",")[0].removeprefix("t="))

    assert verify_signature(endpoint.secret, header, request.body)
    assert not verify_signature("wrong-secret", header, request.body)
    assert not verify_signature(endpoint.secret, header, request.body.replace(b"1", b"2"))
    assert not verify_signature(endpoint.secret, header, request.body, now=timestamp + 301)
    assert verify_signature(endpoint.secret, header, request.body, now=timestamp + 299)
    assert not verify_signature(endpoint.secret, "garbage", request.body)


def _documented_payloads() -> dict[str, Any]:
    text = (ROOT / "docs" / "webhooks.md").read_text()
    return {
        match.group(1): json.loads(match.group(2))
        for match in re.finditer(
            r"<!-- event-example: (\S+) -->\s*```json\n(.*?)```", text, re.DOTALL
        )
    }


def test_every_event_is_documented_in_the_table() -> None:
    text = (ROOT / "docs" / "webhooks.md").read_text()
    for event in WebhookEndpoint.Event.values:
        assert f"| `{event}` |" in text, event


def test_the_documented_payloads_have_the_fields_of_real_deliveries(
    program, coordinator, receiver, django_capture_on_commit_callbacks
):
    documented = _documented_payloads()
    assert set(documented) == {"checkin.logged", "survey.closed"}
    webhooks.webhook_endpoint_create(
        program=program, url=receiver.url, events=list(documented), by=coordinator
    )
    pair = mentorship_make(program=program)
    people(program, Participant.Role.MENTEE, 5)
    survey = survey_open(program, coordinator, audience="mentees")
    with django_capture_on_commit_callbacks(execute=True):
        checkin_log_past(
            mentorship=pair,
            by=mentee_of(pair),
            held_at=timezone.now() - dt.timedelta(hours=3),
            outcome="done",
        )
        survey_services.survey_close(survey=survey, by=coordinator)
    real = {json.loads(r.body)["event"]: json.loads(r.body) for r in receiver.requests}
    for event, example in documented.items():
        assert same_shape(shape(example), shape(real[event])), event
        assert example["event"] == event
