"""allauth configured for this site: emails name the product, not the request's host."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


@dataclass(frozen=True)
class SiteInfo:
    """What allauth's email templates read from ``current_site``."""

    name: str
    domain: str


def site_info() -> SiteInfo:
    return SiteInfo(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        super().send_mail(template_prefix, email, {"current_site": site_info(), **context})
