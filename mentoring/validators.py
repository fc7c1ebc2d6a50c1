"""Input rules every form, import and API field shares: names people type, and dates.

Names: a name is shown to other people (pairs, coordinators' lists, emails, CSVs), so it
may not carry characters that change how the text around it reads. Refused: control
characters, the bidirectional overrides, embeddings and isolates (U+202A-U+202E,
U+2066-U+2069, and the marks U+200E, U+200F, U+061C), invisible spaces (U+200B, U+2060,
U+FEFF), surrogates and private-use characters, and a name with nothing visible in it.
The zero-width joiner and non-joiner (U+200D, U+200C) stay allowed inside a name: Persian
and several Indic scripts need them.

Dates: from 1900 to 2100. Anything outside is a typing slip (0001, 9999, 20266) that
would break reminders, calendars and date arithmetic later.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)

_BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_INVISIBLE = frozenset("\u200b\u2060\ufeff")
_JOINERS = frozenset("\u200c\u200d")


def name_problem(value: str) -> str:
    """Why ``value`` cannot be a person's name, or "" when it can."""
    for char in value:
        if char in _BIDI_CONTROLS:
            return str(
                _(
                    "Remove the text-direction control character (U+%(code)04X): "
                    "it would change how your name and the text around it read."
                )
                % {"code": ord(char)}
            )
        category = unicodedata.category(char)
        if char in _INVISIBLE or category in {"Cc", "Cs", "Co"}:
            return str(
                _("Remove the invisible or control character (U+%(code)04X).") % {"code": ord(char)}
            )
    visible = [c for c in value if not c.isspace() and c not in _JOINERS]
    if value and not visible:
        return str(_("Write a name with at least one visible letter."))
    return ""


def validate_person_name(value: str) -> None:
    problem = name_problem(value)
    if problem:
        raise ValidationError(problem, code="name")


def date_problem(value: dt.date | dt.datetime) -> str:
    """Why ``value`` is outside the dates the product works with, or ""."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if DATE_MIN <= day <= DATE_MAX:
        return ""
    return str(
        _("Choose a date between %(min)s and %(max)s.")
        % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}
    )


def validate_sensible_date(value: dt.date | dt.datetime | None) -> None:
    if value is None:
        return
    problem = date_problem(value)
    if problem:
        raise ValidationError(problem, code="date_range")


class NameField(forms.CharField):
    """A person's name: trimmed, and refused with a field error when it could spoof."""

    default_validators = [validate_person_name]


class _DateBounds:
    """Adds the bounds to the browser's picker too (min / max attributes)."""

    iso_min = DATE_MIN.isoformat()
    iso_max = DATE_MAX.isoformat()

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs: dict[str, Any] = super().widget_attrs(widget)  # type: ignore[misc]
        input_type = getattr(widget, "input_type", "")
        if input_type == "date":
            attrs.setdefault("min", self.iso_min)
            attrs.setdefault("max", self.iso_max)
        elif input_type == "datetime-local":
            attrs.setdefault("min", f"{self.iso_min}T00:00")
            attrs.setdefault("max", f"{self.iso_max}T23:59")
        return attrs


class SensibleDateField(_DateBounds, forms.DateField):
    """A date from 1900 to 2100."""

    default_validators = [validate_sensible_date]


class SensibleDateTimeField(_DateBounds, forms.DateTimeField):
    """A date and time from 1900 to 2100."""

    default_validators = [validate_sensible_date]
