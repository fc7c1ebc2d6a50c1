"""Sending email: every message has a text and an HTML part from templates/emails/."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def email_render(template: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """Subject, text body and HTML body of ``emails/<template>``."""
    full = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", full).split())
    text = render_to_string(f"emails/{template}.txt", full)
    html = render_to_string(f"emails/{template}.html", full)
    return subject, text, html


def email_send(
    *,
    to: Sequence[str],
    template: str,
    context: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    reply_to: Sequence[str] = (),
) -> None:
    subject, text, html = email_render(template, context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=list(to),
        reply_to=list(reply_to),
        headers=dict(headers or {}),
    )
    message.attach_alternative(html, "text/html")
    message.send()


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
