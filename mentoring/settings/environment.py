"""Read typed settings from environment variables.

Every setting of this project comes from the environment (see docs/settings.md).
A bad value stops the process at start-up with a message that names the variable,
rather than surfacing later as a confusing runtime error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    """The variable's value; unset and blank both mean the default."""
    source = os.environ if environ is None else environ
    return source.get(name, "").strip() or default


def env_choice(
    name: str, default: str, choices: set[str], *, environ: Mapping[str, str] | None = None
) -> str:
    value = env_str(name, default, environ=environ)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(sorted(choices))}.")
    return value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    source = os.environ if environ is None else environ
    value = source.get(name, "").strip().lower()
    # Blank means unset: an empty line in an .env file must not switch a safeguard off.
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={source[name]!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    source = os.environ if environ is None else environ
    raw = source.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is too small; the minimum is {minimum}.")
    return value


def env_list(
    name: str, default: list[str] | None = None, *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    source = os.environ if environ is None else environ
    if name not in source:
        return list(default or [])
    return [item.strip() for item in source[name].split(",") if item.strip()]


_DATABASE_ENGINES = {
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "pgsql": "django.db.backends.postgresql",
    "sqlite": "django.db.backends.sqlite3",
}


def database_from_url(url: str, *, variable: str = "DATABASE_URL") -> dict[str, Any]:
    """Turn a database URL into a Django DATABASES entry.

    Understood forms:
      sqlite:////absolute/path/to/db.sqlite3   (four slashes: an absolute path)
      sqlite://:memory:
      postgresql:///dbname                     (local socket, current user)
      postgresql://user:password@host:5432/dbname?sslmode=require
    Query parameters become connection OPTIONS; ``conn_max_age`` is taken out of
    them and applied to CONN_MAX_AGE.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DATABASE_ENGINES:
        known = ", ".join(sorted(_DATABASE_ENGINES))
        raise ImproperlyConfigured(
            f"{variable} has an unsupported scheme {parts.scheme or '(none)'!r}; "
            f"expected one of: {known}. Example: postgresql://user:pw@127.0.0.1:5432/mentoring"
        )
    options: dict[str, Any] = dict(parse_qsl(parts.query))
    config: dict[str, Any] = {"ENGINE": _DATABASE_ENGINES[scheme]}
    conn_max_age = options.pop("conn_max_age", None)

    if scheme == "sqlite":
        if parts.netloc == ":memory:" or parts.path in {"", "/:memory:"}:
            name = ":memory:"
        else:
            # sqlite:////abs/path.db has the path '//abs/path.db'; three slashes
            # would be a relative path, which each process resolves differently.
            name = unquote(parts.path)
            if parts.netloc or not name.startswith("//"):
                raise ImproperlyConfigured(
                    f"{variable} must give an absolute SQLite path (sqlite:////abs/path.db), "
                    "so that the web server and the workers open the same file."
                )
            name = "/" + name.lstrip("/")
        config["NAME"] = name
        if options:
            config["OPTIONS"] = options
        return config

    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured(
            f"{variable} does not name a database; add it after the host, e.g. "
            "postgresql://127.0.0.1:5432/mentoring"
        )
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{variable} has a port that is not a number.") from None
    config.update(
        {
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
        }
    )
    if conn_max_age is not None:
        try:
            config["CONN_MAX_AGE"] = int(conn_max_age)
        except ValueError:
            raise ImproperlyConfigured(
                f"{variable} has conn_max_age={conn_max_age!r}; it must be a number of seconds."
            ) from None
        config["CONN_HEALTH_CHECKS"] = True
    if options:
        config["OPTIONS"] = options
    return config


_MAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+ssl": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}


def mailer_from_url(url: str, *, variable: str = "EMAIL_URL") -> dict[str, Any]:
    """Turn an email URL into a Django 6.1 MAILERS entry.

    smtp://user:password@host:25, smtp+tls://...:587 (STARTTLS), smtp+ssl://...:465,
    console://, file:///absolute/folder, locmem://, dummy://. A ``timeout`` query
    parameter sets the SMTP timeout in seconds.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _MAIL_BACKENDS:
        known = ", ".join(sorted(_MAIL_BACKENDS))
        raise ImproperlyConfigured(
            f"{variable} has an unsupported scheme {parts.scheme or '(none)'!r}; "
            f"expected one of: {known}. Example: smtp+tls://user:pw@smtp.example.com:587"
        )
    mailer: dict[str, Any] = {"BACKEND": _MAIL_BACKENDS[scheme]}
    options: dict[str, Any] = {}
    if scheme.startswith("smtp"):
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{variable} has a port that is not a number.") from None
        default_port = {"smtp": 25, "smtp+tls": 587, "smtp+ssl": 465}[scheme]
        options.update(
            host=parts.hostname or "localhost",
            port=port or default_port,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            use_tls=scheme == "smtp+tls",
            use_ssl=scheme == "smtp+ssl",
        )
        query = dict(parse_qsl(parts.query))
        if "timeout" in query:
            try:
                options["timeout"] = float(query["timeout"])
            except ValueError:
                raise ImproperlyConfigured(
                    f"{variable} has timeout={query['timeout']!r}; it must be seconds."
                ) from None
    elif scheme == "file":
        if parts.netloc or not parts.path or not Path(parts.path).is_absolute():
            raise ImproperlyConfigured(f"{variable} must give an absolute folder: file:///path")
        options["file_path"] = parts.path
    if options:
        mailer["OPTIONS"] = options
    return mailer


def redis_url_with_db(url: str, db: int) -> str:
    """The same Redis server as ``url`` with another database number."""
    parts = urlsplit(url)
    return parts._replace(path=f"/{db}").geturl()
