"""Single sign-on in Chromium, under the production Content-Security-Policy, against a real
OpenID Connect provider (panva's oidc-provider, started per test by tests/sso/servers.py).

Each journey clicks the real buttons: ours, then the provider's own sign-in page, then
back. The browser enforces the policy (the Django test client does not), so a blocked
form navigation to the provider fails these tests.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from mentoring.models import User
from programs import services
from programs.models import Participant, Program
from tests.e2e.axe import assert_accessible
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.factories.programs import program_create
from tests.sso.servers import HangingServer, OidcProvider, free_port, oidc_provider_running

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROVIDER_ID = "acme"
CLIENT_ID = "mentoring-e2e"
CLIENT_SECRET = "e2e-client-secret"
BUTTON = "Sign in with Acme SSO"


def oidc_settings(server_url: str, **app_settings: Any) -> dict[str, Any]:
    """SOCIALACCOUNT_PROVIDERS as the OIDC_* environment variables build it."""
    return {
        "openid_connect": {
            "provider_class": "mentoring.sso.providers.OpenIDConnectProvider",
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": PROVIDER_ID,
                    "name": "Acme SSO",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {
                        "server_url": server_url,
                        "scope": ["openid", "profile", "email"],
                        "missing_email_verified": False,
                        **app_settings,
                    },
                }
            ],
        }
    }


@pytest.fixture
def idp(live_server, settings, tmp_path: Path) -> Iterator[OidcProvider]:
    callback = live_server.url + reverse("openid_connect_callback", args=[PROVIDER_ID])
    with oidc_provider_running(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=callback,
        post_logout_uri=live_server.url + reverse("account_login"),
        tmp=tmp_path,
    ) as provider:
        settings.SITE_URL = live_server.url
        settings.SOCIALACCOUNT_PROVIDERS = oidc_settings(provider.url)
        yield provider


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def sign_in_at_provider(page: Page, login: str) -> None:
    """The provider's own page: type the username, press its button."""
    expect(page.get_by_role("heading", name="Sign in to the test provider")).to_be_visible()
    page.get_by_label("Username").fill(login)
    page.get_by_role("button", name="Sign in at the provider").click()


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def no_csp_violations(errors: list[str]) -> None:
    blocked = [e for e in errors if "Content Security Policy" in e or "form-action" in e]
    assert not blocked, blocked


def test_a_new_person_signs_in_and_gets_an_account(
    page: Page, live_server, idp: OidcProvider, axe_script: Path, console_errors: list[str]
) -> None:
    idp.add_account("grace", email="grace@acme.example", email_verified=True, name="Grace Hopper")
    page.goto(live_server.url + reverse("account_login"))
    assert_accessible(page, axe_script)
    page.get_by_role("button", name=BUTTON).click()
    sign_in_at_provider(page, "grace")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Grace")
    assert_accessible(page, axe_script)
    no_csp_violations(console_errors)
    user = User.objects.get(email="grace@acme.example")
    assert user.full_name == "Grace Hopper"
    assert SocialAccount.objects.get(user=user).uid == "sub-grace"


def test_an_existing_verified_person_is_linked_and_signed_in(
    page: Page, live_server, idp: OidcProvider, console_errors: list[str]
) -> None:
    existing = user_create(email="ada@acme.example", full_name="Ada Lovelace")
    idp.add_account("ada", email="ada@acme.example", email_verified=True, name="Ada L.")
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("button", name=BUTTON).click()
    sign_in_at_provider(page, "ada")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Ada")
    no_csp_violations(console_errors)
    assert SocialAccount.objects.get(user=existing).uid == "sub-ada"
    assert User.objects.count() == 1


