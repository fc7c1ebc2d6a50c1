"""SAML 2.0 single sign-on in Chromium, under the production Content-Security-Policy,
against a real SAML identity provider (samlify, started per test by tests/sso/servers.py):
the same linking rules as OpenID Connect."""

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
from tests.factories import user_create
from tests.factories.programs import program_create
from tests.sso.servers import SamlIdentityProvider, saml_idp_running

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORGANIZATION = "acme"
PROVIDER_ID = "saml-acme"
BUTTON = "Sign in with Acme SAML"


def saml_settings(idp: SamlIdentityProvider, sp_entity_id: str, **app_settings: Any) -> dict:
    """SOCIALACCOUNT_PROVIDERS as the SAML_* environment variables build it."""
    return {
        "saml": {
            "provider_class": "mentoring.sso.providers.SAMLProvider",
            "APPS": [
                {
                    "provider_id": PROVIDER_ID,
                    "name": "Acme SAML",
                    "client_id": ORGANIZATION,
                    "settings": {
                        "idp": {
                            "entity_id": idp.entity_id,
                            "sso_url": idp.sso_url,
                            "x509cert": idp.cert_pem,
                        },
                        "sp": {"entity_id": sp_entity_id},
                        "attribute_mapping": {
                            "uid": ["uid"],
                            "email": ["email"],
                            "email_verified": ["email_verified"],
                            "first_name": ["first_name"],
                            "last_name": ["last_name"],
                        },
                        "missing_email_verified": False,
                        **app_settings,
                    },
                }
            ],
        }
    }


@pytest.fixture
def saml_idp(live_server, settings, tmp_path: Path) -> Iterator[SamlIdentityProvider]:
    sp_entity_id = live_server.url + reverse("saml_metadata", args=[ORGANIZATION])
    acs_url = live_server.url + reverse("saml_acs", args=[ORGANIZATION])
    with saml_idp_running(sp_entity_id=sp_entity_id, acs_url=acs_url, tmp=tmp_path) as idp:
        settings.SITE_URL = live_server.url
        settings.SOCIALACCOUNT_PROVIDERS = saml_settings(idp, sp_entity_id)
        idp.sp_entity_id = sp_entity_id  # type: ignore[attr-defined]
        yield idp


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def sign_in_at_idp(page: Page, login: str) -> None:
    expect(page.get_by_role("heading", name="Sign in to the SAML test provider")).to_be_visible()
    page.get_by_label("Username").fill(login)
    page.get_by_role("button", name="Sign in at the provider").click()
    # The IdP's page posts the signed response back to our assertion consumer service.
    page.get_by_role("button", name="Continue to the application").click()


def no_csp_violations(errors: list[str]) -> None:
    blocked = [e for e in errors if "Content Security Policy" in e or "form-action" in e]
    assert not blocked, blocked


def test_saml_new_person_gets_an_account(
    page: Page, live_server, saml_idp: SamlIdentityProvider, axe_script: Path, console_errors
) -> None:
    saml_idp.add_account(
        "grace", email="grace@acme.example", email_verified="true", first_name="Grace"
    )
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("button", name=BUTTON).click()
    sign_in_at_idp(page, "grace")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    assert_accessible(page, axe_script)
    no_csp_violations(console_errors)
    user = User.objects.get(email="grace@acme.example")
    assert SocialAccount.objects.get(user=user, provider=PROVIDER_ID).uid == "saml-grace"


def test_saml_links_an_existing_verified_person(
    page: Page, live_server, saml_idp: SamlIdentityProvider
) -> None:
    existing = user_create(email="ada@acme.example", full_name="Ada Lovelace")
    saml_idp.add_account("ada", email="ada@acme.example", email_verified="true")
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("button", name=BUTTON).click()
    sign_in_at_idp(page, "ada")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Ada")
    assert SocialAccount.objects.get(user=existing).uid == "saml-ada"


