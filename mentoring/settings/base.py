"""Settings for every environment, read from environment variables only.

docs/settings.md lists every variable with its default. Without any variable set,
the project runs in its embedded default: SQLite under ./var, a SQLite broker
file beside it (no Redis), and an in-process cache.
"""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from mentoring import queues
from mentoring.settings.environment import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    mailer_from_url,
)

# ------------------------------------------------------------------------------
# Paths
# ------------------------------------------------------------------------------
BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Runtime state of the embedded default (database, broker folders, uploads).
VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var").resolve()

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # Only with DEBUG on, never in production (the branch above refuses to start).
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105  # nosec B105
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Public base URL used in emails and calendar feeds, e.g. https://mentoring.example.com
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Mentoring")
_LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}

ROOT_URLCONF = "mentoring.urls"
WSGI_APPLICATION = "mentoring.wsgi.application"
ASGI_APPLICATION = "mentoring.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "mentoring.User"
SITE_ID = 1

INSTALLED_APPS = [
    "mentoring",
    "programs",
    "pairs",
    "matching",
    "surveys",
    "integrations",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    # Only for its templates and static files: the API docs are served from ours, no CDN.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # After the CSP middleware, so it answers first: adds the identity providers'
    # origins to form-action.
    "mentoring.sso.SsoFormActionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "mentoring.middleware.UserTimezoneMiddleware",
    "mentoring.sessions.IdleTimeoutMiddleware",
    "mentoring.sessions.MfaRequiredMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mentoring.context_processors.site",
            ],
        },
    },
]

# ------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": database_from_url(DATABASE_URL)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server read while the worker writes; the timeout makes a
    # writer wait for the other process instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No just-in-time compilation of queries: web pages run short queries, and the
    # planner's cost-based switch misfires on some of them (HR's outcome figures spent
    # 0.5 s compiling a 60 ms query). A URL's own ``options`` parameter wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

# ------------------------------------------------------------------------------
# Cache and Redis
# ------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "mentoring"),
        }
    }
else:
    # One process's memory: enough for allauth's rate limits in the embedded default.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

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

# ------------------------------------------------------------------------------
# Internationalisation
# ------------------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# ------------------------------------------------------------------------------
# Static files and uploads
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# ------------------------------------------------------------------------------
# Email (Django 6.1 MAILERS)
# ------------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL") or ("console://" if DEBUG else "smtp://localhost:25")
MAILERS = {"default": mailer_from_url(EMAIL_URL)}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = env_list("ADMINS")

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

# ------------------------------------------------------------------------------
# Celery
# ------------------------------------------------------------------------------
CELERY_QUEUE_PREFIX = env_str("CELERY_QUEUE_PREFIX", "mentoring")
# The queues every worker listens to; each task declares its kind (mentoring/queues.py).
CELERY_QUEUES_ALL = [queues.queue_name(kind, prefix=CELERY_QUEUE_PREFIX) for kind in queues.KINDS]
# The embedded default's broker: a SQLite file of its own beside the database, through
# mentoring/broker.py (docs/architecture.md says why not the filesystem transport).
BROKER_SQLITE_PATH = VAR_DIR / "broker.sqlite3"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or f"sqlite:///{BROKER_SQLITE_PATH}"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    # Must exceed the longest task ETA/countdown; acks_late tasks are
    # re-delivered after this if their worker died.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60),
}
if CELERY_BROKER_URL.startswith("sqlite:"):
    # Seconds an idle worker waits between looks at its queues (one read each).
    CELERY_BROKER_TRANSPORT_OPTIONS["polling_interval"] = 0.2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360, minimum=1)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = queues.queue_name(queues.DEFAULT, prefix=CELERY_QUEUE_PREFIX)