def test_a_privileged_account_is_linked_only_with_its_second_factor(
    page: Page, live_server, idp: OidcProvider, axe_script: Path
) -> None:
    coordinator = user_create(email="cora@acme.example", full_name="Cora C", is_coordinator=True)
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(coordinator, secret)
    idp.add_account("cora", email="cora@acme.example", email_verified=True, name="Cora C")
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("button", name=BUTTON).click()
    sign_in_at_provider(page, "cora")

    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's your account")
    assert_accessible(page, axe_script)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Link and sign in").click()
    # Once in the error summary at the top, once beside the form.
    expect(page.locator("#error-summary").get_by_text("Incorrect code")).to_be_visible()
    expect(page.get_by_text("Incorrect code")).to_have_count(2)
    assert not SocialAccount.objects.filter(user=coordinator).exists()

    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Link and sign in").click()
    expect(page.get_by_text("Your account is now linked to Acme SSO")).to_be_visible()
    assert SocialAccount.objects.get(user=coordinator).uid == "sub-cora"


def test_an_unverified_address_is_refused_with_a_way_back(
    page: Page, live_server, idp: OidcProvider, axe_script: Path
) -> None:
    existing = user_create(email="victim@acme.example")
    idp.add_account("mallory", email="victim@acme.example", email_verified=False)
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("button", name=BUTTON).click()
    sign_in_at_provider(page, "mallory")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your email address is not confirmed")
    assert_accessible(page, axe_script)
    assert not SocialAccount.objects.filter(user=existing).exists()
    page.get_by_role("link", name="Back to sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_an_sso_only_domain_signs_up_through_the_button_on_the_sign_up_page(
    page: Page, live_server, idp: OidcProvider, settings, console_errors: list[str]
) -> None:
    settings.SSO_ONLY_DOMAINS = ["acme.example"]
    user_create(email="bob@acme.example")
    idp.add_account("newbie", email="newbie@acme.example", email_verified=True, name="New Bie")
    # A password is refused, with the button right there.
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Email").fill("bob@acme.example")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("^Sign in$", re.I)).click()
    # Once in the error summary at the top, once beside the form.
    expect(
        page.locator("#error-summary").get_by_text("sign in with single sign-on")
    ).to_be_visible()
    expect(page.get_by_text("sign in with single sign-on")).to_have_count(2)

    page.goto(live_server.url + reverse("account_signup"))
    page.get_by_role("button", name=BUTTON).click()
    sign_in_at_provider(page, "newbie")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, New")
    no_csp_violations(console_errors)
    assert User.objects.filter(email="newbie@acme.example").exists()


def test_an_invitation_is_accepted_through_sso(
    page: Page, live_server, idp: OidcProvider, settings, axe_script: Path
) -> None:
    settings.SSO_ONLY_DOMAINS = ["acme.example"]
    coordinator = user_create(email="lead@example.org", is_coordinator=True)
    program = program_create(name="Leaders 2027", state=Program.State.ENROLLING)
    [participant] = services.participants_invite(
        program=program,
        invitees=[services.Invitee(email="ivy@acme.example", role="mentee", full_name="Ivy")],
        by=coordinator,
    )
    token = services.invite_token_make(participant)
    idp.add_account("ivy", email="ivy@acme.example", email_verified=True, name="Ivy Invited")

    page.goto(live_server.url + reverse("programs:invitation_accept", args=[token]))
    expect(page.get_by_text("sign in with single sign-on")).to_be_visible()
    # No password ways in for this domain: only the provider's button.
    expect(page.get_by_role("link", name="Create your account")).to_have_count(0)
    assert_accessible(page, axe_script)
    page.get_by_role("button", name=BUTTON).click()
    sign_in_at_provider(page, "ivy")
    # Back on the invitation, signed in: one click joins.
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Leaders 2027")
    page.get_by_role("button", name="Accept and join").click()
    expect(page.get_by_text("Welcome to Leaders 2027")).to_be_visible()
    participant.refresh_from_db()
    assert participant.status == Participant.Status.ACTIVE
    assert participant.user == User.objects.get(email="ivy@acme.example")


