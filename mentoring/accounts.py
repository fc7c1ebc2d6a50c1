"""allauth configured for this site: emails name the product, not the request's host;
single sign-on through OpenID Connect with domain rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class SiteInfo:
    """What allauth's email templates read from ``current_site``."""

    name: str
    domain: str


def site_info() -> SiteInfo:
    return SiteInfo(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


def email_domain(email: str | None) -> str:
    return (email or "").rpartition("@")[2].strip().lower()


def sso_required_for(email: str | None) -> bool:
    """True when this address belongs to a domain that must sign in through SSO."""
    return bool(email) and email_domain(email) in settings.SSO_ONLY_DOMAINS


def _sso_only_message() -> str:
    return _(
        "People at this organisation sign in with single sign-on. "
        "Use the “Sign in with …” button below instead of a password."
    )


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        super().send_mail(template_prefix, email, {"current_site": site_info(), **context})

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # Password sign-in is refused for SSO-only domains, whether or not the
        # account exists (so the answer reveals nothing about accounts).
        if sso_required_for(credentials.get("email")):
            raise forms.ValidationError(_sso_only_message(), code="sso_required")
        super().pre_authenticate(request, **credentials)

    def clean_email(self, email: str) -> str:
        # Signing up (or adding an address) with a password for an SSO-only domain
        # would make a second way in that the organisation does not control.
        if sso_required_for(email):
            raise forms.ValidationError(_sso_only_message(), code="sso_required")
        return super().clean_email(email)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through the organisation's identity provider.

    People are created on their first sign-in (SOCIALACCOUNT_AUTO_SIGNUP); when
    SSO_ALLOWED_DOMAINS is set, only addresses in those domains may sign in this way.
    """

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        allowed = settings.SSO_ALLOWED_DOMAINS
        if not allowed:
            return
        emails = [a.email for a in sociallogin.email_addresses] or [
            getattr(sociallogin.user, "email", "")
        ]
        if not any(email_domain(e) in allowed for e in emails if e):
            response = render(
                request,
                "socialaccount/domain_refused.html",
                {"domains": allowed},
                status=403,
            )
            raise ImmediateHttpResponse(response)

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        # Accounts from the identity provider are always welcome (it vouches for
        # them), even where self sign-up with a password would be closed.
        return True

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        if name and not user.full_name:
            user.full_name = name[:150]
        if user.email:
            user.email = user.email.lower()
        return user
