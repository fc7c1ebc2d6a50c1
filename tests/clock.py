"""Clocks for tests that cannot move time: a real worker reads the real clock."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mentoring.notifications import is_quiet

# Zones far enough apart that one of them is always in its day.
ZONES = (
    "UTC",
    "Asia/Tokyo",
    "America/New_York",
    "Asia/Kolkata",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Europe/Berlin",
    "Pacific/Honolulu",
    "Asia/Dubai",
)


def awake_zone(*, hours: float = 2) -> str:
    """A time zone where it is day now and for the next ``hours``, so reminders that a
    real worker sends are not held for the recipients' night (they wait it out)."""
    now = timezone.now()
    steps = range(0, int(hours * 60) + 1, 10)
    for name in ZONES:
        if not any(is_quiet(now + dt.timedelta(minutes=m), name) for m in steps):
            return name
    raise AssertionError("no zone is awake for the next hours")
