"""Settings for every environment, read from environment variables only.

docs/settings.md lists every variable with its default. Without any variable set,
the project runs in its embedded default: SQLite under ./var, a SQLite broker
file beside it (no Redis), and an in-process cache.

Each topic has a module of its own (core, databases, accounts, email, security,
celery, product, sso, integrations), all gathered here; one that needs another's
value (DEBUG, SITE_URL, VAR_DIR...) imports it from core. This module keeps the
applications, middleware, templates, languages, static files and logging.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from mentoring.settings.accounts import *  # noqa: F403
from mentoring.settings.celery import *  # noqa: F403
from mentoring.settings.core import *  # noqa: F403
from mentoring.settings.core import BASE_DIR, DEBUG, VAR_DIR
from mentoring.settings.databases import *  # noqa: F403
from mentoring.settings.email import *  # noqa: F403
from mentoring.settings.environment import env_choice, env_str
from mentoring.settings.integrations import *  # noqa: F403
from mentoring.settings.product import *  # noqa: F403
from mentoring.settings.security import *  # noqa: F403
from mentoring.settings.sso import *  # noqa: F403

# ------------------------------------------------------------------------------
# Applications, middleware and templates
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "mentoring",
    "programs",
    "events",
    "guides",
    "pairs",
    "matching",
    "surveys",
    "integrations",
    "reports",
    "privacy",
    "demo",
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
    "mentoring.sso.middleware.SsoFormActionMiddleware",
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
