"""An in-memory email backend that fails on demand, for the sweeps' failure tests.

- settings.REFUSED_RECIPIENTS: the mail server refuses these addresses (the send
  raises an SMTP error, which the sender handles).
- settings.KILL_AFTER_SENDS = N: once N messages are in the outbox, the next send
  raises WorkerKilled, which no sender catches: the process dies mid-send, and every
  transaction still open rolls back, as when a worker is killed.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend


class WorkerKilled(BaseException):
    """The worker process died here (BaseException: no `except Exception` stops it)."""


class EmailBackend(MemoryBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        refused = set(getattr(settings, "REFUSED_RECIPIENTS", ()))
        kill_after = getattr(settings, "KILL_AFTER_SENDS", None)
        for message in email_messages:
            if kill_after is not None and len(getattr(mail, "outbox", [])) >= kill_after:
                raise WorkerKilled
            if refused & set(message.to):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (451, b"try again later")})
        return super().send_messages(email_messages)
