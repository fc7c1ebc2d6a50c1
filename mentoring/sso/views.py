"""The pages of single sign-on: the OpenID Connect callback, linking a privileged
account with its second factor, and re-authentication at the provider."""

from __future__ import annotations

from typing import Any

import requests
from allauth.account.internal.decorators import login_not_required
from allauth.account.internal.flows.login import record_authentication
from allauth.account.internal.flows.reauthentication import resume_request
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.utils import is_mfa_enabled
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.provider import (
    OpenIDConnectProvider as AllauthOpenIDConnectProvider,
)
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mentoring.http import AuthenticatedHttpRequest, login_required
from mentoring.sso.problems import SsoProblem, problem_kind, sso_problem_response
from mentoring.sso.providers import OpenIDConnectAdapter
from mentoring.sso.signin import (
    PENDING_LINK_KEY,
    REAUTHENTICATE_STATE,
    linked_providers,
    pending_link,
    session_on_sso_login,
)


@login_not_required
def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """allauth's callback, with our adapter, and a page for a provider that fails."""
    adapter = OpenIDConnectAdapter(request, provider_id)
    try:
        view = OAuth2CallbackView.adapter_view(adapter)
        response: HttpResponse = view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
    except (requests.RequestException, SsoProblem) as error:
        return sso_problem_response(
            request,
            kind=problem_kind(error),
            provider_name=_provider_name(request, provider_id),
            error=error,
        )
    return response


def _provider_name(request: HttpRequest, provider_id: str) -> str:
    try:
        return str(get_adapter().get_provider(request, provider_id).name)
    except SocialApp.DoesNotExist:
        return ""


@login_not_required
@require_http_methods(["GET", "POST"])
def sso_link_confirm(request: HttpRequest) -> HttpResponse:
    """Link a first SSO sign-in to a staff, coordinator or HR account: its second factor
    must be entered here, so the provider alone cannot take over a privileged account."""
    pending = pending_link(request)
    if pending is None:
        messages.error(request, _("That sign-in has expired. Please sign in again."))
        return redirect("account_login")
    sociallogin, user, data = pending
    context: dict[str, Any] = {
        "provider_name": sociallogin.provider.name,
        "email": user.email,
        "provider_id": sociallogin.account.provider,
        "uid": sociallogin.account.uid,
    }
    if not is_mfa_enabled(user):
        # No second factor to check: only an administrator can link this account.
        return render(request, "socialaccount/sso_link_admin.html", context, status=403)
    form = AuthenticateForm(user=user, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form.save()
        request.session.pop(PENDING_LINK_KEY, None)
        sociallogin.connect(request, user)
        login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        record_authentication(
            request,
            user,
            method="socialaccount",
            provider=sociallogin.account.provider,
            uid=sociallogin.account.uid,
        )
        request.mentoring_sso_end_session = data.get("end_session", "")  # type: ignore[attr-defined]
        session_on_sso_login(request, sociallogin)
        messages.success(
            request,
            _("Your account is now linked to %(provider)s. Next time, just use its button.")
            % {"provider": sociallogin.provider.name},
        )
        next_url = sociallogin.get_redirect_url(request) or ""
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse(settings.LOGIN_REDIRECT_URL)
        return redirect(next_url)
    context["form"] = form
    return render(request, "socialaccount/sso_link_confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def sso_reauthenticate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Confirm who you are by signing in again at the provider (prompt=login, max_age=0)."""
    providers = linked_providers(request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST":
        chosen = next((p for p in providers if p.sub_id == request.POST.get("provider")), None)
        if chosen is None:
            return redirect(request.get_full_path())
        extra: dict[str, Any] = {REAUTHENTICATE_STATE: True}
        if isinstance(chosen, AllauthOpenIDConnectProvider):
            params = {**chosen.get_auth_params(), "prompt": "login", "max_age": "0"}
            extra["auth_params"] = params
        response: HttpResponse = chosen.redirect(
            request, "login", next_url=next_url or None, **extra
        )
        return response
    return render(
        request,
        "socialaccount/sso_reauthenticate.html",
        {"providers": providers, "next": next_url},
    )


@login_required
def sso_reauthenticate_done(request: AuthenticatedHttpRequest) -> HttpResponse:
    response = resume_request(request)
    if response is not None:
        return response
    return redirect(settings.LOGIN_REDIRECT_URL)
