"""Paths, the switches every other settings module reads (DEBUG, SITE_URL, SITE_NAME),
the secret key, hosts and the project's entry points."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from mentoring.settings.environment import (
    env_bool,
    env_list,
    env_str,
)

# ------------------------------------------------------------------------------
# Paths
# ------------------------------------------------------------------------------
BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Runtime state of the embedded default (database, broker folders, uploads).
VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var").resolve()

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # Only with DEBUG on, never in production (the branch above refuses to start).
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105  # nosec B105
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Public base URL used in emails and calendar feeds, e.g. https://mentoring.example.com
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Mentoring")

ROOT_URLCONF = "mentoring.urls"
WSGI_APPLICATION = "mentoring.wsgi.application"
ASGI_APPLICATION = "mentoring.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "mentoring.User"
SITE_ID = 1
