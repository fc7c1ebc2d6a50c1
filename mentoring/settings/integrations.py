"""The REST API's limits, invitation resends, and outgoing webhooks and chat."""

from __future__ import annotations

from mentoring.settings.environment import env_bool, env_int

# ------------------------------------------------------------------------------
# The REST API, webhooks and chat (their sweep is in mentoring/settings/celery.py)
# ------------------------------------------------------------------------------
# REST API (/api/v1/): requests per minute per token.
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 120, minimum=1)
# "Resend invitation": per invitee and per coordinator, in any clock hour.
INVITATION_RESENDS_PER_INVITEE_PER_HOUR = env_int(
    "INVITATION_RESENDS_PER_INVITEE_PER_HOUR", 3, minimum=1
)
INVITATION_RESENDS_PER_COORDINATOR_PER_HOUR = env_int(
    "INVITATION_RESENDS_PER_COORDINATOR_PER_HOUR", 60, minimum=1
)
API_PAGE_SIZE_MAX = 200

# Webhooks and chat: also post to this machine (loopback, plain http too) only when
# allowed, for a receiver on a developer's machine and the tests; off by default.
WEBHOOK_ALLOW_LOOPBACK = env_bool("WEBHOOK_ALLOW_LOOPBACK", False)
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10, minimum=1)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
# The first retry waits this long; each next one twice as long (at most a day).
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 60, minimum=1)
