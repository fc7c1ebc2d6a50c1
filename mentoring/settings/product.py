"""The product's own rules: smallest reported group, attachments, quiet hours, check-ins."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from mentoring.settings.environment import env_int

# ------------------------------------------------------------------------------
# Product
# ------------------------------------------------------------------------------
# Smallest group any aggregate may describe; programs may raise it, never lower it.
MIN_GROUP_SIZE = env_int("MIN_GROUP_SIZE", 5, minimum=2)
# Program resources: the largest file a guide may carry (attachments live under
# MEDIA_ROOT/private, outside the web root, and are served only through a view).
RESOURCE_ATTACHMENT_MAX_BYTES = env_int("RESOURCE_ATTACHMENT_MAX_MB", 10, minimum=1) * 1024 * 1024
# Notifications: no email goes out between these local hours of the recipient (a due
# message waits for the end); equal values switch quiet hours off.
NOTIFY_QUIET_START_HOUR = env_int("NOTIFY_QUIET_START_HOUR", 21, minimum=0)
NOTIFY_QUIET_END_HOUR = env_int("NOTIFY_QUIET_END_HOUR", 8, minimum=0)
if NOTIFY_QUIET_START_HOUR > 23 or NOTIFY_QUIET_END_HOUR > 23:
    raise ImproperlyConfigured("NOTIFY_QUIET_START_HOUR and NOTIFY_QUIET_END_HOUR are hours, 0-23.")
# Check-ins: the reminder before one (hours ahead, kept on the same local clock time),
# the program's coordinators hear of a pair after this many missed cadence cycles,
# and the "we met" / "we didn't" links in emails work for this many days.
CHECKIN_REMINDER_HOURS = env_int("CHECKIN_REMINDER_HOURS", 24, minimum=1)
CHECKIN_ESCALATE_AFTER_CYCLES = env_int("CHECKIN_ESCALATE_AFTER_CYCLES", 2, minimum=1)
CHECKIN_LINK_MAX_AGE_DAYS = env_int("CHECKIN_LINK_MAX_AGE_DAYS", 14, minimum=1)
