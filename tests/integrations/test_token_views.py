"""Account → API tokens: make one (secret shown once), list, revoke."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from integrations.models import ApiToken
from integrations.tokens import secret_hash

pytestmark = pytest.mark.django_db


def test_coordinator_makes_a_token_and_sees_the_secret_once(client: Client, coordinator):
    client.force_login(coordinator)
    url = reverse("integrations:token_list")
    response = client.post(
        url, {"name": "Warehouse", "scopes": ["programs:read", "participants:read"]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    (secret,) = re.findall(r'value="(mtk_[^"]+)"', html)
    token = ApiToken.objects.get()
    assert token.secret_hash == secret_hash(secret)
    assert token.scopes == ["programs:read", "participants:read"]
    # Listed afterwards by name and prefix, never with the secret.
    listing = client.get(url).content.decode()
    assert "Warehouse" in listing
    assert token.prefix in listing
    assert secret not in listing
    # And it works.
    api = client.get("/api/v1/programs", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200


def test_a_token_needs_a_scope_and_a_future_expiry(client: Client, hr):
    client.force_login(hr)
    url = reverse("integrations:token_list")
    response = client.post(url, {"name": "x", "scopes": [], "expires_on": "2000-01-01"})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    errors = response.content.decode()
    assert "This field is required" in errors
    assert "after today" in errors


def test_revoking_stops_the_token(client: Client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("integrations:token_list"), {"name": "x", "scopes": ["programs:read"]})
    token = ApiToken.objects.get()
    response = client.post(reverse("integrations:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "x" not in [t.name for t in ApiToken.objects.filter(revoked_at__isnull=True)]


def test_nobody_revokes_someone_elses_token(client: Client, coordinator, other_coordinator):
    client.force_login(coordinator)
    client.post(reverse("integrations:token_list"), {"name": "mine", "scopes": ["programs:read"]})
    token = ApiToken.objects.get()
    client.force_login(other_coordinator)
    assert client.post(reverse("integrations:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_people_without_a_coordinator_or_hr_role_have_no_token_page(client: Client, user):
    client.force_login(user)
    assert client.get(reverse("integrations:token_list")).status_code == 403
    assert "API tokens" not in client.get(reverse("account_email")).content.decode()


def test_token_page_queries_do_not_grow(client: Client, coordinator, django_assert_max_num_queries):
    client.force_login(coordinator)
    url = reverse("integrations:token_list")
    client.post(url, {"name": "a", "scopes": ["programs:read"]})
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    baseline = len(few.captured_queries)
    for n in range(10):
        client.post(url, {"name": f"t{n}", "scopes": ["programs:read"]})
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_hr_makes_a_token_with_the_new_scopes_and_it_imports_outcomes(client: Client, hr):
    client.force_login(hr)
    url = reverse("integrations:token_list")
    page = client.get(url).content.decode()
    for scope in ("checkins:read", "surveys:read", "outcomes:write"):
        assert f'value="{scope}"' in page, scope
    response = client.post(url, {"name": "HR warehouse", "scopes": ["outcomes:write"]})
    (secret,) = re.findall(r'value="(mtk_[^"]+)"', response.content.decode())
    client.logout()
    upload = SimpleUploadedFile("hr.csv", b"email,status\nana@example.org,employed\n", "text/csv")
    imported = client.post(
        "/api/v1/outcomes/import", {"file": upload}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert imported.status_code == 201, imported.content
    # The token carries only that scope.
    listing = client.get("/api/v1/programs", headers={"Authorization": f"Bearer {secret}"})
    assert listing.status_code == 403
