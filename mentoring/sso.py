"""Single sign-on through OpenID Connect and SAML 2.0 (allauth's providers, with our
provider classes).

What this adds to allauth, and why:

- The browser's Content-Security-Policy allows form navigation to exactly the configured
  providers' origins (``SsoFormActionMiddleware``): the "Sign in with ..." button POSTs to
  us and our answer redirects to the provider, which ``form-action 'self'`` alone blocks.
  A provider whose pages live on another origin (one added in the admin, or whose
  authorization endpoint is elsewhere) gets a "Continue to ..." page with a plain link.
- A ``nonce`` goes out with every authorization request and must come back in the ID
  token; the ID token's signature is always checked against the provider's keys.
- Provider endpoints must be https outside DEBUG (plain http on this machine only when
  SSO_ALLOW_HTTP_LOOPBACK is on, as in the tests).
- ``email_verified`` is the provider's word; OIDC_EMAIL_VERIFIED only fills a missing claim.
- A provider that is down, hanging or misconfigured gives a page that says so, with the
  way back to sign-in, within the timeouts in settings (never a 500).
- Linking a first SSO sign-in to an existing staff, coordinator or HR account needs that
  account's second factor (``sso_link_confirm``); an admin can link instead.
- Re-authentication through the provider (``sso_reauthenticate``), so people without a
  password can still set up two-factor authentication.
- Sign-out ends the provider's session too when it offers an ``end_session_endpoint``.

The callback URL is built from SITE_URL (``callback_url``), never from the request's host.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from allauth.account import app_settings as account_settings
from allauth.account.internal.decorators import login_not_required
from allauth.account.internal.flows.login import record_authentication
from allauth.account.internal.flows.reauthentication import resume_request
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.datakit import parse_bool_safely
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.utils import is_mfa_enabled
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin
from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.provider import (
    OpenIDConnectProvider as AllauthOpenIDConnectProvider,
)
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.socialaccount.providers.saml.provider import SAMLProvider as AllauthSAMLProvider
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from onelogin.saml2.errors import OneLogin_Saml2_Error

from mentoring.emails import absolute_url
from mentoring.http import AuthenticatedHttpRequest, login_required
from mentoring.models import User

logger = logging.getLogger(__name__)
StrOrPromise = str | Promise
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
# What this session's SSO sign-in left for sign-out: provider id, end-session URL, ID token.
SESSION_KEY = "mentoring_sso"
# When the person last confirmed who they are at the provider (re-authentication).
REAUTHENTICATED_AT_KEY = "mentoring_sso_reauthenticated_at"
# A first SSO sign-in waiting for a privileged account's second factor before linking.
PENDING_LINK_KEY = "mentoring_sso_pending_link"
PENDING_LINK_MAX_AGE = 600
# The state flag that marks a round trip to the provider as a re-authentication.
REAUTHENTICATE_STATE = "mentoring_reauthenticate"


class SsoProblem(ProviderException):
    """Something about the provider, shown to the person as a page (see PROBLEMS)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(detail or kind)
        self.kind = kind


# kind -> (HTTP status, title, explanation with %(provider)s).
PROBLEMS: dict[str, tuple[int, StrOrPromise, StrOrPromise]] = {
    "unreachable": (
        502,
        gettext_lazy("The sign-in service cannot be reached"),
        gettext_lazy(
            "We could not reach %(provider)s just now. It may be down or there may be a network "
            "problem. Try again in a few minutes."
        ),
    ),
    "timeout": (
        504,
        gettext_lazy("The sign-in service is not answering"),
        gettext_lazy("%(provider)s did not answer in time. Try again in a few minutes."),
    ),
    "misconfigured": (
        502,
        gettext_lazy("Single sign-on is not set up correctly"),
        gettext_lazy(
            "%(provider)s answered in a way we cannot use, so we stopped for your safety. Please "
            "tell your site administrator; the details are in the server log."
        ),
    ),
    "insecure": (
        502,
        gettext_lazy("Single sign-on is not set up correctly"),
        gettext_lazy(
            "%(provider)s is configured with an address that is not https, so we will not send "
            "you there. Please tell your site administrator."
        ),
    ),
    "failed": (
        401,
        gettext_lazy("Sign-in did not complete"),
        gettext_lazy(
            "%(provider)s could not confirm who you are, or the sign-in took too long or was "
            "started in another tab. Please try again."
        ),
    ),
    "unverified": (
        403,
        gettext_lazy("Your email address is not confirmed"),
        gettext_lazy(
            "%(provider)s did not confirm that the email address it sent belongs to you, so we "
            "cannot sign you in with it. Ask your IT team to mark the address as verified."
        ),
    ),
    "no_email": (
        403,
        gettext_lazy("No email address"),
        gettext_lazy(
            "%(provider)s did not send an email address, which we need to find or create your "
            "account. Ask your IT team to release the email claim to this application."
        ),
    ),
    "reauthenticate_other": (
        403,
        gettext_lazy("That was a different account"),
        gettext_lazy(
            "You confirmed your identity at %(provider)s as someone other than the person signed "
            "in here. Nothing was changed. Sign in at %(provider)s with your own account."
        ),
    ),
}


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


