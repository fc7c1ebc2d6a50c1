"""Our OpenID Connect and SAML 2.0 provider classes (settings' ``provider_class``):
nonce, https, the ID token's signature always checked, ``email_verified`` as the
provider says, errors as pages."""

from __future__ import annotations

import secrets
from typing import Any

import requests
from allauth.account.models import EmailAddress
from allauth.core.internal.datakit import parse_bool_safely
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.openid_connect.provider import (
    OpenIDConnectProvider as AllauthOpenIDConnectProvider,
)
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.socialaccount.providers.saml.provider import SAMLProvider as AllauthSAMLProvider
from allauth.socialaccount.providers.saml.utils import build_auth
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from onelogin.saml2.errors import OneLogin_Saml2_Error

from mentoring.sso.origins import callback_url, leave_for_provider, provider_url_allowed
from mentoring.sso.problems import SsoProblem, problem_kind, sso_problem_response
from mentoring.sso.signin import REAUTHENTICATE_STATE


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


# -- SAML 2.0 ------------------------------------------------------------------------


class SAMLProvider(AllauthSAMLProvider):
    """allauth's SAML provider with the same rules as OpenID Connect: https outside
    DEBUG, an address counts as verified only when the IdP says so (or, with the app's
    ``missing_email_verified``, when it says nothing), errors as pages, and a forced
    fresh sign-in at the IdP for re-authentication."""

    package = "allauth.socialaccount.providers.saml"

    def extract_email_addresses(self, data: Any) -> list[Any]:
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
