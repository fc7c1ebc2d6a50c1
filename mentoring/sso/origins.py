"""Where the identity providers live: https outside DEBUG, their origins for the
Content-Security-Policy's form-action, and the callback URL built from SITE_URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mentoring.emails import absolute_url

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def provider_url_allowed(url: str) -> bool:
    """https, or plain http on this machine where that is allowed (DEBUG, tests)."""
    parts = urlsplit(url or "")
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http":
        return False
    return bool(
        settings.DEBUG or (settings.SSO_ALLOW_HTTP_LOOPBACK and parts.hostname in LOOPBACK_HOSTS)
    )


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def callback_url(path: str) -> str:
    """Where the provider sends people back: SITE_URL, never the request's Host header."""
    return absolute_url(path)


def configured_provider_origins() -> list[str]:
    """The origins of the providers configured in settings, for the CSP's form-action.

    OpenID Connect: the issuer's (server_url) origin. SAML: the IdP's sign-in, sign-out
    and metadata URLs' origins. Read from settings, so it costs no query.
    """
    origins: list[str] = []
    for config in getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}).values():
        for app in config.get("APPS", []) if isinstance(config, dict) else []:
            app_settings = app.get("settings") or {}
            idp = app_settings.get("idp") or {}
            for url in (
                app_settings.get("server_url"),
                idp.get("sso_url"),
                idp.get("slo_url"),
                idp.get("metadata_url"),
            ):
                origin = origin_of(url or "")
                if origin and provider_url_allowed(url or "") and origin not in origins:
                    origins.append(origin)
    return origins


def leave_for_provider(request: HttpRequest, response: HttpResponse, *, name: str) -> HttpResponse:
    """Pass a redirect to the provider on, unless the page's form-action would block it.

    Then a page with a plain link does the job: a link is not a form navigation.
    """
    location = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
    target = origin_of(location)
    if not target or target in configured_provider_origins():
        return response
    return render(request, "socialaccount/sso_continue.html", {"url": location, "name": name})
