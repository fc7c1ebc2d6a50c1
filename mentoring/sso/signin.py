"""What a sign-in through the provider checks and leaves in the session (called by the
social account adapter, the sign-in receivers and the views): the nonce, the
provider's second factor, sign-out at the provider, re-authentication and a pending
link to a privileged account."""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import record_authentication
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin
from allauth.socialaccount.providers.openid_connect.provider import (
    OpenIDConnectProvider as AllauthOpenIDConnectProvider,
)
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse

from mentoring.models import User
from mentoring.sso.origins import (
    callback_url,
    configured_provider_origins,
    origin_of,
    provider_url_allowed,
)
from mentoring.sso.problems import SsoProblem, sso_problem_response

# What this session's SSO sign-in left for sign-out: provider id, end-session URL, ID token.
SESSION_KEY = "mentoring_sso"
# When the person last confirmed who they are at the provider (re-authentication).
REAUTHENTICATED_AT_KEY = "mentoring_sso_reauthenticated_at"
# A first SSO sign-in waiting for a privileged account's second factor before linking.
PENDING_LINK_KEY = "mentoring_sso_pending_link"
PENDING_LINK_MAX_AGE = 600
# The state flag that marks a round trip to the provider as a re-authentication.
REAUTHENTICATE_STATE = "mentoring_reauthenticate"


def check_nonce(sociallogin: SocialLogin) -> None:
    """The ID token must carry the nonce we sent with this very request."""
    if not isinstance(sociallogin.provider, AllauthOpenIDConnectProvider):
        return
    expected = str((sociallogin.state or {}).get("nonce") or "")
    got = str((sociallogin.account.extra_data.get("id_token") or {}).get("nonce") or "")
    if not expected or not secrets.compare_digest(expected, got):
        raise SsoProblem("failed", "nonce mismatch")


def provider_mfa_satisfied(sociallogin: SocialLogin | None) -> bool:
    """True when the ID token says the provider checked a second factor, in a way the
    provider's settings (mfa_amr / mfa_acr, from OIDC_MFA_AMR / OIDC_MFA_ACR) trust."""
    if sociallogin is None:
        return False
    app = getattr(sociallogin.provider, "app", None)
    app_settings = getattr(app, "settings", None) or {}
    trusted_amr = {str(v) for v in app_settings.get("mfa_amr") or []}
    trusted_acr = {str(v) for v in app_settings.get("mfa_acr") or []}
    token = sociallogin.account.extra_data.get("id_token") or {}
    amr = token.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    acr = str(token.get("acr") or "")
    return bool(trusted_amr & {str(v) for v in amr}) or bool(acr and acr in trusted_acr)


def session_on_sso_login(request: HttpRequest, sociallogin: SocialLogin) -> None:
    """At an SSO sign-in: remember what sign-out needs to end the provider's session."""
    request.session[SESSION_KEY] = {
        "provider": sociallogin.account.provider,
        "end_session": getattr(request, "mentoring_sso_end_session", ""),
        "id_token": getattr(request, "mentoring_sso_id_token", ""),
        "client_id": getattr(getattr(sociallogin.provider, "app", None), "client_id", ""),
    }


def provider_logout_url(request: HttpRequest) -> str:
    """Where sign-out sends the browser to end the provider's session too ("" for none)."""
    info = request.session.get(SESSION_KEY) or {}
    end_session = str(info.get("end_session") or "")
    if not (settings.SSO_PROVIDER_LOGOUT and end_session and provider_url_allowed(end_session)):
        return ""
    # The sign-out form is a POST: form-action must allow where it redirects to.
    if origin_of(end_session) not in configured_provider_origins():
        return ""
    params = {"post_logout_redirect_uri": callback_url(reverse("account_login"))}
    if info.get("id_token"):
        params["id_token_hint"] = str(info["id_token"])
    if info.get("client_id"):
        params["client_id"] = str(info["client_id"])
    separator = "&" if "?" in end_session else "?"
    return f"{end_session}{separator}{urlencode(params)}"


def reauthentication_state(request: HttpRequest, sociallogin: SocialLogin) -> None:
    """A round trip to the provider to confirm the signed-in person: record it and go on."""
    user = request.user
    linked = sociallogin.is_existing and sociallogin.account.pk
    if not (user.is_authenticated and linked and sociallogin.user.pk == user.pk):
        raise ImmediateHttpResponse(
            sso_problem_response(
                request, kind="reauthenticate_other", provider_name=sociallogin.provider.name
            )
        )
    record_authentication(
        request,
        user,
        method="socialaccount",
        reauthenticated=True,
        provider=sociallogin.account.provider,
        uid=sociallogin.account.uid,
    )
    request.session[REAUTHENTICATED_AT_KEY] = time.time()
    next_url = str((sociallogin.state or {}).get("next") or "")
    done = reverse("sso_reauthenticate_done")
    if next_url:
        done += "?" + urlencode({"next": next_url})
    raise ImmediateHttpResponse(HttpResponseRedirect(done))


def recently_reauthenticated(request: HttpRequest | None) -> bool:
    if request is None or not hasattr(request, "session"):
        return False
    at = request.session.get(REAUTHENTICATED_AT_KEY)
    return isinstance(at, int | float) and time.time() - at < (
        account_settings.REAUTHENTICATION_TIMEOUT
    )


def stash_pending_link(request: HttpRequest, sociallogin: SocialLogin) -> HttpResponse:
    """A privileged account matched by address: link only after its second factor."""
    request.session[PENDING_LINK_KEY] = {
        "sociallogin": sociallogin.serialize(),
        "user_id": sociallogin.user.pk,
        "at": time.time(),
        "end_session": getattr(request, "mentoring_sso_end_session", ""),
    }
    return redirect("sso_link_confirm")


def pending_link(request: HttpRequest) -> tuple[SocialLogin, User, dict[str, Any]] | None:
    data = request.session.get(PENDING_LINK_KEY)
    if not isinstance(data, dict) or time.time() - float(data.get("at", 0)) > PENDING_LINK_MAX_AGE:
        return None
    user = User.objects.filter(pk=int(data.get("user_id") or 0), is_active=True).first()
    if user is None:
        return None
    try:
        sociallogin = SocialLogin.deserialize(data["sociallogin"])
    except (KeyError, ValueError):
        return None
    return sociallogin, user, data


def linked_providers(user: User) -> list[Any]:
    """The providers this person can sign in again with (their linked accounts)."""
    providers = []
    for account in SocialAccount.objects.filter(user=user).order_by("pk"):
        try:
            providers.append(account.get_provider())
        except SocialApp.DoesNotExist:
            continue
    return providers
