"""Webhooks: events become signed deliveries after commit, retried with backoff,
logged with their answer, and replayable; the delivery loop runs against a real
HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from integrations import webhooks
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.webhooks import IntegrationError
from matching import runs
from mentoring.models import User
from pairs.mentorships import mentorship_create, mentorship_end
from pairs.models import Mentorship
from programs import services
from programs.models import Participant, Profile, Program
from programs.services import Invitee
from tests.factories import user_create
from tests.factories.programs import participant_create
from tests.integrations.conftest import Receiver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

Event = WebhookEndpoint.Event
Status = WebhookDelivery.Status
T0 = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


def _endpoint(
    program: Program, receiver: Receiver, coordinator: User, **kw: Any
) -> WebhookEndpoint:
    return webhooks.webhook_endpoint_create(
        program=program,
        url=receiver.url,
        events=kw.pop(
            "events", [Event.PARTICIPANT_ENROLLED, Event.MENTORSHIP_ENDED, Event.MATCH_PUBLISHED]
        ),
        by=coordinator,
    )


def _invite(program: Program, coordinator: User, email: str = "ivy@example.org") -> None:
    services.participants_invite(
        program=program, invitees=[Invitee(email=email, role="mentee")], by=coordinator
    )


def _signature_ok(secret: str, header: str, body: bytes) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(
        secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_enrolment_is_delivered_signed_after_commit(
    program, coordinator, receiver, django_capture_on_commit_callbacks
):
    endpoint = _endpoint(program, receiver, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(program, coordinator)
        assert receiver.requests == []  # nothing leaves before the commit
    (request,) = receiver.requests
    payload = json.loads(request.body)
    assert payload["event"] == "participant.enrolled"
    assert payload["program"] == {"id": program.pk, "name": program.name}
    assert payload["data"]["participant"]["email"] == "ivy@example.org"
    assert request.headers["X-Mentoring-Event"] == "participant.enrolled"
    assert request.headers["X-Mentoring-Event-Id"] == payload["id"]
    assert _signature_ok(endpoint.secret, request.headers["X-Mentoring-Signature"], request.body)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        Status.SUCCEEDED,
        1,
        200,
    )
    # The answer's body is read and dropped; the log keeps the status.
    assert (delivery.response_body, delivery.error) == ("", "")
    assert delivery.duration_ms is not None


def test_a_rolled_back_change_sends_nothing(program, coordinator, receiver):
    _endpoint(program, receiver, coordinator)

    def invite_then_fail() -> None:
        with transaction.atomic():
            _invite(program, coordinator)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        invite_then_fail()
    assert not WebhookDelivery.objects.exists()


def test_only_active_endpoints_subscribed_to_the_event_get_it(
    program, other_program, coordinator, receiver, django_capture_on_commit_callbacks
):
    _endpoint(program, receiver, coordinator, events=[Event.MENTORSHIP_ENDED])
    off = _endpoint(program, receiver, coordinator)
    webhooks.webhook_endpoint_activate(endpoint=off, active=False, by=coordinator)
    _endpoint(other_program, receiver, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(program, coordinator)
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_join_by_link_emits_an_enrolment(
    program, coordinator, receiver, django_capture_on_commit_callbacks
):
    _endpoint(program, receiver, coordinator)
    token = services.program_join_link_enable(program=program, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.participant_join_by_link(
            program=program, token=token, user=user_create(), role="mentor"
        )
    assert [json.loads(r.body)["data"]["participant"]["role"] for r in receiver.requests] == [
        "mentor"
    ]


def test_mentorship_end_emits_its_event(
    program, coordinator, receiver, mentor, mentee, django_capture_on_commit_callbacks
):
    _endpoint(program, receiver, coordinator, events=[Event.MENTORSHIP_ENDED])
    pair = mentorship_create(
        program=program, mentor=mentor, mentee=mentee, source="manual", by=coordinator
    )
    with django_capture_on_commit_callbacks(execute=True):
        mentorship_end(mentorship=pair, by=coordinator, reason=Mentorship.EndReason.values[0])
    (request,) = receiver.requests
    data = json.loads(request.body)["data"]["mentorship"]
    assert (data["id"], data["state"], data["end_reason"]) == (
        pair.pk,
        "ended",
        Mentorship.EndReason.values[0],
    )


def test_publishing_a_match_run_emits_one_event_with_the_pairs(
    program, coordinator, receiver, django_capture_on_commit_callbacks
):
    _endpoint(program, receiver, coordinator, events=[Event.MATCH_PUBLISHED])
    for name, role in (("Ann", "mentee"), ("Cy", "mentor")):
        user = user_create(full_name=name)
        Profile.objects.create(user=user)
        participant_create(program=program, user=user, role=role)
    runs.criterion_add(
        program=program,
        by=coordinator,
        field="seniority",
        rule="seniority_gap",
        weight="low",
        custom_weight=None,
        min_gap=0,
        max_hours=8,
    )
    run = runs.match_run_start(program=program, by=coordinator)
    runs.match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert runs.match_run_publish(run=run, by=coordinator) == 1
    (request,) = receiver.requests
    body = json.loads(request.body)
    assert body["event"] == "match.published"
    assert body["data"]["match_run_id"] == run.pk
    assert [m["id"] for m in body["data"]["mentorships"]] == list(
        Mentorship.objects.values_list("pk", flat=True)
    )


def test_failed_deliveries_are_retried_with_backoff_until_they_succeed(
    program, coordinator, receiver, settings
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    receiver.statuses = [500, 503, 200]
    endpoint = _endpoint(program, receiver, coordinator)
    (delivery_id,) = webhooks.events_emit(
        program=program, event=Event.PARTICIPANT_ENROLLED, items=[{"n": 1}], now=T0
    )
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery_id, now=T0) == Status.PENDING
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.attempts, delivery.response_code) == (1, 500)
    assert delivery.next_attempt_at == T0 + dt.timedelta(seconds=60)
    # Not due yet: neither a direct attempt nor the sweep sends it.
    assert (
        webhooks.webhook_delivery_attempt(
            delivery_id=delivery_id, now=T0 + dt.timedelta(seconds=59)
        )
        is None
    )
    assert webhooks.webhook_deliveries_due_send(now=T0 + dt.timedelta(seconds=59)) == 0
    assert len(receiver.requests) == 1
    # Due: the sweep sends it (eager tasks here), and the next wait doubles.
    webhooks.webhook_deliveries_due_send(now=T0 + dt.timedelta(seconds=60))
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_code, delivery.status) == (2, 503, Status.PENDING)
    # (The sweep's task attempts at the real time; the wait is measured from it.)
    assert delivery.next_attempt_at is not None
    assert delivery.last_attempt_at is not None
    assert delivery.next_attempt_at - delivery.last_attempt_at == dt.timedelta(seconds=120)
    assert (
        webhooks.webhook_delivery_attempt(delivery_id=delivery_id, now=delivery.next_attempt_at)
        == Status.SUCCEEDED
    )
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_code, delivery.next_attempt_at) == (3, 200, None)
    assert len(receiver.requests) == 3
    # Every attempt carries the same event id and a valid signature.
    assert {r.headers["X-Mentoring-Event-Id"] for r in receiver.requests} == {
        str(delivery.event_id)
    }
    assert all(
        _signature_ok(endpoint.secret, r.headers["X-Mentoring-Signature"], r.body)
        for r in receiver.requests
    )


def test_a_delivery_gives_up_after_the_last_attempt(program, coordinator, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.statuses = [500]
    _endpoint(program, receiver, coordinator)
    (delivery_id,) = webhooks.events_emit(
        program=program, event=Event.PARTICIPANT_ENROLLED, items=[{}], now=T0
    )
    webhooks.webhook_delivery_attempt(delivery_id=delivery_id, now=T0)
    later = T0 + dt.timedelta(hours=1)
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery_id, now=later) == Status.FAILED
    assert webhooks.webhook_deliveries_due_send(now=later + dt.timedelta(days=2)) == 0
    assert len(receiver.requests) == 2


def test_an_unreachable_endpoint_is_logged_and_retried(program, coordinator):
    endpoint = webhooks.webhook_endpoint_create(
        program=program,
        url="http://127.0.0.1:9/hook",
        events=[Event.PARTICIPANT_ENROLLED],
        by=coordinator,
    )
    (delivery_id,) = webhooks.events_emit(
        program=program, event=Event.PARTICIPANT_ENROLLED, items=[{}], now=T0
    )
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery_id, now=T0) == Status.PENDING
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.response_code is None
    assert delivery.error == "Could not connect."
    assert delivery.endpoint == endpoint


def test_backoff_doubles_and_is_capped_at_a_day(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    assert [webhooks.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert webhooks.retry_delay(30) == dt.timedelta(days=1)


def test_an_attempt_is_claimed_so_it_is_sent_once(program, coordinator, receiver):
    _endpoint(program, receiver, coordinator)
    (delivery_id,) = webhooks.events_emit(
        program=program, event=Event.PARTICIPANT_ENROLLED, items=[{}], now=T0
    )
    # Another worker holds the claim: this one sends nothing.
    WebhookDelivery.objects.filter(pk=delivery_id).update(status=Status.SENDING, claimed_at=T0)
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery_id, now=T0) is None
    assert receiver.requests == []
    # That worker died: after a while the sweep frees the claim and sends it.
    webhooks.webhook_deliveries_due_send(now=T0 + webhooks.STALE_CLAIM + dt.timedelta(seconds=1))
    assert len(receiver.requests) == 1
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery_id) is None
    assert len(receiver.requests) == 1


def test_the_sweep_is_bounded(program, coordinator, receiver):
    _endpoint(program, receiver, coordinator)
    webhooks.events_emit(
        program=program,
        event=Event.PARTICIPANT_ENROLLED,
        items=[{"n": n} for n in range(5)],
        now=T0,
    )
    assert webhooks.webhook_deliveries_due_send(now=T0, limit=2) == 2
    assert WebhookDelivery.objects.filter(status=Status.SUCCEEDED).count() == 2


def test_replay_sends_the_same_event_again_as_a_new_delivery(
    program, coordinator, receiver, django_capture_on_commit_callbacks
):
    _endpoint(program, receiver, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(program, coordinator)
    original = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        replay = webhooks.webhook_delivery_replay(delivery=original, by=coordinator)
    replay.refresh_from_db()
    assert replay.pk != original.pk
    assert replay.replay_of == original
    assert replay.status == Status.SUCCEEDED
    first, second = receiver.requests
    assert first.body == second.body
    assert first.headers["X-Mentoring-Event-Id"] == second.headers["X-Mentoring-Event-Id"]
    assert first.headers["X-Mentoring-Delivery"] != second.headers["X-Mentoring-Delivery"]


def test_replay_to_a_switched_off_endpoint_is_refused(program, coordinator, receiver):
    endpoint = _endpoint(program, receiver, coordinator)
    (delivery_id,) = webhooks.events_emit(
        program=program, event=Event.PARTICIPANT_ENROLLED, items=[{}]
    )
    webhooks.webhook_endpoint_activate(endpoint=endpoint, active=False, by=coordinator)
    with pytest.raises(IntegrationError):
        webhooks.webhook_delivery_replay(
            delivery=WebhookDelivery.objects.get(pk=delivery_id), by=coordinator
        )


def test_a_rotated_secret_signs_the_next_delivery(program, coordinator, receiver):
    endpoint = _endpoint(program, receiver, coordinator)
    old = endpoint.secret
    new = webhooks.webhook_secret_rotate(endpoint=endpoint, by=coordinator)
    assert new != old
    (delivery_id,) = webhooks.events_emit(
        program=program, event=Event.PARTICIPANT_ENROLLED, items=[{}]
    )
    webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
    (request,) = receiver.requests
    assert _signature_ok(new, request.headers["X-Mentoring-Signature"], request.body)
    assert not _signature_ok(old, request.headers["X-Mentoring-Signature"], request.body)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "ftp://example.com/hook",
        "https://10.0.0.5/hook",
        "https://169.254.169.254/latest",
        "https://localhost/hook",
        "not a url",
    ],
)
def test_only_public_https_addresses_are_accepted(program, coordinator, settings, url):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(IntegrationError):
        webhooks.webhook_endpoint_create(
            program=program, url=url, events=[Event.PARTICIPANT_ENROLLED], by=coordinator
        )


def test_loopback_is_allowed_only_when_the_setting_says_so(program, coordinator, settings, network):
    network.answer("hooks.example.com", ["93.184.216.34"])
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    check = webhooks.integration_url_check
    assert check("http://127.0.0.1:8000/x") == "http://127.0.0.1:8000/x"
    assert check("https://hooks.example.com/x") == "https://hooks.example.com/x"
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(IntegrationError):
        check("http://127.0.0.1:8000/x")
    with pytest.raises(IntegrationError):
        check("https://127.0.0.1:8000/x")


# -- Pages ------------------------------------------------------------------------


def test_coordinator_registers_an_endpoint_and_sees_its_secret(
    client: Client, coordinator, program, receiver
):
    client.force_login(coordinator)
    url = reverse("integrations:program_integrations", args=[program.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"url": receiver.url, "events": ["participant.enrolled"]})
    endpoint = WebhookEndpoint.objects.get()
    assert response["Location"] == reverse(
        "integrations:webhook_detail", args=[program.pk, endpoint.pk]
    )
    page = client.get(response["Location"])
    assert endpoint.secret in page.content.decode()


def test_bad_endpoint_address_is_a_form_error_not_a_500(
    client: Client, coordinator, program, settings
):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    client.force_login(coordinator)
    url = reverse("integrations:program_integrations", args=[program.pk])
    response = client.post(url, {"url": "http://example.com/x", "events": ["participant.enrolled"]})
    assert response.status_code == 200
    assert "https://" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_integrations_pages_are_for_the_programs_coordinators_only(
    client: Client, program, coordinator, other_coordinator, hr, mentee, receiver
):
    endpoint = _endpoint(program, receiver, coordinator)
    urls = [
        reverse("integrations:program_integrations", args=[program.pk]),
        reverse("integrations:webhook_detail", args=[program.pk, endpoint.pk]),
    ]
    for person, status in ((other_coordinator, 404), (hr, 403), (mentee.user, 403)):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == status, (person, url)
        rotate = client.post(
            reverse("integrations:webhook_secret_rotate", args=[program.pk, endpoint.pk])
        )
        assert rotate.status_code == status
    endpoint.refresh_from_db()
    assert endpoint.secret == WebhookEndpoint.objects.get().secret


def test_replay_button_sends_again_and_switching_off_stops(
    client: Client, coordinator, program, receiver, django_capture_on_commit_callbacks
):
    endpoint = _endpoint(program, receiver, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(program, coordinator)
    delivery = WebhookDelivery.objects.get()
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("integrations:webhook_replay", args=[program.pk, endpoint.pk, delivery.pk])
        )
    assert response.status_code == 302
    assert len(receiver.requests) == 2
    client.post(
        reverse("integrations:webhook_activate", args=[program.pk, endpoint.pk]), {"active": "0"}
    )
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    with django_capture_on_commit_callbacks(execute=True):
        _invite(program, coordinator, email="other@example.org")
    assert len(receiver.requests) == 2


def test_delivery_log_query_count_does_not_grow(
    client: Client, coordinator, program, receiver, django_assert_max_num_queries
):
    endpoint = _endpoint(program, receiver, coordinator)
    url = reverse("integrations:webhook_detail", args=[program.pk, endpoint.pk])
    client.force_login(coordinator)
    webhooks.events_emit(program=program, event=Event.PARTICIPANT_ENROLLED, items=[{}] * 2)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    baseline = len(few.captured_queries)
    webhooks.events_emit(program=program, event=Event.PARTICIPANT_ENROLLED, items=[{}] * 20)
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_a_participant_row_is_unchanged_by_a_refused_webhook_event(program, coordinator):
    # Unknown events are a programming error, caught before anything is written.
    with pytest.raises(ValueError, match="Unknown webhook event"):
        webhooks.events_emit(program=program, event="nothing.happened", items=[{}])
    assert not Participant.objects.exists()
