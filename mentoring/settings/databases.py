"""The database and the cache (Redis when REDIS_URL is set)."""

from __future__ import annotations

from mentoring.settings.core import VAR_DIR
from mentoring.settings.environment import database_from_url, env_str

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
