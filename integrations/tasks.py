"""Celery tasks of the integrations app: thin, take ids, safe to run twice."""

from __future__ import annotations

from integrations import chat, outbound, webhooks
from mentoring import queues


@queues.task(name="integrations.tasks.send_webhooks_task", queue_kind=queues.EMAIL, acks_late=True)
def send_webhooks_task(delivery_ids: list[int]) -> int:
    """Attempt these deliveries; each is claimed first, so a rerun sends nothing twice."""
    return webhooks.webhook_deliveries_send(delivery_ids=delivery_ids)


@queues.task(
    name="integrations.tasks.send_due_webhooks_task", queue_kind=queues.EMAIL, acks_late=True
)
def send_due_webhooks_task() -> int:
    """The periodic sweep (CELERY_BEAT_SCHEDULE): retries whose time has come."""
    return webhooks.webhook_deliveries_due_send()


@queues.task(
    name="integrations.tasks.send_chat_message_task",
    queue_kind=queues.EMAIL,
    acks_late=True,
    autoretry_for=(outbound.OutboundFailed,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=5,
)
def send_chat_message_task(channel_id: int, text: str, key: str) -> bool:
    """Post one message to one chat channel, once per key."""
    return chat.chat_message_send(channel_id=channel_id, text=text, key=key)


@queues.task(name="integrations.tasks.send_chat_copy_task", queue_kind=queues.EMAIL)
def send_chat_copy_task(user_id: int, program_id: int, text: str, key: str) -> bool:
    """A reminder's chat copy, for a person who asked for it (see chat.chat_copy)."""
    return chat.chat_copy_send(user_id=user_id, program_id=program_id, text=text, key=key)
