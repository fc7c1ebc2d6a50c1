from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from mentoring.settings.environment import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    mailer_from_url,
    redis_url_with_db,
)

ROOT = Path(__file__).resolve().parents[2]


def test_postgres_url_with_credentials_port_and_options() -> None:
    config = database_from_url(
        "postgresql://app:s%40cret@db.internal:6543/mentoring?sslmode=require&conn_max_age=60"
    )
    assert config == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "mentoring",
        "USER": "app",
        "PASSWORD": "s@cret",
        "HOST": "db.internal",
        "PORT": "6543",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"sslmode": "require"},
    }


def test_postgres_url_over_the_local_socket_has_no_host() -> None:
    config = database_from_url("postgresql:///mentoring_ci")
    assert config["NAME"] == "mentoring_ci"
    assert config["HOST"] == ""
    assert config["USER"] == ""


def test_postgres_alias_scheme() -> None:
    assert database_from_url("postgres://h/db")["ENGINE"] == "django.db.backends.postgresql"


def test_sqlite_url_keeps_the_absolute_path() -> None:
    assert database_from_url("sqlite:////srv/data/db.sqlite3") == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": "/srv/data/db.sqlite3",
    }


def test_sqlite_memory() -> None:
    assert database_from_url("sqlite://:memory:")["NAME"] == ":memory:"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/db", "unsupported scheme 'mysql'"),
        ("localhost/db", "unsupported scheme '(none)'"),
        ("postgresql://localhost:5432/", "does not name a database"),
        ("postgresql://localhost:port/db", "port that is not a number"),
        ("postgresql://localhost/db?conn_max_age=forever", "conn_max_age='forever'"),
        ("sqlite:///relative.db", "absolute SQLite path"),
    ],
)
def test_bad_database_urls_say_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL") as error:
        database_from_url(url)
    assert message in str(error.value)


def test_smtp_url_with_starttls_and_timeout() -> None:
    mailer = mailer_from_url("smtp+tls://user:p%2Fw@smtp.example.com:2525?timeout=7.5")
    assert mailer == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "smtp.example.com",
            "port": 2525,
            "username": "user",
            "password": "p/w",
            "use_tls": True,
            "use_ssl": False,
            "timeout": 7.5,
        },
    }


def test_smtp_ssl_default_port_and_console() -> None:
    assert mailer_from_url("smtp+ssl://mail.example.com")["OPTIONS"]["port"] == 465
    assert mailer_from_url("console://") == {
        "BACKEND": "django.core.mail.backends.console.EmailBackend"
    }


@pytest.mark.parametrize(
    "url", ["pigeon://coop", "file://relative/path", "smtp://host:abc", "smtp://h?timeout=x"]
)
def test_bad_email_urls_are_refused(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        mailer_from_url(url)


def test_booleans_ints_and_lists() -> None:
    env = {"A": "Yes", "B": "off", "C": " 42 ", "D": "a.example, ,b.example", "E": ""}
    assert env_bool("A", False, environ=env) is True
    assert env_bool("B", True, environ=env) is False
    assert env_bool("MISSING", True, environ=env) is True
    assert env_bool("E", True, environ=env) is True  # blank is unset, not false
    assert env_str("E", "fallback", environ=env) == "fallback"
    assert (
        env_choice("LOG_LEVEL", "INFO", {"INFO", "DEBUG"}, environ={"LOG_LEVEL": "DEBUG"})
        == "DEBUG"
    )
    assert env_int("C", 1, environ=env) == 42
    assert env_int("E", 7, environ=env) == 7
    assert env_list("D", environ=env) == ["a.example", "b.example"]
    assert env_list("MISSING", ["x"], environ=env) == ["x"]


def test_bad_boolean_and_integer_values_name_the_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG='maybe' is not a boolean"):
        env_bool("DEBUG", False, environ={"DEBUG": "maybe"})
    with pytest.raises(ImproperlyConfigured, match=r"SESSION_COOKIE_AGE='two weeks'"):
        env_int("SESSION_COOKIE_AGE", 1, environ={"SESSION_COOKIE_AGE": "two weeks"})
    with pytest.raises(ImproperlyConfigured, match="LOG_LEVEL='LOUD' is not one of"):
        env_choice("LOG_LEVEL", "INFO", {"INFO", "DEBUG"}, environ={"LOG_LEVEL": "LOUD"})
    with pytest.raises(ImproperlyConfigured, match="minimum is 2"):
        env_int("MIN_GROUP_SIZE", 5, minimum=2, environ={"MIN_GROUP_SIZE": "1"})


def test_redis_url_with_another_database() -> None:
    assert redis_url_with_db("redis://:pw@cache:6379/0", 9) == "redis://:pw@cache:6379/9"


def _start(env_overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "EMAIL_URL"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "mentoring.settings.base", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_start_up_fails_with_a_clear_message_on_a_bad_database_url() -> None:
    result = _start({"DEBUG": "true", "DATABASE_URL": "mysql://root@localhost/db"})
    assert result.returncode != 0
    assert "DATABASE_URL has an unsupported scheme 'mysql'" in result.stderr


def test_start_up_requires_a_secret_key_when_debug_is_off() -> None:
    result = _start({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_start_up_succeeds_with_good_values(tmp_path: Path) -> None:
    result = _start({"DEBUG": "true", "VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit_compilation() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