class SsoFormActionMiddleware:
    """Allow form navigation to the configured identity providers, and nowhere else.

    Sits after Django's CSP middleware in MIDDLEWARE, so it sees the response first and
    hands it an extended policy (the attribute ``csp_override`` sets for one view).
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        policy: dict[str, Any] = dict(settings.SECURE_CSP or {})
        origins = configured_provider_origins()
        if policy and origins and not hasattr(response, "_csp_config"):
            form_action = [*policy.get("form-action", []), *origins]
            response._csp_config = {**policy, "form-action": form_action}  # type: ignore[attr-defined]
        return response


def sso_problem_response(
    request: HttpRequest, *, kind: str, provider_name: str = "", error: object = None
) -> HttpResponse:
    """The page for a sign-in that could not go on; the cause goes to the log."""
    status, title, text = PROBLEMS.get(kind, PROBLEMS["failed"])
    logger.warning("single sign-on with %s stopped: %s (%r)", provider_name or "?", kind, error)
    name = provider_name or _("your organisation's sign-in service")
    return render(
        request,
        "socialaccount/authentication_error.html",
        {
            "problem_kind": kind,
            "problem_title": title,
            "problem_text": str(text) % {"provider": name},
            "login_url": reverse("account_login"),
        },
        status=status,
    )


def problem_kind(exception: BaseException | None) -> str:
    if isinstance(exception, SsoProblem):
        return exception.kind
    if isinstance(exception, requests.Timeout):
        return "timeout"
    if isinstance(exception, requests.RequestException):
        return "unreachable"
    return "failed"


def leave_for_provider(request: HttpRequest, response: HttpResponse, *, name: str) -> HttpResponse:
    """Pass a redirect to the provider on, unless the page's form-action would block it.

    Then a page with a plain link does the job: a link is not a form navigation.
    """
    location = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
    target = origin_of(location)
    if not target or target in configured_provider_origins():
        return response
    return render(request, "socialaccount/sso_continue.html", {"url": location, "name": name})


class OpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's adapter, with https checked, the ID token's signature always verified and
    the callback URL taken from SITE_URL."""

    @property
    def openid_config(self) -> dict[str, Any]:
        if not hasattr(self, "_openid_config"):
            provider = self.get_provider()
            if not provider_url_allowed(provider.server_url):
                raise SsoProblem("insecure", f"server_url {provider.server_url}")
            config: dict[str, Any] = super().openid_config
            required = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
            urls = [config.get(key) for key in required]
            urls += [
                config[key]
                for key in ("userinfo_endpoint", "end_session_endpoint")
                if key in config
            ]
            if not all(isinstance(url, str) and url for url in urls):
                del self._openid_config
                raise SsoProblem("misconfigured", "discovery document lacks endpoints")
            if not all(provider_url_allowed(str(url)) for url in urls):
                del self._openid_config
                raise SsoProblem("insecure", "a discovered endpoint is not https")
        result: dict[str, Any] = self._openid_config
        return result

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict[str, Any]:
        # allauth skips the signature of a token it fetched itself over TLS (the
        # specification allows it); we check it anyway, so a misconfigured token
        # endpoint or a proxy in between cannot hand us a forged identity.
        result: dict[str, Any] = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        return result

    def get_callback_url(self, request: HttpRequest, app: SocialApp) -> str:
        return callback_url(
            reverse("openid_connect_callback", kwargs={"provider_id": self.provider_id})
        )

    def complete_login(
        self, request: HttpRequest, app: SocialApp, token: Any, **kwargs: Any
    ) -> Any:
        sociallogin = super().complete_login(request, app, token, **kwargs)
        # Kept for this request only (never stored): the hint for RP-initiated logout.
        request.mentoring_sso_id_token = kwargs["response"].get("id_token") or ""  # type: ignore[attr-defined]
        request.mentoring_sso_end_session = self.openid_config.get("end_session_endpoint", "")  # type: ignore[attr-defined]
        return sociallogin