def test_saml_privileged_account_needs_its_second_factor(
    page: Page, live_server, saml_idp: SamlIdentityProvider
) -> None:
    hr = user_create(email="harriet@acme.example", full_name="Harriet R", is_hr_viewer=True)
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(hr, secret)
    saml_idp.add_account("harriet", email="harriet@acme.example", email_verified="true")
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("button", name=BUTTON).click()
    sign_in_at_idp(page, "harriet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's your account")
    assert not SocialAccount.objects.filter(user=hr).exists()
    page.get_by_label("Code").fill(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.get_by_role("button", name="Link and sign in").click()
    expect(page.get_by_text("Your account is now linked to Acme SAML")).to_be_visible()
    assert SocialAccount.objects.get(user=hr).uid == "saml-harriet"


def test_saml_unverified_or_unstated_address_is_refused(
    page: Page, live_server, saml_idp: SamlIdentityProvider
) -> None:
    existing = user_create(email="victim@acme.example")
    saml_idp.add_account("mallory", email="victim@acme.example", email_verified="false")
    saml_idp.add_account("silent", email="victim@acme.example")
    for login in ("mallory", "silent"):
        page.goto(live_server.url + reverse("account_login"))
        page.get_by_role("button", name=BUTTON).click()
        sign_in_at_idp(page, login)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Your email address is not confirmed"
        )
    assert not SocialAccount.objects.filter(user=existing).exists()


def test_saml_invitation_on_an_sso_only_domain_with_the_idps_word_for_addresses(
    page: Page, live_server, saml_idp: SamlIdentityProvider, settings
) -> None:
    """SAML_EMAIL_VERIFIED: an IdP that never sends a verified attribute is trusted."""
    settings.SSO_ONLY_DOMAINS = ["acme.example"]
    settings.SOCIALACCOUNT_PROVIDERS = saml_settings(
        saml_idp,
        saml_idp.sp_entity_id,  # type: ignore[attr-defined]
        missing_email_verified=True,
    )
    coordinator = user_create(email="lead@example.org", is_coordinator=True)
    program = program_create(name="Leaders 2027", state=Program.State.ENROLLING)
    [participant] = services.participants_invite(
        program=program,
        invitees=[services.Invitee(email="ivy@acme.example", role="mentee", full_name="Ivy")],
        by=coordinator,
    )
    token = services.invite_token_make(participant)
    saml_idp.add_account("ivy", email="ivy@acme.example", first_name="Ivy")
    page.goto(live_server.url + reverse("programs:invitation_accept", args=[token]))
    page.get_by_role("button", name=BUTTON).click()
    sign_in_at_idp(page, "ivy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Leaders 2027")
    page.get_by_role("button", name="Accept and join").click()
    expect(page.get_by_text("Welcome to Leaders 2027")).to_be_visible()
    participant.refresh_from_db()
    assert participant.status == Participant.Status.ACTIVE


def test_saml_coordinator_sets_up_totp_after_a_fresh_sign_in_at_the_idp(
    page: Page, live_server, saml_idp: SamlIdentityProvider, settings
) -> None:
    settings.SSO_ONLY_DOMAINS = ["acme.example"]
    coordinator = user_create(
        email="cora@acme.example",
        full_name="Cora Lead",
        is_coordinator=True,
        role_granted_at=timezone.now() - dt.timedelta(days=30),
    )
    coordinator.set_unusable_password()
    coordinator.save()
    SocialAccount.objects.create(user=coordinator, provider=PROVIDER_ID, uid="saml-cora")
    saml_idp.add_account("cora", email="cora@acme.example", email_verified="true")
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("button", name=BUTTON).click()
    sign_in_at_idp(page, "cora")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    page.get_by_role("button", name="Sign in again with Acme SAML").click()
    sign_in_at_idp(page, "cora")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.get_by_label(re.compile("Authenticator code", re.I)).fill(code)
    page.get_by_role("button", name=re.compile("Activate", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Recovery", re.I))
    assert Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP).exists()
