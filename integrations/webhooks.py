"""Webhooks: register endpoints, record events, sign and deliver them with retries.

A delivery is a row. Recording an event (:func:`events_emit`) writes one row per
subscribed endpoint inside the caller's transaction and enqueues the sending after
commit. Sending claims the row with a conditional UPDATE (pending -> sending), so two
workers never send the same attempt; a failed attempt puts the row back to pending
with ``next_attempt_at`` pushed out exponentially, and the beat sweep
(:func:`webhook_deliveries_due_send`) picks it up again. Delivery is at least once: a
worker that dies after the receiver answered sends again later, with the same
``X-Mentoring-Event-Id``, which receivers use to drop duplicates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations import outbound
from integrations.models import WebhookDelivery, WebhookEndpoint
from mentoring.audit import Action, audit_record
from mentoring.models import User
from programs.models import Program

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Mentoring-Signature"
# Deliveries per sweep, and per task: small enough that one task never runs long.
SWEEP_BATCH = 100
TASK_BATCH = 20
# A claim older than this belongs to a worker that died mid-send: the sweep frees it.
STALE_CLAIM = dt.timedelta(minutes=10)
MAX_BACKOFF = dt.timedelta(days=1)

Status = WebhookDelivery.Status


class IntegrationError(Exception):
    """A request the rules refuse; the message is shown to the person."""


# ------------------------------------------------------------------------------
# Addresses
# ------------------------------------------------------------------------------


def integration_url_check(url: str) -> str:
    """The URL if the site may post to it (see :mod:`integrations.outbound`); else
    IntegrationError with the reason, for the form."""
    try:
        return outbound.outbound_url_check(url)
    except outbound.OutboundRefused as refused:
        raise IntegrationError(str(refused)) from refused


# ------------------------------------------------------------------------------
# Endpoints
# ------------------------------------------------------------------------------


def _events_check(events: Iterable[str]) -> list[str]:
    chosen = [e for e in WebhookEndpoint.Event.values if e in set(events)]
    unknown = set(events) - set(WebhookEndpoint.Event.values)
    if unknown:
        raise IntegrationError(_("Unknown events: %(events)s.") % {"events": sorted(unknown)})
    if not chosen:
        raise IntegrationError(_("Choose at least one event."))
    return chosen


def webhook_endpoint_create(
    *, program: Program, url: str, events: Sequence[str], by: User, description: str = ""
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.create(
        program=program,
        url=integration_url_check(url),
        events=_events_check(events),
        description=description.strip(),
        secret=secrets.token_hex(32),
        created_by=by,
    )
    # Neither the address nor the secret: ids and counts only.
    audit_record(
        action=Action.INTEGRATION_CHANGE,
        actor=by,
        target=endpoint,
        detail={
            "change": "webhook_endpoint_create",
            "program_id": program.pk,
            "events": len(endpoint.events),
        },
    )
    return endpoint


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, events: Sequence[str], description: str, by: User
) -> WebhookEndpoint:
    endpoint.events = _events_check(events)
    endpoint.description = description.strip()
    endpoint.save(update_fields=["events", "description", "updated_at"])
    audit_record(
        action=Action.INTEGRATION_CHANGE,
        actor=by,
        target=endpoint,
        detail={"change": "webhook_endpoint_update", "events": len(endpoint.events)},
    )
    return endpoint


def webhook_secret_rotate(*, endpoint: WebhookEndpoint, by: User) -> str:
    """A new signing secret; deliveries from now on are signed with it only."""
    endpoint.secret = secrets.token_hex(32)
    endpoint.save(update_fields=["secret", "updated_at"])
    audit_record(
        action=Action.INTEGRATION_CHANGE,
        actor=by,
        target=endpoint,
        detail={"change": "webhook_secret_rotate"},
    )
    return endpoint.secret


def webhook_endpoint_activate(*, endpoint: WebhookEndpoint, active: bool, by: User) -> None:
    """Switch an endpoint off (pending deliveries stop) or on again."""
    endpoint.is_active = active
    endpoint.save(update_fields=["is_active", "updated_at"])
    audit_record(
        action=Action.INTEGRATION_CHANGE,
        actor=by,
        target=endpoint,
        detail={"change": "webhook_endpoint_activate" if active else "webhook_endpoint_deactivate"},
    )


# ------------------------------------------------------------------------------
# Events
# ------------------------------------------------------------------------------


def events_emit(
    *,
    program: Program,
    event: str,
    items: Sequence[Mapping[str, Any]] | Callable[[], Sequence[Mapping[str, Any]]],
    now: dt.datetime | None = None,
) -> list[int]:
    """Record one event per item for every active endpoint of the program that
    subscribed to it; send them after the caller's transaction commits.

    Call inside the transaction that made the change, so the deliveries exist if and
    only if the change does. ``items`` may be a function, called only when some
    endpoint listens (so unheard events cost one query). Returns the new deliveries' ids.
    """
    if event not in WebhookEndpoint.Event.values:
        raise ValueError(f"Unknown webhook event {event!r}")
    # A program has a handful of endpoints; JSON list lookups differ per database.
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(program=program, is_active=True)
        if event in e.events
    ]
    if not endpoints:
        return []
    if callable(items):
        items = items()
    if not items:
        return []
    now = now or timezone.now()
    envelopes = [
        {
            "id": str(uuid.uuid4()),
            "event": event,
            "created_at": now.isoformat(),
            "program": {"id": program.pk, "name": program.name},
            "data": dict(item),
        }
        for item in items
    ]
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event=event,
                event_id=str(envelope["id"]),
                payload=envelope,
                next_attempt_at=now,
                created_at=now,
            )
            for endpoint in endpoints
            for envelope in envelopes
        ],
        batch_size=500,
    )
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: _enqueue(ids))
    return ids


def _enqueue(delivery_ids: Sequence[int]) -> None:
    from integrations.tasks import send_webhooks_task

    for start in range(0, len(delivery_ids), TASK_BATCH):
        send_webhooks_task.delay(list(delivery_ids[start : start + TASK_BATCH]))


# ------------------------------------------------------------------------------
# Signing
# ------------------------------------------------------------------------------


def signature_header(*, secret: str, body: bytes, timestamp: int) -> str:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>``."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def payload_body(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


# ------------------------------------------------------------------------------
# Delivering
# ------------------------------------------------------------------------------


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the n-th failed attempt: base, 2 x base, 4 x base, ..."""
    delay = dt.timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1))
    return min(delay, MAX_BACKOFF)