# The queue of the kind each task declares, @queues.task(queue_kind=...).
CELERY_TASK_ROUTES = ("mentoring.queues.task_route",)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
HEARTBEAT_INTERVAL = env_int("HEARTBEAT_INTERVAL", 60, minimum=5)
CELERY_BEAT_SCHEDULE = {
    "record-heartbeat": {
        "task": "mentoring.tasks.record_heartbeat_task",
        "schedule": float(HEARTBEAT_INTERVAL),
        "options": {"expires": float(HEARTBEAT_INTERVAL)},
    },
}
# /healthz reports 503 when the last heartbeat is older than this many seconds.
HEALTHZ_HEARTBEAT_MAX_AGE = env_int("HEALTHZ_HEARTBEAT_MAX_AGE", 5 * HEARTBEAT_INTERVAL, minimum=1)
# Each worker's main process records a heartbeat of its own this often; /healthz
# reports the worker down when none is younger than HEALTHZ_WORKER_MAX_AGE.
WORKER_HEARTBEAT_INTERVAL = env_int("WORKER_HEARTBEAT_INTERVAL", 10, minimum=1)
HEALTHZ_WORKER_MAX_AGE = env_int("HEALTHZ_WORKER_MAX_AGE", 3 * WORKER_HEARTBEAT_INTERVAL, minimum=1)
# Program events: the sweep that sends each attendee one reminder the day before.
EVENT_REMINDER_INTERVAL = env_int("EVENT_REMINDER_INTERVAL", 300, minimum=30)
CELERY_BEAT_SCHEDULE["send-event-reminders"] = {
    "task": "programs.tasks.send_event_reminders_task",
    "schedule": float(EVENT_REMINDER_INTERVAL),
    # A sweep still queued when the next is due is redundant: the next one covers it.
    "options": {"expires": float(EVENT_REMINDER_INTERVAL)},
}
# Invitations: the sweep that sends every invitation still to send (the tasks queued
# after enrolment are a shortcut; one lost costs this long). Each sweep sends at most
# INVITATION_SWEEP_BATCH and queues the next at once when it sent a full batch.
INVITATION_SWEEP_INTERVAL = env_int("INVITATION_SWEEP_INTERVAL", 60, minimum=10)
INVITATION_SWEEP_BATCH = env_int("INVITATION_SWEEP_BATCH", 1000, minimum=1)
CELERY_BEAT_SCHEDULE["send-invitations"] = {
    "task": "programs.tasks.send_due_invitations_task",
    "schedule": float(INVITATION_SWEEP_INTERVAL),
    "options": {"expires": float(INVITATION_SWEEP_INTERVAL)},
}
# Matching: the sweep that introduces published pairs whose introduction task was lost
# (same interval and batch as the invitations).
CELERY_BEAT_SCHEDULE["send-match-introductions"] = {
    "task": "matching.tasks.send_due_match_introductions_task",
    "schedule": float(INVITATION_SWEEP_INTERVAL),
    "options": {"expires": float(INVITATION_SWEEP_INTERVAL)},
}
# Deferred tasks (mentoring.deferred): notices and other work with no "to send" state
# of their own are recorded with the transaction that decides them; this sweep queues
# again any not run within DEFERRED_TASK_RETRY_AFTER seconds (its message was lost).
DEFERRED_TASK_RETRY_AFTER = env_int("DEFERRED_TASK_RETRY_AFTER", 300, minimum=30)
DEFERRED_TASK_MAX_ATTEMPTS = env_int("DEFERRED_TASK_MAX_ATTEMPTS", 24, minimum=1)
DEFERRED_TASK_BATCH = env_int("DEFERRED_TASK_BATCH", 500, minimum=1)
CELERY_BEAT_SCHEDULE["resend-deferred-tasks"] = {
    "task": "mentoring.tasks.resend_deferred_tasks_task",
    "schedule": 60.0,
    "options": {"expires": 60.0},
}
# Self-match: the sweep that passes requests a mentor did not answer in time to the
# mentee's next choice.
MATCH_REQUEST_EXPIRY_INTERVAL = env_int("MATCH_REQUEST_EXPIRY_INTERVAL", 300, minimum=30)
CELERY_BEAT_SCHEDULE["expire-match-requests"] = {
    "task": "matching.tasks.expire_match_requests_task",
    "schedule": float(MATCH_REQUEST_EXPIRY_INTERVAL),
    "options": {"expires": float(MATCH_REQUEST_EXPIRY_INTERVAL)},
}
# Surveys: the sweep that invites people as schedules fall due, reminds (at most
# twice) those who have not answered, and closes surveys past their closing date.
SURVEY_SWEEP_INTERVAL = env_int("SURVEY_SWEEP_INTERVAL", 600, minimum=30)
CELERY_BEAT_SCHEDULE["send-survey-invitations"] = {
    "task": "surveys.tasks.send_surveys_sweep_task",
    "schedule": float(SURVEY_SWEEP_INTERVAL),
    "options": {"expires": float(SURVEY_SWEEP_INTERVAL)},
}

# Mentorship workspace: the sweep that sends check-in reminders and pair nudges. Due
# times live in pairs.PairReminder rows; each sweep sends at most
# PAIR_REMINDER_BATCH and queues the next sweep at once when more are due.
PAIR_REMINDER_INTERVAL = env_int("PAIR_REMINDER_INTERVAL", 60, minimum=10)
PAIR_REMINDER_BATCH = env_int("PAIR_REMINDER_BATCH", 500, minimum=1)
CELERY_BEAT_SCHEDULE["send-pair-reminders"] = {
    "task": "programs.tasks.send_pair_reminders_task",
    "schedule": float(PAIR_REMINDER_INTERVAL),
    "options": {"expires": float(PAIR_REMINDER_INTERVAL)},
}

# Dashboards and progress reports: nightly snapshots of every program's numbers at
# REPORT_SNAPSHOT_HOUR, the coordinators' weekly email on Mondays and HR's monthly
# summary on the 1st, both at REPORT_EMAIL_HOUR (the server's TIME_ZONE; each email
# goes out once per period, see mentoring.reports).
REPORT_SNAPSHOT_HOUR = env_int("REPORT_SNAPSHOT_HOUR", 2, minimum=0)
REPORT_EMAIL_HOUR = env_int("REPORT_EMAIL_HOUR", 8, minimum=0)
if REPORT_SNAPSHOT_HOUR > 23 or REPORT_EMAIL_HOUR > 23:
    raise ImproperlyConfigured("REPORT_SNAPSHOT_HOUR and REPORT_EMAIL_HOUR are hours, 0-23.")
