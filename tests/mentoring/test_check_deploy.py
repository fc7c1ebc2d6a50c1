from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "SESSION_", "CSRF_", "CELERY_", "DJANGO_"))
        and key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "mentoring.settings.base",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "mentoring.example.com",
            "CSRF_TRUSTED_ORIGINS": "https://mentoring.example.com",
            "SITE_URL": "https://mentoring.example.com",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
            "VAR_DIR": str(tmp_path),
            **overrides,
        }
    )
    return env


def _check_deploy(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path, **overrides),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_catches_an_insecure_override(tmp_path: Path) -> None:
    # The same gate fails when one production safeguard is switched off.
    result = _check_deploy(tmp_path, SESSION_COOKIE_SECURE="false")
    assert result.returncode != 0
    assert "security.W012" in result.stdout + result.stderr


def _production_settings(tmp_path: Path, names: list[str], **overrides: str) -> dict[str, object]:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(tmp_path, **overrides),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_production_cookies_are_host_prefixed_and_proxies_come_from_the_environment(
    tmp_path: Path,
) -> None:
    names = [
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "ALLAUTH_TRUSTED_PROXY_COUNT",
        "ALLAUTH_TRUSTED_CLIENT_IP_HEADER",
    ]
    assert _production_settings(tmp_path, names, TRUSTED_PROXY_COUNT="2") == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "ALLAUTH_TRUSTED_PROXY_COUNT": 2,
        "ALLAUTH_TRUSTED_CLIENT_IP_HEADER": None,
    }


def test_plain_http_keeps_the_unprefixed_cookie_names(tmp_path: Path) -> None:
    # Browsers refuse a __Host- cookie without Secure, so http set-ups keep the plain names.
    found = _production_settings(
        tmp_path,
        ["SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME"],
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
    )
    assert found == {"SESSION_COOKIE_NAME": "sessionid", "CSRF_COOKIE_NAME": "csrftoken"}
