"""{{ field|invalid_because:"form-errors" }}: a widget marked invalid by a form-wide error.

Django marks a field aria-invalid and points it at its own error only when the error is
the field's. A sign-in that fails ("the email or password is wrong") is a form-wide
error about every field; this renders the widget as invalid, described by that error.
"""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def invalid_because(field: BoundField, error_id: str) -> SafeString:
    described = " ".join(part for part in (error_id, field.aria_describedby) if part)
    return field.as_widget(attrs={"aria-invalid": "true", "aria-describedby": described})