CELERY_BEAT_SCHEDULE["snapshot-programs"] = {
    "task": "mentoring.tasks.snapshot_programs_task",
    "schedule": crontab(minute=0, hour=REPORT_SNAPSHOT_HOUR),
}
# Hourly: each sends only once its period's emails are due and not yet sent, so a lost
# run is caught up by the next (mentoring.reports).
CELERY_BEAT_SCHEDULE["send-progress-weekly"] = {
    "task": "mentoring.tasks.send_progress_weekly_task",
    "schedule": crontab(minute=0),
}
CELERY_BEAT_SCHEDULE["send-hr-monthly"] = {
    "task": "mentoring.tasks.send_hr_monthly_task",
    "schedule": crontab(minute=5),
}

# ------------------------------------------------------------------------------
# Product
# ------------------------------------------------------------------------------
# Smallest group any aggregate may describe; programs may raise it, never lower it.
MIN_GROUP_SIZE = env_int("MIN_GROUP_SIZE", 5, minimum=2)
# Program resources: the largest file a guide may carry (attachments live under
# MEDIA_ROOT/private, outside the web root, and are served only through a view).
RESOURCE_ATTACHMENT_MAX_BYTES = env_int("RESOURCE_ATTACHMENT_MAX_MB", 10, minimum=1) * 1024 * 1024
# Notifications: no email goes out between these local hours of the recipient (a due
# message waits for the end); equal values switch quiet hours off.
NOTIFY_QUIET_START_HOUR = env_int("NOTIFY_QUIET_START_HOUR", 21, minimum=0)
NOTIFY_QUIET_END_HOUR = env_int("NOTIFY_QUIET_END_HOUR", 8, minimum=0)
if NOTIFY_QUIET_START_HOUR > 23 or NOTIFY_QUIET_END_HOUR > 23:
    raise ImproperlyConfigured("NOTIFY_QUIET_START_HOUR and NOTIFY_QUIET_END_HOUR are hours, 0-23.")
# Check-ins: the reminder before one (hours ahead, kept on the same local clock time),
# the program's coordinators hear of a pair after this many missed cadence cycles,
# and the "we met" / "we didn't" links in emails work for this many days.
CHECKIN_REMINDER_HOURS = env_int("CHECKIN_REMINDER_HOURS", 24, minimum=1)
CHECKIN_ESCALATE_AFTER_CYCLES = env_int("CHECKIN_ESCALATE_AFTER_CYCLES", 2, minimum=1)
CHECKIN_LINK_MAX_AGE_DAYS = env_int("CHECKIN_LINK_MAX_AGE_DAYS", 14, minimum=1)

# ------------------------------------------------------------------------------
# Integrations: single sign-on, the REST API, webhooks and chat
# ------------------------------------------------------------------------------
SOCIALACCOUNT_ADAPTER = "mentoring.accounts.SocialAccountAdapter"
# Someone signing in through the identity provider for the first time gets an account
# at once (just-in-time), and an existing account with the same address, verified by
# the provider, is linked (staff, coordinators and HR viewers only with their second
# factor: see mentoring.sso and docs/sso.md).
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
# The button POSTs (allauth's recommendation); the Content-Security-Policy's form-action
# names the configured providers' origins exactly (mentoring.sso.SsoFormActionMiddleware).
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
        "provider_class": "mentoring.sso.OpenIDConnectProvider",
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
SOCIALACCOUNT_PROVIDERS["saml"] = {"provider_class": "mentoring.sso.SAMLProvider", "APPS": []}
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

# REST API (/api/v1/): requests per minute per token.
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 120, minimum=1)
# "Resend invitation": per invitee and per coordinator, in any clock hour.
INVITATION_RESENDS_PER_INVITEE_PER_HOUR = env_int(
    "INVITATION_RESENDS_PER_INVITEE_PER_HOUR", 3, minimum=1
)
INVITATION_RESENDS_PER_COORDINATOR_PER_HOUR = env_int(
    "INVITATION_RESENDS_PER_COORDINATOR_PER_HOUR", 60, minimum=1
)
API_PAGE_SIZE_MAX = 200

# Webhooks and chat: also post to this machine (loopback, plain http too) only when
# allowed, for a receiver on a developer's machine and the tests; off by default.
WEBHOOK_ALLOW_LOOPBACK = env_bool("WEBHOOK_ALLOW_LOOPBACK", False)
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10, minimum=1)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
# The first retry waits this long; each next one twice as long (at most a day).
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 60, minimum=1)
WEBHOOK_SWEEP_INTERVAL = env_int("WEBHOOK_SWEEP_INTERVAL", 30, minimum=5)
CELERY_BEAT_SCHEDULE["send-due-webhooks"] = {
    "task": "integrations.tasks.send_due_webhooks_task",
    "schedule": float(WEBHOOK_SWEEP_INTERVAL),
    "options": {"expires": float(WEBHOOK_SWEEP_INTERVAL)},
}

# ------------------------------------------------------------------------------
# Logging
# ------------------------------------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
    },
}
