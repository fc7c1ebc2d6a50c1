"""An in-memory email backend that refuses the addresses in settings.REFUSED_RECIPIENTS,
as a mail server does when it is down for some messages: the send raises."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend


class EmailBackend(MemoryBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        refused = set(getattr(settings, "REFUSED_RECIPIENTS", ()))
        for message in email_messages:
            if refused & set(message.to):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (451, b"try again later")})
        return super().send_messages(email_messages)
