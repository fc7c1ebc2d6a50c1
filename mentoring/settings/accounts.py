"""Accounts: the custom user, django-allauth, MFA and sessions."""

from __future__ import annotations

from mentoring.settings.core import SITE_NAME, SITE_URL
from mentoring.settings.environment import (
    env_bool,
    env_int,
    env_str,
)

# ------------------------------------------------------------------------------
# Accounts: custom user, django-allauth, MFA
# ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "mentoring.accounts.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "mentoring.forms.SignupForm"
ACCOUNT_FORMS = {
    "signup": "mentoring.account_forms.PasswordSignupForm",
    "add_email": "mentoring.account_forms.PasswordAddEmailForm",
}
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
# Sensitive changes ask for the password (or a second factor) again; sign-in by
# emailed code is not offered, so neither is re-authentication by code.
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
# Tell people by email when their password, email or two-factor set-up changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# allauth's rate limits are on by default and count in the cache above; set
# ACCOUNT_RATE_LIMITS=off only for load tests.
if not env_bool("ACCOUNT_RATE_LIMITS", True):
    ACCOUNT_RATE_LIMITS: dict[str, str] | bool = False
# Rate limits count per client IP. Behind proxies, allauth takes the client's address
# from X-Forwarded-For, counting this many proxies of ours from the right; 0 ignores
# the header (it can be forged), so everyone behind one proxy would share one limit.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
# Or a header one trusted proxy sets to the client's address (e.g. X-Real-IP,
# CF-Connecting-IP); it wins over the proxy count when set.
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env_str("TRUSTED_CLIENT_IP_HEADER") or None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
MFA_RECOVERY_CODE_COUNT = 10
# Coordinators, HR viewers and site admins must sign in with a second factor; they get
# this many days to set one up, counted from when they got the role (or joined).
MFA_GRACE_DAYS = env_int("MFA_GRACE_DAYS", 7, minimum=0)
# HR viewers and site admins are signed out after this many minutes without a request.
IDLE_TIMEOUT_MINUTES = env_int("IDLE_TIMEOUT_MINUTES", 30, minimum=1)

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14, minimum=60)
