"""Deletion requests: asking, confirming, cancelling, and the confirmation link."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core import signing
from django.db import models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.audit import Action, audit_record
from mentoring.deferred import task_defer
from mentoring.emails import absolute_url
from mentoring.models import (
    ErasureRequest,
    User,
)
from pairs.models import Mentorship
from privacy import tasks

State = ErasureRequest.State
# Kept from when this lived in mentoring.erasure: links already emailed stay valid.
LINK_SALT = "mentoring.erasure.confirm"
LINK_HOURS = 24
# How mentorships end when one of the two deletes their account: no-fault, no detail.
END_REASON = Mentorship.EndReason.OTHER
# Replaces the person's name inside stored free text of other rows (import reports,
# webhook payloads); their address is replaced by the account's placeholder.
NAME_REDACTED = "[deleted]"

DELIVERY_CONFIRM = "erasure-confirm"
DELIVERY_DONE = "erasure-done"
DELIVERY_PARTNER = "erasure-partner"
DELIVERY_COORDINATOR = "erasure-coordinator"


class ErasureError(Exception):
    """A request that cannot go ahead, with a message for the person."""


def erasure_request_open(*, user: User) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(user=user, state__in=ErasureRequest.OPEN_STATES).first()


def erasure_link_token(erasure_request: ErasureRequest) -> str:
    return signing.dumps({"r": erasure_request.pk, "n": erasure_request.nonce}, salt=LINK_SALT)


def erasure_link_url(erasure_request: ErasureRequest) -> str:
    path = reverse("erasure_confirm", args=[erasure_link_token(erasure_request)])
    return absolute_url(path)


def erasure_request_from_token(token: str) -> ErasureRequest | None:
    """The still-unconfirmed request a link belongs to; None when the link is wrong,
    expired, already used or replaced by a newer one."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=dt.timedelta(hours=LINK_HOURS))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    request_id, nonce = data.get("r"), data.get("n")
    if not isinstance(request_id, int) or not isinstance(nonce, str) or not nonce:
        return None
    return (
        ErasureRequest.objects.select_related("user")
        .filter(pk=request_id, nonce=nonce, state=State.REQUESTED)
        .first()
    )


def _send_confirmation_after_commit(erasure_request: ErasureRequest) -> None:
    request_id, nonce = erasure_request.pk, erasure_request.nonce
    task_defer(tasks.send_erasure_confirmation_task, request_id, nonce)


@transaction.atomic
def erasure_request_create(
    *, user: User, request: HttpRequest | None = None, now: dt.datetime | None = None
) -> ErasureRequest:
    """Ask for the account to be deleted; the confirmation link goes out after commit.

    Asking again while a request waits sends a fresh link (the old one stops working);
    a confirmed request is already being carried out and is returned as it is.
    """
    now = now or timezone.now()
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_erased or not locked.is_active:
        raise ErasureError(_("This account can no longer be changed."))
    erasure_request = (
        ErasureRequest.objects.select_for_update()
        .filter(user=locked, state__in=ErasureRequest.OPEN_STATES)
        .first()
    )
    if erasure_request is not None and erasure_request.state == State.CONFIRMED:
        return erasure_request
    if erasure_request is None:
        erasure_request = ErasureRequest(user=locked, requested_at=now)
    erasure_request.nonce = secrets.token_hex(16)
    erasure_request.save()
    audit_record(
        action=Action.ERASURE_REQUEST,
        actor=locked,
        request=request,
        target=locked,
        detail={"step": "requested", "request": erasure_request.pk},
    )
    _send_confirmation_after_commit(erasure_request)
    return erasure_request


@transaction.atomic
def erasure_request_cancel(
    *, user: User, request: HttpRequest | None = None, now: dt.datetime | None = None
) -> bool:
    """Withdraw a request that waits for its email confirmation. False if none waits."""
    erasure_request = (
        ErasureRequest.objects.select_for_update().filter(user=user, state=State.REQUESTED).first()
    )
    if erasure_request is None:
        return False
    erasure_request.state = State.CANCELLED
    erasure_request.cancelled_at = now or timezone.now()
    erasure_request.nonce = ""
    erasure_request.save(update_fields=["state", "cancelled_at", "nonce"])
    audit_record(
        action=Action.ERASURE_REQUEST,
        actor=user,
        request=request,
        target=user,
        detail={"step": "cancelled", "request": erasure_request.pk},
    )
    return True


def _execute_after_commit(request_id: int) -> None:
    transaction.on_commit(lambda: tasks.erase_account_task.delay(request_id))


@transaction.atomic
def erasure_request_confirm(
    *, token: str, request: HttpRequest | None = None, now: dt.datetime | None = None
) -> ErasureRequest | None:
    """The person followed the emailed link and pressed the button: queue the erasure.
    None when the link no longer works."""
    found = erasure_request_from_token(token)
    if found is None:
        return None
    erasure_request = ErasureRequest.objects.select_for_update().get(pk=found.pk)
    if erasure_request.state != State.REQUESTED or erasure_request.nonce != found.nonce:
        return None
    erasure_request.state = State.CONFIRMED
    erasure_request.confirmed_at = now or timezone.now()
    erasure_request.nonce = ""
    erasure_request.save(update_fields=["state", "confirmed_at", "nonce"])
    audit_record(
        action=Action.ERASURE_REQUEST,
        actor=found.user,
        request=request,
        target=found.user,
        detail={"step": "confirmed", "request": erasure_request.pk},
    )
    _execute_after_commit(erasure_request.pk)
    return erasure_request


def erasure_request_list() -> models.QuerySet[ErasureRequest]:
    """For the staff page: open requests first, then the most recent."""
    return ErasureRequest.objects.select_related("user", "executed_by").order_by(
        models.Case(
            models.When(state__in=ErasureRequest.OPEN_STATES, then=0),
            default=1,
        ),
        "-requested_at",
        "-pk",
    )
