"""The Content Security Policy allows no inline code, and no template needs any."""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

import pytest
from django.conf import settings
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
# Email bodies are read in mail clients, never under our CSP, and need inline styles there.
EMAIL_TEMPLATES = TEMPLATES / "emails"

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL)
STYLE_TAG = re.compile(r"<style\b", re.IGNORECASE)
# htmx's hx-on evaluates strings as code, which a policy without unsafe-eval blocks.
HX_ON = re.compile(r"\shx-on[:-]", re.IGNORECASE)


def _page_templates() -> list[Path]:
    return [
        path
        for path in sorted(TEMPLATES.rglob("*.html"))
        if not path.is_relative_to(EMAIL_TEMPLATES)
    ]


def _without_comments(text: str) -> str:
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.DOTALL)
    text = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", text, flags=re.DOTALL)
    return re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)


def test_the_policy_never_allows_inline_code_or_eval() -> None:
    policy = cast(dict[str, list[str]], settings.SECURE_CSP)
    for directive, sources in policy.items():
        for source in sources:
            assert "unsafe" not in str(source), f"{directive} allows {source}"
    assert policy["style-src"] == ["'self'"]
    assert "'self'" in policy["script-src"]


def test_every_inline_script_carries_the_nonce() -> None:
    found = []
    for path in _page_templates():
        text = _without_comments(path.read_text())
        for match in SCRIPT_TAG.finditer(text):
            attributes = match.group(1)
            if "src=" not in attributes and "{{ csp_nonce }}" not in attributes:
                found.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert found == [], 'inline <script> without nonce="{{ csp_nonce }}": ' + repr(found)


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        (EVENT_HANDLER, "inline event handler (on...=)"),
        (STYLE_ATTRIBUTE, "style attribute (style-src is 'self' only; use a class in app.css)"),
        (STYLE_TAG, "<style> block"),
        (HX_ON, "hx-on attribute (needs eval)"),
    ],
)
def test_no_page_template_uses_inline_code(pattern: re.Pattern[str], what: str) -> None:
    found = [
        str(path.relative_to(ROOT))
        for path in _page_templates()
        if pattern.search(_without_comments(path.read_text()))
    ]
    assert found == [], f"{what} in: {found}"


def test_the_scanner_sees_what_it_forbids() -> None:
    # The patterns above must match the constructs they forbid, or the tests prove nothing.
    assert EVENT_HANDLER.search('<button type="button" onclick="go()">')
    assert STYLE_ATTRIBUTE.search('<p class="x" style="color:red">')
    assert HX_ON.search('<div hx-on:click="x">')
    assert not STYLE_ATTRIBUTE.search('<p data-style="x">')
    inline = SCRIPT_TAG.search("<script>alert(1)</script>")
    assert inline
    assert "src=" not in inline.group(1)


@pytest.mark.django_db
def test_pages_are_served_with_the_strict_policy(client: Client) -> None:
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_rate_limits_count_the_client_behind_the_trusted_proxy(client: Client, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    data = {"login": "nobody@example.com", "password": "wrong-password"}

    def attempt(client_ip: str) -> int:
        # Our proxy appends the address it saw; the client may forge the rest.
        forwarded = f"203.0.113.250, {client_ip}"
        return client.post(
            "/accounts/login/", data, headers={"x-forwarded-for": forwarded}
        ).status_code

    assert [attempt("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    # Another client behind the same proxy has its own allowance.
    assert attempt("198.51.100.2") == 200
