"""Settings for the test suite.

Without DATABASE_URL and REDIS_URL the suite runs on SQLite with eager Celery; with
them it runs on PostgreSQL and the integration tests start a real worker on Redis.
"""

from __future__ import annotations

import os
import uuid

os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Webhook and chat tests deliver to a receiver on 127.0.0.1 over plain http.
os.environ.setdefault("WEBHOOK_ALLOW_LOOPBACK", "true")
# The test identity providers run on 127.0.0.1 over plain http.
os.environ.setdefault("SSO_ALLOW_HTTP_LOOPBACK", "true")
# The test client and the browser tests' live server speak plain http.
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
# The server's zone and report hour are the suite's own whatever the caller exported
# (set, not setdefault): tests pin dates such as "a Monday at 10:00 UTC".
os.environ["TIME_ZONE"] = "UTC"
os.environ["REPORT_EMAIL_HOUR"] = "8"
os.environ["REPORT_SNAPSHOT_HOUR"] = "2"
# Queue names and cache keys of their own for every test process (each pytest-xdist
# worker too), so tests never take another run's work or see its rate limits. The
# Celery worker a test starts is told the prefix through MENTORING_TEST_PREFIX.
# Set, not setdefault: xdist workers inherit the controller's environment.
_prefix = os.environ.get("MENTORING_TEST_PREFIX") or f"mentoring-test-{uuid.uuid4().hex[:10]}"
os.environ["CELERY_QUEUE_PREFIX"] = _prefix
os.environ["CACHE_KEY_PREFIX"] = _prefix
if not os.environ.get("REDIS_URL"):
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

from mentoring.settings.base import *  # noqa: F403
from mentoring.settings.base import STORAGES

# whitenoise's manifest storage needs collectstatic; tests use plain files.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
