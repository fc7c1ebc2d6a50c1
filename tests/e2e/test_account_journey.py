"""A newcomer signs up, verifies, logs in, turns on two-factor auth and logs in with it."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from mentoring.models import User
from tests.conftest import ROOT
from tests.e2e.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase"


def totp_code(secret: str, at: dt.datetime) -> str:
    return format_hotp_value(hotp_value(secret, int(at.timestamp()) // 30))


def next_totp_window(after: dt.datetime) -> dt.datetime:
    """One second into the 30-second TOTP window after ``after``.

    Travelling there (with the clock ticking) leaves 29 seconds before the code
    changes, so a code typed now is still the server's code when it arrives.
    """
    start = (int(after.timestamp()) // 30 + 1) * 30
    return dt.datetime.fromtimestamp(start + 1, tz=dt.UTC)


def test_signup_verify_enable_totp_and_log_in_with_a_code(
    page: Page, live_server, axe_script: Path
) -> None:
    base = live_server.url
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(base + reverse("account_signup"))
    assert_accessible(page, axe_script)
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label(re.compile(r"Password \(again\)")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign up", re.I)).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("verify", re.I))
    assert_accessible(page, axe_script)

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", str(mail.outbox[0].body))
    assert link, mail.outbox[0].body
    path = re.sub(r"^https?://[^/]+", "", link.group(0))
    page.goto(base + path)
    assert_accessible(page, axe_script)
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()

    # Confirmed: now sign in with the password.
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert_accessible(page, axe_script)
    page.get_by_label("Email").fill("grace@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Grace")
    assert_accessible(page, axe_script)
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=str(ROOT / "docs" / "img" / "home.png"))

    # Turn on an authenticator app: read the secret from the page, answer with a code.
    page.goto(base + reverse("mfa_activate_totp"))
    # Changing two-factor settings asks for the password again.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    assert_accessible(page, axe_script)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    assert_accessible(page, axe_script)
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    activated_at = next_totp_window(dt.datetime.now(tz=dt.UTC))
    with time_machine.travel(activated_at, tick=True):
        page.get_by_label(re.compile("Authenticator code", re.I)).fill(
            totp_code(secret, activated_at)
        )
        page.get_by_role("button", name=re.compile("Activate", re.I)).click()
        expect(page).not_to_have_url(re.compile(r"/totp/activate/"))
    user = User.objects.get(email="grace@example.org")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    page.goto(base + reverse("mfa_index"))
    assert_accessible(page, axe_script)

    # Sign out, then back in: the password alone is no longer enough.
    page.get_by_role("button", name=re.compile("Sign out", re.I)).first.click()
    expect(page.get_by_role("link", name=re.compile("Sign in", re.I)).first).to_be_visible()
    page.goto(base + reverse("account_login"))
    page.get_by_label("Email").fill("grace@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Two-Factor", re.I))
    assert_accessible(page, axe_script)

    # A code from a later 30-second window: allauth refuses a code used twice.
    later = next_totp_window(activated_at)
    with time_machine.travel(later, tick=True):
        page.get_by_label(re.compile("Code", re.I)).fill(totp_code(secret, later))
        page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Grace")

    csp_errors = [e for e in errors if "Content Security Policy" in e]
    assert not csp_errors, csp_errors
