"""HTTPS, HSTS, cookies, framing and the Content-Security-Policy."""

from __future__ import annotations

from django.utils.csp import CSP

from mentoring.settings.core import DEBUG
from mentoring.settings.environment import env_bool, env_int

# ------------------------------------------------------------------------------
# Security
# ------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a TLS-terminating proxy, set SECURE_PROXY_SSL_HEADER=true so Django
# trusts X-Forwarded-Proto from it.
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The header's preload flag only allows listing; submitting the domain is a separate step.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The __Host- prefix makes browsers refuse the cookie unless it is Secure, has Path=/
# and no Domain, so a sibling subdomain or a plain-http page cannot plant or shadow it.
# Browsers drop such cookies over http, so the names apply only with secure cookies.
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
if CSRF_COOKIE_SECURE:
    CSRF_COOKIE_NAME = "__Host-csrftoken"
X_FRAME_OPTIONS = "DENY"
# No inline scripts or styles anywhere: htmx and our own JS come from static/.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