def test_an_sso_coordinator_sets_up_totp_after_signing_in_again_at_the_provider(
    page: Page, live_server, idp: OidcProvider, settings, axe_script: Path
) -> None:
    """An account without a password, past its MFA grace period: no 403, no password."""
    settings.SSO_ONLY_DOMAINS = ["acme.example"]
    idp.add_account("cora", email="cora@acme.example", email_verified=True, name="Cora Lead")
    coordinator = user_create(
        email="cora@acme.example",
        full_name="Cora Lead",
        is_coordinator=True,
        role_granted_at=timezone.now() - dt.timedelta(days=30),
    )
    coordinator.set_unusable_password()
    coordinator.save()
    SocialAccount.objects.create(user=coordinator, provider=PROVIDER_ID, uid="sub-cora")

    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("button", name=BUTTON).click()
    sign_in_at_provider(page, "cora")
    # Past the grace period: sent to set up an authenticator, which first asks to
    # confirm it's them, at the provider (prompt=login shows its page again).
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    assert_accessible(page, axe_script)
    page.get_by_role("button", name="Sign in again with Acme SSO").click()
    sign_in_at_provider(page, "cora")

    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label(re.compile("Authenticator code", re.I)).fill(totp_code(secret))
    page.get_by_role("button", name=re.compile("Activate", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Recovery", re.I))
    assert Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP).exists()
    page.goto(live_server.url + reverse("home"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Cora")


def test_the_providers_own_mfa_counts_when_its_amr_is_trusted(
    page: Page, live_server, idp: OidcProvider, settings
) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = oidc_settings(idp.url, mfa_amr=["mfa", "otp"])
    idp.add_account(
        "harriet", email="harriet@acme.example", email_verified=True, amr=["pwd", "otp"]
    )
    hr = user_create(
        email="harriet@acme.example",
        full_name="Harriet R",
        is_hr_viewer=True,
        role_granted_at=timezone.now() - dt.timedelta(days=30),
    )
    SocialAccount.objects.create(user=hr, provider=PROVIDER_ID, uid="sub-harriet")
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("button", name=BUTTON).click()
    sign_in_at_provider(page, "harriet")
    # Past the grace period, yet not sent to set up an authenticator here.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Harriet")
    page.goto(live_server.url + reverse("insights_dashboard"))
    expect(page).to_have_url(re.compile(r"/insights/$"))


def test_a_provider_that_is_down_shows_a_page_at_once(
    page: Page, live_server, settings, axe_script: Path
) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = oidc_settings(f"http://127.0.0.1:{free_port()}")
    page.goto(live_server.url + reverse("account_login"))
    started = time.monotonic()
    page.get_by_role("button", name=BUTTON).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The sign-in service cannot be reached"
    )
    assert time.monotonic() - started < 5
    assert_accessible(page, axe_script)
    page.get_by_role("link", name="Back to sign in").click()
    expect(page.get_by_label("Password")).to_be_visible()


def test_a_provider_that_hangs_shows_a_page_within_the_timeout(
    page: Page, live_server, settings
) -> None:
    settings.SOCIALACCOUNT_REQUESTS_TIMEOUT = (1, 1)
    with HangingServer() as hanging:
        settings.SOCIALACCOUNT_PROVIDERS = oidc_settings(f"http://127.0.0.1:{hanging.port}")
        page.goto(live_server.url + reverse("account_login"))
        started = time.monotonic()
        page.get_by_role("button", name=BUTTON).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "The sign-in service is not answering"
        )
        assert time.monotonic() - started < 5


def test_signing_out_ends_the_providers_session_too(
    page: Page, live_server, idp: OidcProvider, console_errors: list[str]
) -> None:
    idp.add_account("grace", email="grace@acme.example", email_verified=True, name="Grace Hopper")
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("button", name=BUTTON).click()
    sign_in_at_provider(page, "grace")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Grace")

    page.get_by_role("button", name="Sign out").click()
    # The provider asks whether to end its session too (its own page), then sends us back.
    page.get_by_role("button", name=re.compile("Yes, sign me out", re.I)).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    no_csp_violations(console_errors)
    # The next click asks for the provider's sign-in again instead of signing straight in.
    page.get_by_role("button", name=BUTTON).click()
    expect(page.get_by_role("heading", name="Sign in to the test provider")).to_be_visible()
