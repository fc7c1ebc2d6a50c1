"""A file email backend that hangs inside the Nth send, for the crash test.

With REMINDER_TEST_HANG_AT=N the worker process writes N messages normally, then,
inside the send of message N+1 (after the sweep wrote its Delivery row, before it
could commit), touches REMINDER_TEST_HANG_MARKER and blocks until it is killed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail.backends.filebased import EmailBackend as FileBackend

_sent = 0


class EmailBackend(FileBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        global _sent
        hang_at = int(os.environ.get("REMINDER_TEST_HANG_AT") or 0)
        if hang_at and _sent >= hang_at:
            Path(os.environ["REMINDER_TEST_HANG_MARKER"]).touch()
            while True:  # the test kills the process here, mid-batch
                time.sleep(1)
        count = super().send_messages(email_messages)
        _sent += count
        return count