def _claim(data: dict[str, Any], name: str) -> Any:
    """A claim from the user-info answer, else from the ID token; None when absent."""
    for part in ("userinfo", "id_token"):
        values = data.get(part) or {}
        if name in values:
            return values[name]
    return None


class OpenIDConnectProvider(AllauthOpenIDConnectProvider):
    # allauth's URLs (login and callback names) come from the provider's package.
    package = "allauth.socialaccount.providers.openid_connect"
    oauth2_adapter_class = OpenIDConnectAdapter

    def extract_email_addresses(self, data: dict[str, Any]) -> list[Any]:
        addresses: list[Any] = super().extract_email_addresses(data)
        claim = _claim(data, "email_verified")
        for address in addresses:
            if claim is None:
                address.verified = bool(self.app.settings.get("missing_email_verified", False))
            else:
                address.verified = parse_bool_safely(claim)
        return addresses

    def redirect(
        self,
        request: HttpRequest,
        process: str,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> HttpResponse:
        nonce = secrets.token_urlsafe(24)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce}
        try:
            response: HttpResponse = super().redirect(
                request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
            )
        except (requests.RequestException, SsoProblem) as error:
            return sso_problem_response(
                request, kind=problem_kind(error), provider_name=self.name, error=error
            )
        return leave_for_provider(request, response, name=self.name)


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
    from allauth.socialaccount.adapter import get_adapter

    try:
        return str(get_adapter().get_provider(request, provider_id).name)
    except SocialApp.DoesNotExist:
        return ""


# -- SAML 2.0 ------------------------------------------------------------------------


class SAMLProvider(AllauthSAMLProvider):
    """allauth's SAML provider with the same rules as OpenID Connect: https outside
    DEBUG, an address counts as verified only when the IdP says so (or, with the app's
    ``missing_email_verified``, when it says nothing), errors as pages, and a forced
    fresh sign-in at the IdP for re-authentication."""

    package = "allauth.socialaccount.providers.saml"

    def extract_email_addresses(self, data: Any) -> list[Any]:
        from allauth.account.models import EmailAddress

        fields = self._extract(data)
        email = fields.get("email")
        if not email:
            return []
        if "email_verified" in fields and fields["email_verified"] != "":
            verified = bool(fields["email_verified"])
        else:
            verified = bool(self.app.settings.get("missing_email_verified", False))
        return [EmailAddress(email=email, verified=verified, primary=True)]

    def redirect(
        self,
        request: HttpRequest,
        process: str,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> HttpResponse:
        from allauth.socialaccount.providers.saml.utils import build_auth

        idp = self.app.settings.get("idp") or {}
        urls = [idp[key] for key in ("sso_url", "slo_url", "metadata_url") if idp.get(key)]
        if not urls or not all(provider_url_allowed(url) for url in urls):
            return sso_problem_response(request, kind="insecure", provider_name=self.name)
        try:
            auth = build_auth(request, self)
            # A re-authentication must show the IdP's sign-in again (saml-core ForceAuthn).
            location = auth.login(return_to="", force_authn=bool(kwargs.get(REAUTHENTICATE_STATE)))
        except (OSError, ValueError, OneLogin_Saml2_Error) as error:
            kind = "timeout" if isinstance(error, TimeoutError) else "unreachable"
            if isinstance(error, OneLogin_Saml2_Error | ValueError):
                kind = "misconfigured"
            return sso_problem_response(request, kind=kind, provider_name=self.name, error=error)
        self.stash_redirect_state(
            request, process, next_url, data, state_id=auth.get_last_request_id(), **kwargs
        )
        return leave_for_provider(request, HttpResponseRedirect(location), name=self.name)


# -- What a sign-in through the provider checks (called by the social adapter) ----------


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


def _pending_link(request: HttpRequest) -> tuple[SocialLogin, User, dict[str, Any]] | None:
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


@login_not_required
@require_http_methods(["GET", "POST"])
def sso_link_confirm(request: HttpRequest) -> HttpResponse:
    """Link a first SSO sign-in to a staff, coordinator or HR account: its second factor
    must be entered here, so the provider alone cannot take over a privileged account."""
    pending = _pending_link(request)
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


def linked_providers(user: User) -> list[Any]:
    """The providers this person can sign in again with (their linked accounts)."""
    providers = []
    for account in SocialAccount.objects.filter(user=user).order_by("pk"):
        try:
            providers.append(account.get_provider())
        except SocialApp.DoesNotExist:
            continue
    return providers


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
