"""Settings of the worker the reminder crash test starts: the test settings with the
hanging file backend (tests/pairs/hanging_mail.py) as the mailer."""

from __future__ import annotations

import os

from mentoring.settings.test import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "tests.pairs.hanging_mail.EmailBackend",
        "OPTIONS": {"file_path": os.environ["REMINDER_TEST_MAIL_DIR"]},
    }
}
