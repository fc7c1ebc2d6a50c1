"""allauth configured for this site: emails name the product, not the request's host;
single sign-on with domain rules, linking rules and re-authentication through the
provider (the mechanics are in the mentoring.sso package)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.base.constants import AuthError, AuthProcess
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from mentoring.sessions import mfa_required
from mentoring.sso.problems import SsoProblem, problem_kind, sso_problem_response
from mentoring.sso.signin import (
    REAUTHENTICATE_STATE,
    check_nonce,
    provider_logout_url,
    reauthentication_state,
    recently_reauthenticated,
    stash_pending_link,
)
from mentoring.validators import name_problem


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


def sso_only_message() -> str:
    return _(
        "People at this organisation sign in with single sign-on: use the "
        "“Sign in with …” button instead of a password."
    )


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        super().send_mail(template_prefix, email, {"current_site": site_info(), **context})

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # Password sign-in is refused for SSO-only domains, whether or not the
        # account exists (so the answer reveals nothing about accounts).
        if sso_required_for(credentials.get("email")):
            raise forms.ValidationError(sso_only_message(), code="sso_required")
        super().pre_authenticate(request, **credentials)

    def get_reauthentication_methods(self, user: Any) -> list[dict[str, Any]]:
        """Password and second factor as allauth offers them, plus signing in again at
        the identity provider for anyone with a linked account. For people who have no
        password, or whose domain must use SSO (their password is refused), the provider
        comes first and the password is not offered."""
        methods: list[dict[str, Any]] = super().get_reauthentication_methods(user)
        if not user.is_authenticated or not SocialAccount.objects.filter(user=user).exists():
            return methods
        sso = {
            "id": "sso",
            "description": _("Sign in again with your organisation's account"),
            "url": reverse("sso_reauthenticate"),
        }
        if not user.has_usable_password() or sso_required_for(user.email):
            return [sso, *(m for m in methods if m["id"] != "reauthenticate")]
        return [*methods, sso]

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        # allauth only counts password, code and MFA re-authentication; ours at the
        # provider counts too, for as long as allauth's own timeout.
        if recently_reauthenticated(context.request):
            return False
        result: bool = super().is_reauthentication_required(app=app, **kwargs)
        return result

    def get_logout_redirect_url(self, request: HttpRequest) -> str:
        # Read before the session ends (allauth asks first, then signs out).
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            url = provider_logout_url(request)
            if url:
                return url
        result: str = super().get_logout_redirect_url(request)
        return result


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through the organisation's identity provider.

    People are created on their first sign-in (SOCIALACCOUNT_AUTO_SIGNUP); when
    SSO_ALLOWED_DOMAINS is set, only addresses in those domains may sign in this way.
    A first sign-in is linked to an existing account only through an address the
    provider verified; a staff, coordinator or HR account also needs its second factor.
    """

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        provider_name = str(getattr(sociallogin.provider, "name", ""))
        try:
            check_nonce(sociallogin)
        except SsoProblem as problem:
            raise ImmediateHttpResponse(
                sso_problem_response(
                    request, kind=problem.kind, provider_name=provider_name, error=problem
                )
            ) from None
        if sociallogin.state.get(REAUTHENTICATE_STATE):
            reauthentication_state(request, sociallogin)
        self._check_allowed_domain(request, sociallogin)
        if (
            sociallogin.state.get("process") == AuthProcess.CONNECT
            and request.user.is_authenticated
        ):
            # Connecting from one's own account page (allauth asks to re-authenticate
            # first): the link goes to the person signed in, whatever the address says.
            return
        if sociallogin.is_existing and sociallogin.account.pk:
            return  # Linked before: the provider's subject identifies the person.
        if not sociallogin.email_addresses and not getattr(sociallogin.user, "email", ""):
            raise ImmediateHttpResponse(
                sso_problem_response(request, kind="no_email", provider_name=provider_name)
            )
        if not any(address.verified for address in sociallogin.email_addresses):
            raise ImmediateHttpResponse(
                sso_problem_response(request, kind="unverified", provider_name=provider_name)
            )
        if sociallogin.is_existing and mfa_required(sociallogin.user):
            raise ImmediateHttpResponse(stash_pending_link(request, sociallogin))

    def _check_allowed_domain(self, request: HttpRequest, sociallogin: Any) -> None:
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

    def is_email_verified(self, provider: Any, email: str) -> bool:
        # allauth's "verified_email" would mark every address verified, even one the
        # provider said is not: our provider class fills only a missing claim instead.
        return False

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: BaseException | None = None,
        extra_context: Any = None,
    ) -> None:
        if error == AuthError.CANCELLED:
            return  # allauth's "sign-in cancelled" page
        kind = problem_kind(exception)
        raise ImmediateHttpResponse(
            sso_problem_response(
                request,
                kind=kind,
                provider_name=str(getattr(provider, "name", "")),
                error=exception or error or (extra_context or {}).get("saml_last_error_reason"),
            )
        )

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        # A provider's name that could spoof (text-direction controls) is left out:
        # the person types their name in their profile instead.
        if name and not user.full_name and not name_problem(name):
            user.full_name = name[:150]
        if user.email:
            user.email = user.email.lower()
        return user
