"""Outgoing email (Django 6.1 MAILERS)."""

from __future__ import annotations

from mentoring.settings.core import DEBUG, SITE_NAME
from mentoring.settings.environment import (
    env_list,
    env_str,
    mailer_from_url,
)

# ------------------------------------------------------------------------------
# Email (Django 6.1 MAILERS)
# ------------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL") or ("console://" if DEBUG else "smtp://localhost:25")
MAILERS = {"default": mailer_from_url(EMAIL_URL)}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = env_list("ADMINS")
