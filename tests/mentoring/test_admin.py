"""Every model registered in the admin opens for a superuser, and for nobody else."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from mentoring.models import User
from tests.factories import user_create


def _changelists() -> list[str]:
    return [
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        for model in admin.site._registry
    ]


@pytest.mark.parametrize("name", _changelists())
def test_each_admin_list_opens_for_a_superuser(db: None, client: Client, name: str) -> None:
    root = user_create(is_staff=True, is_superuser=True)
    client.force_login(root)
    response = client.get(reverse(name))
    assert response.status_code == 200, name


def test_the_admin_is_closed_to_everyone_else(client: Client, user: User, hr: User) -> None:
    url = reverse("admin:index")
    for person in (user, hr):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
