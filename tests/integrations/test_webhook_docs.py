"""The signature check in docs/webhooks.md, run exactly as written against a real
delivery received on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from integrations import webhooks
from integrations.models import WebhookEndpoint
from tests.conftest import ROOT

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
