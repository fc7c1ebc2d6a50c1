"""Single sign-on: allauth's social accounts, one OpenID Connect and one SAML 2.0
provider from the environment, and who must or may use them (docs/sso.md)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from mentoring.settings.core import DEBUG, SITE_URL
from mentoring.settings.environment import (
    env_bool,
    env_int,
    env_list,
    env_str,
)

# ------------------------------------------------------------------------------
# Single sign-on (the REST API, webhooks and chat: mentoring/settings/integrations.py)
# ------------------------------------------------------------------------------
_LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}
SOCIALACCOUNT_ADAPTER = "mentoring.accounts.SocialAccountAdapter"
# Someone signing in through the identity provider for the first time gets an account
# at once (just-in-time), and an existing account with the same address, verified by
# the provider, is linked (staff, coordinators and HR viewers only with their second
# factor: see the mentoring.sso package and docs/sso.md).
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
# The button POSTs (allauth's recommendation); the Content-Security-Policy's form-action
# names the configured providers' origins exactly (mentoring.sso.middleware).
SOCIALACCOUNT_LOGIN_ON_GET = False
# Seconds to wait for the provider: to connect, then for each answer. A provider that is
# down or hanging shows an error page within these, never a 500.
OIDC_CONNECT_TIMEOUT = env_int("OIDC_CONNECT_TIMEOUT", 3, minimum=1)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 5, minimum=1)
SOCIALACCOUNT_REQUESTS_TIMEOUT = (OIDC_CONNECT_TIMEOUT, OIDC_TIMEOUT)
# Plain-http provider endpoints are refused unless DEBUG is on, or they are on this
# machine (127.0.0.1, ::1, localhost) and SSO_ALLOW_HTTP_LOOPBACK is on (the tests).
SSO_ALLOW_HTTP_LOOPBACK = env_bool("SSO_ALLOW_HTTP_LOOPBACK", DEBUG)
# One OpenID Connect provider from the environment; more can be added in the admin
# (Social applications, provider "OpenID Connect").
OIDC_PROVIDER_ID = env_str("OIDC_PROVIDER_ID", "sso")
OIDC_SERVER_URL = env_str("OIDC_SERVER_URL")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
if OIDC_SERVER_URL and not OIDC_SERVER_URL.startswith("https://") and not DEBUG:
    from urllib.parse import urlsplit as _urlsplit

    if not (SSO_ALLOW_HTTP_LOOPBACK and _urlsplit(OIDC_SERVER_URL).hostname in _LOOPBACK_HOSTS):
        raise ImproperlyConfigured("OIDC_SERVER_URL must be an https:// URL when DEBUG is off.")
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {
    "openid_connect": {
        # Our provider class: nonce, https, the ID token's signature always checked,
        # OIDC_EMAIL_VERIFIED only for a missing claim, errors as pages.
        "provider_class": "mentoring.sso.providers.OpenIDConnectProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [],
    },
}
if OIDC_SERVER_URL and OIDC_CLIENT_ID:
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] = [
        {
            "provider_id": OIDC_PROVIDER_ID,
            "name": env_str("OIDC_PROVIDER_NAME", "single sign-on"),
            "client_id": OIDC_CLIENT_ID,
            "secret": env_str("OIDC_CLIENT_SECRET"),
            "settings": {
                "server_url": OIDC_SERVER_URL,
                "scope": env_list("OIDC_SCOPES", ["openid", "profile", "email"]),
                # Corporate directories (e.g. Entra ID) often omit email_verified: this
                # fills the missing claim, and never overrides email_verified=false.
                "missing_email_verified": env_bool("OIDC_EMAIL_VERIFIED", False),
                # The provider's own second factor counts for our MFA rule when the ID
                # token's amr or acr says so (empty: never).
                "mfa_amr": env_list("OIDC_MFA_AMR"),
                "mfa_acr": env_list("OIDC_MFA_ACR"),
            },
        }
    ]
# One SAML 2.0 identity provider from the environment (more in the admin: provider
# "SAML"), for organisations whose provider offers only SAML. Its URLs live under
# /accounts/saml/<SAML_ORGANIZATION>/ (acs/, metadata/, login/).
SAML_ORGANIZATION = env_str("SAML_ORGANIZATION")
SAML_IDP_ENTITY_ID = env_str("SAML_IDP_ENTITY_ID")
SAML_IDP_SSO_URL = env_str("SAML_IDP_SSO_URL")
SAML_IDP_METADATA_URL = env_str("SAML_IDP_METADATA_URL")
SOCIALACCOUNT_PROVIDERS["saml"] = {
    "provider_class": "mentoring.sso.providers.SAMLProvider",
    "APPS": [],
}
if SAML_ORGANIZATION and SAML_IDP_ENTITY_ID and (SAML_IDP_SSO_URL or SAML_IDP_METADATA_URL):
    _saml_idp: dict[str, object] = {"entity_id": SAML_IDP_ENTITY_ID}
    if SAML_IDP_METADATA_URL:
        _saml_idp["metadata_url"] = SAML_IDP_METADATA_URL
        _saml_idp["metadata_request_timeout"] = OIDC_TIMEOUT
    else:
        _saml_idp["sso_url"] = SAML_IDP_SSO_URL
        _saml_idp["x509cert"] = env_str("SAML_IDP_X509CERT")
        if env_str("SAML_IDP_SLO_URL"):
            _saml_idp["slo_url"] = env_str("SAML_IDP_SLO_URL")
    SOCIALACCOUNT_PROVIDERS["saml"]["APPS"] = [
        {
            "provider_id": f"saml-{SAML_ORGANIZATION}",
            "name": env_str("SAML_PROVIDER_NAME", "single sign-on"),
            "client_id": SAML_ORGANIZATION,
            "settings": {
                "idp": _saml_idp,
                # A stable entity id, from SITE_URL (allauth would use the request's host).
                "sp": {"entity_id": f"{SITE_URL}/accounts/saml/{SAML_ORGANIZATION}/metadata/"},
                # The usual attribute names of Entra ID, Okta, Google and Keycloak.
                "attribute_mapping": {
                    "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id", "uid"],
                    "email": [
                        "urn:oid:0.9.2342.19200300.100.1.3",
                        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                        "email",
                        "mail",
                    ],
                    "email_verified": ["email_verified", "http://schemas.auth0.com/email_verified"],
                    "first_name": [
                        "urn:oid:2.5.4.42",
                        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
                        "first_name",
                        "givenName",
                    ],
                    "last_name": [
                        "urn:oid:2.5.4.4",
                        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
                        "last_name",
                        "sn",
                    ],
                },
                # SAML has no standard "verified" attribute: like OIDC_EMAIL_VERIFIED,
                # this fills only a missing one.
                # python3-saml always requires the response or its assertion signed.
                "missing_email_verified": env_bool("SAML_EMAIL_VERIFIED", False),
            },
        }
    ]
# Email domains whose people may sign in through the identity provider (empty: any).
SSO_ALLOWED_DOMAINS = [d.lower().lstrip("@") for d in env_list("SSO_ALLOWED_DOMAINS")]
# Email domains that must use single sign-on: password sign-in and sign-up are refused.
SSO_ONLY_DOMAINS = [d.lower().lstrip("@") for d in env_list("SSO_ONLY_DOMAINS")]
# After signing out here, also end the session at the provider (RP-initiated logout)
# when its discovery document offers an end_session_endpoint.
SSO_PROVIDER_LOGOUT = env_bool("SSO_PROVIDER_LOGOUT", True)
