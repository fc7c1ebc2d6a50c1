"""Sending email: every message has a text and an HTML part from templates/emails/."""

from __future__ import annotations

import email.policy
from collections.abc import Mapping, Sequence
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


class _UrlListHeader(UnstructuredHeader, BaseHeader):
    """RFC 2369 ``List-*`` fields: angle-bracketed URLs that mail programs read as
    they are (``List-Unsubscribe`` is how "Unsubscribe" in Gmail or Outlook works).

    The stock folding turns a line longer than 78 characters with nowhere to break
    into RFC 2047 encoded words (``=?utf-8?q?=3Chttps=3A//...``), which those
    programs do not decode there. An ASCII line is written whole instead: RFC 5322
    allows up to 998 characters.
    """

    def fold(self, *, policy: Any) -> str:
        line = f"{self.name}: {self}"
        if line.isascii() and len(line) <= 998:
            return line + policy.linesep
        return super().fold(policy=policy)


class _HeaderClasses(HeaderRegistry):
    """The standard library's header factory, with each header class made once, each
    header value that comes back (the sender, the content types) parsed once, and
    the ``List-*`` fields kept readable.

    The stock registry builds a new class (``type(...)``) for every header it parses,
    and parses every header twice: when the message is built and when it is written
    out. That was half the cost of a reminder email. Header objects are immutable, so
    messages can share them; the bytes written are the same.
    """

    PARSED_MAX = 256  # header values kept; the cache starts over when full

    def __init__(self) -> None:
        super().__init__()
        for name in ("list-unsubscribe", "list-unsubscribe-post"):
            self.map_to_type(name, _UrlListHeader)
        self._made: dict[str, type[BaseHeader]] = {}
        self._parsed: dict[tuple[str, str], BaseHeader] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made

    def __call__(self, name: str, value: Any) -> BaseHeader:
        if type(value) is not str:
            return self[name](name, value)
        key = (name, value)
        header = self._parsed.get(key)
        if header is None:
            if len(self._parsed) >= self.PARSED_MAX:
                self._parsed.clear()
            header = self._parsed[key] = self[name](name, value)
        return header


_HEADERS = _HeaderClasses()


class Email(EmailMultiAlternatives):
    """Django's text + HTML email, whose MIME message uses the header classes above
    under whatever policy the mail backend asks for (the SMTP backend asks for
    ``email.policy.SMTP``); the bytes sent are the same but for ``List-*`` fields."""

    def message(self, *, policy: email.policy.Policy | None = None) -> EmailMessage:
        policy = email.policy.default if policy is None else policy
        if isinstance(policy, email.policy.EmailPolicy) and type(policy.header_factory) is (
            HeaderRegistry
        ):
            policy = policy.clone(header_factory=_HEADERS)
        return super().message(policy=policy)


def email_render(template: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """Subject, text body and HTML body of ``emails/<template>``."""
    # No SITE_URL here: every link is built by absolute_url, in the sender.
    full = {"SITE_NAME": settings.SITE_NAME, **context}
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
    message = Email(
        subject=subject,
        body=text,
        to=list(to),
        reply_to=list(reply_to),
        headers=dict(headers or {}),
    )
    message.attach_alternative(html, "text/html")
    message.send()


def absolute_url(path: str) -> str:
    """The one builder of links that leave the site (emails, calendar files and feeds,
    single sign-on callbacks): SITE_URL, which ``runlocal`` sets to the address it
    serves unless it is given."""
    return f"{settings.SITE_URL}{path}"
