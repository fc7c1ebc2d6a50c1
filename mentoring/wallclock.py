"""Wall-clock times: a date and time as typed, in a named time zone, stored in UTC.

Events are entered in their program's time zone, check-ins in the person's own; both
use these, so a time the clocks skip is refused the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mentoring.validators import SensibleDateTimeField


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_to_utc(value: dt.datetime, zone_name: str) -> dt.datetime:
    """A wall-clock time in a time zone as an aware UTC time.

    Raises ValidationError for a time the clocks skip (the hour lost when summer
    time starts), which would otherwise silently move by an hour.
    """
    tz = zone(zone_name)
    aware = value.replace(tzinfo=tz)
    back = aware.astimezone(dt.UTC).astimezone(tz)
    if back.replace(tzinfo=None) != value.replace(tzinfo=None):
        raise ValidationError(
            _("%(time)s does not exist in %(zone)s: the clocks change then. Pick another time.")
            % {"time": value.strftime("%Y-%m-%d %H:%M"), "zone": zone_name},
            code="nonexistent_time",
        )
    return aware.astimezone(dt.UTC)


class DateTimeLocalInput(forms.DateTimeInput):
    """A native date-and-time picker; its value is ISO 8601 whatever the language."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class WallClockDateTimeField(SensibleDateTimeField):
    """A date and time as typed, with no zone attached: the form decides which zone
    it is in (the program's), not the viewer's, whose clock changes may differ."""

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value
        for format in self.input_formats or ():
            try:
                return dt.datetime.strptime(str(value).strip(), format)  # noqa: DTZ007 - zone-less on purpose
            except (ValueError, TypeError):
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")
