"""Chat notifications: a program's reminders and nudges posted to Slack or Teams.

Each program may have incoming-webhook channels; a person who opted in
(:class:`ChatPreference`) also has their reminders posted there. Posting happens in
a task after commit; each message goes out once per channel and key, and a failed
post is retried by Celery with backoff.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from integrations import outbound, tasks
from integrations.models import ChatChannel, ChatPreference
from integrations.webhooks import IntegrationError, integration_url_check
from mentoring.audit import Action, audit_record
from mentoring.models import Delivery, User
from mentoring.notifications import Kind
from programs.models import Program

logger = logging.getLogger(__name__)


def chat_message_body(*, kind: str, text: str) -> dict[str, Any]:
    """The JSON each service's incoming webhook expects."""
    if kind == ChatChannel.Kind.SLACK:
        return {"text": text}
    # Teams (Workflows and the older connectors) take an Adaptive Card in a message.
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [{"type": "TextBlock", "text": text, "wrap": True}],
                },
            }
        ],
    }


def chat_channel_create(
    *, program: Program, kind: str, url: str, name: str, by: User
) -> ChatChannel:
    if kind not in ChatChannel.Kind.values:
        raise IntegrationError(_("Unknown chat service."))
    channel = ChatChannel.objects.create(
        program=program, kind=kind, url=integration_url_check(url), name=name.strip()
    )
    # The address can carry a secret token: the row names the channel, never its URL.
    audit_record(
        action=Action.INTEGRATION_CHANGE,
        actor=by,
        target=channel,
        detail={"change": "chat_channel_create", "program_id": program.pk, "kind": kind},
    )
    return channel


def post(program: Program, text: str, *, key: str | None = None) -> int:
    """Post ``text`` to every active chat channel of the program, after commit.

    ``key`` names the message (e.g. "checkin-reminder:42:2026-05-01") so that calling
    twice posts once; without it every call posts. Returns how many channels.
    """
    key = key or uuid.uuid4().hex
    channel_ids = list(
        ChatChannel.objects.filter(program=program, is_active=True).values_list("pk", flat=True)
    )

    def enqueue() -> None:
        from integrations.tasks import send_chat_message_task

        for channel_id in channel_ids:
            send_chat_message_task.delay(channel_id, text, key)

    if channel_ids:
        transaction.on_commit(enqueue)
    return len(channel_ids)


# The notification kinds whose copy may go to a team chat: reminders and nudges. Never
# survey emails or "did you meet?" requests (their links are personal), reports or
# mentoring requests (private to their reader).
CHAT_KINDS = frozenset({Kind.CHECKIN_REMINDERS, Kind.PAIR_NUDGES, Kind.EVENTS})


def chat_copy(user: User, kind: str, subject: str, context: Mapping[str, Any], key: str) -> None:
    """The notification pipeline's chat channel (registered in IntegrationsConfig.ready):
    a reminder's subject, never its links, for the program's chat channels if the
    person asked for that; once per message when the pipeline names it.

    Nothing is read here: the sending transaction (a reminder sweep's, say) keeps its
    statements per email; a task after commit checks the person's choice and posts."""
    program = context.get("program")
    if kind not in CHAT_KINDS or not isinstance(program, Program):
        return
    text = _("%(name)s: %(subject)s") % {"name": user.display_name, "subject": subject}
    user_id, program_id = user.pk, program.pk
    transaction.on_commit(lambda: tasks.send_chat_copy_task.delay(user_id, program_id, text, key))


def chat_copy_send(*, user_id: int, program_id: int, text: str, key: str) -> bool:
    """Post a reminder's copy if the person still wants it. True when it was queued."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    program = Program.objects.filter(pk=program_id).first()
    if user is None or program is None:
        return False
    return chat_notify(user, program, text, key=f"notify:{user_id}:{key}" if key else None)


def chat_notify(user: User, program: Program, text: str, *, key: str | None = None) -> bool:
    """Also post a person's reminder to the program's chat, if they asked for that.

    Email stays the pipeline's job; this adds the chat copy. True when it was queued.
    """
    wants = ChatPreference.objects.filter(user=user, reminders_to_chat=True).exists()
    if not wants:
        return False
    return post(program, text, key=key) > 0


def chat_preference_set(*, user: User, reminders_to_chat: bool) -> ChatPreference:
    preference, _created = ChatPreference.objects.update_or_create(
        user=user, defaults={"reminders_to_chat": reminders_to_chat}
    )
    return preference


def chat_message_send(*, channel_id: int, text: str, key: str) -> bool:
    """Post one message to one channel unless it went out before. True if sent now.

    The once-only record is written in the transaction that posts: a failed post
    (:class:`~integrations.outbound.OutboundFailed`) rolls it back, so Celery's retry
    may send. An address that is refused now (its name moved to a private address)
    sends nothing and is not retried.
    """
    channel = ChatChannel.objects.filter(pk=channel_id, is_active=True).first()
    if channel is None:
        return False
    body = json.dumps(chat_message_body(kind=channel.kind, text=text)).encode()
    headers = {"Content-Type": "application/json", "User-Agent": f"{settings.SITE_NAME}-Chat/1"}
    try:
        with transaction.atomic():
            if not Delivery.objects.claim(kind="chat", key=f"{channel_id}:{key}"[:200]):
                return False
            status = outbound.outbound_post(
                url=channel.url, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT
            )
            if not 200 <= status < 300:
                raise outbound.OutboundFailed(
                    _("The chat service answered %(status)s.") % {"status": status},
                    status=status,
                )
    except outbound.OutboundRefused as refusal:
        logger.warning("chat channel %s: not posted: %s", channel_id, refusal)
        return False
    return True