def webhook_delivery_attempt(*, delivery_id: int, now: dt.datetime | None = None) -> str | None:
    """Send one due delivery once. Returns its new status, or None if it was not due
    (already sent, claimed by another worker, or waiting for a later retry)."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now
    ).update(status=Status.SENDING, claimed_at=now)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    attempts = delivery.attempts + 1
    code: int | None = None
    error = ""
    refused = False
    started = time.monotonic()
    if not endpoint.is_active:
        error = _("The endpoint was switched off.")
    else:
        # The log keeps the status and a short reason, never the answer's body.
        try:
            code = _post(url=endpoint.url, delivery=delivery, secret=endpoint.secret)
        except outbound.OutboundRefused as refusal:
            error, refused = str(refusal), True
        except outbound.OutboundFailed as failure:
            code, error = failure.status, str(failure)
        else:
            if not 200 <= code < 300:
                error = _("The endpoint answered %(status)s.") % {"status": code}
    duration_ms = round((time.monotonic() - started) * 1000)
    succeeded = code is not None and 200 <= code < 300
    if succeeded:
        status, next_attempt_at = Status.SUCCEEDED, None
    elif refused or attempts >= settings.WEBHOOK_MAX_ATTEMPTS or not endpoint.is_active:
        status, next_attempt_at = Status.FAILED, None
    else:
        status, next_attempt_at = Status.PENDING, now + retry_delay(attempts)
    WebhookDelivery.objects.filter(pk=delivery_id, status=Status.SENDING).update(
        status=status,
        attempts=attempts,
        next_attempt_at=next_attempt_at,
        claimed_at=None,
        last_attempt_at=now,
        response_code=code,
        # Rows written before bodies were dropped lose theirs at the next attempt.
        response_body="",
        error=error,
        duration_ms=duration_ms,
    )
    if not succeeded:
        logger.info(
            "webhook delivery %s attempt %s: %s %s", delivery_id, attempts, code, error or ""
        )
    return status


def _post(*, url: str, delivery: WebhookDelivery, secret: str) -> int:
    body = payload_body(delivery.payload)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"{settings.SITE_NAME}-Webhooks/1",
        "X-Mentoring-Event": delivery.event,
        "X-Mentoring-Event-Id": str(delivery.event_id),
        "X-Mentoring-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: signature_header(secret=secret, body=body, timestamp=timestamp),
    }
    # No redirects (outbound never follows one): a signed request reaches the registered
    # address only.
    return outbound.outbound_post(
        url=url, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT
    )


def webhook_deliveries_send(*, delivery_ids: Sequence[int]) -> int:
    """Attempt each of these deliveries that is due; the number delivered."""
    return sum(webhook_delivery_attempt(delivery_id=pk) == Status.SUCCEEDED for pk in delivery_ids)


def webhook_deliveries_due_send(*, now: dt.datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """The beat sweep: free claims of dead workers, then enqueue what is due.

    Bounded: at most ``limit`` deliveries per sweep (each row read is small; the
    payload stays in the database until a task loads it).
    """
    now = now or timezone.now()
    WebhookDelivery.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=Status.PENDING, claimed_at=None, next_attempt_at=now
    )
    due = list(
        WebhookDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if due:
        _enqueue(due)
    return len(due)


@transaction.atomic
def webhook_delivery_replay(*, delivery: WebhookDelivery, by: User) -> WebhookDelivery:
    """Send a delivery's event again, as a new delivery with the same event id."""
    if not delivery.endpoint.is_active:
        raise IntegrationError(_("Switch the endpoint on before replaying to it."))
    now = timezone.now()
    replay = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event=delivery.event,
        event_id=delivery.event_id,
        payload=delivery.payload,
        next_attempt_at=now,
        created_at=now,
        replay_of=delivery,
    )
    audit_record(
        action=Action.INTEGRATION_CHANGE,
        actor=by,
        target=delivery.endpoint,
        detail={
            "change": "webhook_delivery_replay",
            "delivery_id": delivery.pk,
            "replay_id": replay.pk,
        },
    )
    ids = [replay.pk]
    transaction.on_commit(lambda: _enqueue(ids))
    return replay


def webhook_delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first (payloads stay in the database)."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .defer("payload")
        .order_by("-created_at", "-id")
    )
