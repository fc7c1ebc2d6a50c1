"""The append-only audit log: what writes to it, that nothing rewrites it, who reads it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from mentoring.audit import audit_record
from mentoring.models import AuditEvent, User
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.factories.programs import mentorship_make, program_create

Action = AuditEvent.Action
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


# -- Append-only ----------------------------------------------------------------


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_removed(user: User) -> None:
    event = audit_record(action=Action.EXPORT, actor=user, detail={"export": "x"})
    event.detail = {"export": "rewritten"}
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(detail={})
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.detail == {"export": "x"}


@pytest.mark.django_db
def test_deleting_a_person_keeps_their_audit_trail(user: User) -> None:
    audit_record(action=Action.SIGN_IN, actor=user)
    email = user.email
    user.delete()
    assert AuditEvent.objects.get().actor_email == email


def test_the_admin_offers_no_way_to_add_change_or_delete_events(rf: RequestFactory) -> None:
    model_admin = admin.site._registry[AuditEvent]
    request = rf.get("/")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


# -- What is recorded -------------------------------------------------------------


@pytest.mark.django_db
def test_sign_in_failure_and_sign_out_are_recorded_with_the_address(client: Client) -> None:
    person = user_create(email="ada@example.org")
    bad = client.post(
        "/accounts/login/",
        {"login": "ada@example.org", "password": "not-it"},
        REMOTE_ADDR="198.51.100.7",
    )
    assert bad.status_code == 200
    good = client.post(
        "/accounts/login/",
        {"login": "ada@example.org", "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )
    assert good.status_code == 302
    client.post("/accounts/logout/", REMOTE_ADDR="198.51.100.7")

    events = list(AuditEvent.objects.order_by("pk"))
    assert [e.action for e in events] == [Action.SIGN_IN_FAILED, Action.SIGN_IN, Action.SIGN_OUT]
    assert events[0].actor_id is None
    assert events[0].actor_email == "ada@example.org"
    assert events[1].actor_id == person.pk
    assert [e.ip for e in events] == ["198.51.100.7"] * 3
    # Nothing secret is stored.
    assert all("not-it" not in str(e.detail) and "password" not in str(e.detail) for e in events)


@pytest.mark.django_db
def test_an_idle_sign_out_is_recorded_as_such(client: Client, time_machine, settings) -> None:
    time_machine.move_to(NOW, tick=False)
    hr = user_create(is_hr_viewer=True)
    client.force_login(hr)
    time_machine.shift(dt.timedelta(minutes=settings.IDLE_TIMEOUT_MINUTES + 1))
    client.get("/insights/")
    assert _actions() == [Action.SIGN_IN, Action.SIGN_OUT_IDLE]


@pytest.mark.django_db
def test_granting_and_revoking_roles_in_the_admin_is_recorded(client: Client) -> None:
    root = user_create(is_staff=True, is_superuser=True)
    Authenticator.objects.create(user=root, type=Authenticator.Type.TOTP, data={})
    person = user_create(full_name="Pat Person", is_coordinator=True)
    client.force_login(root)

    response = client.post(
        reverse("admin:mentoring_user_change", args=[person.pk]),
        {
            "email": person.email,
            "full_name": person.full_name,
            "preferred_name": "",
            "time_zone": "UTC",
            "is_active": "on",
            "is_hr_viewer": "on",
        },
    )

    assert response.status_code == 302
    role = AuditEvent.objects.get(action=Action.ROLE_CHANGE)
    assert role.actor_id == root.pk
    assert (role.target_type, role.target_id) == ("mentoring.user", str(person.pk))
    assert role.detail == {"granted": ["is_hr_viewer"], "revoked": ["is_coordinator"]}
    change = AuditEvent.objects.get(action=Action.ADMIN_ACTION)
    assert (change.target_type, change.target_id) == ("mentoring.user", str(person.pk))
    assert change.detail["flag"] == "change"


@pytest.mark.django_db
def test_an_hr_export_is_recorded(client: Client, hr: User) -> None:
    client.force_login(hr)
    response = client.get("/insights/", {"export": "outcomes"})
    assert response["Content-Type"].startswith("text/csv")
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor_id == hr.pk
    assert event.detail["export"] == "insights_outcomes"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "params", "export"),
    [
        ("/programs/{pk}/dashboard/", {"export": "at_risk"}, "dashboard_at_risk"),
        ("/programs/{pk}/pairs.csv", {"health": "due"}, "pairs"),
    ],
)
def test_a_coordinators_csv_export_is_recorded_with_the_program(
    client: Client, coordinator: User, path: str, params: dict[str, str], export: str
) -> None:
    program = program_create(coordinators=[coordinator])
    mentorship_make(program=program)
    client.force_login(coordinator)
    response = client.get(path.format(pk=program.pk), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor_id == coordinator.pk
    assert (event.target_type, event.target_id) == ("programs.program", str(program.pk))
    assert event.detail["export"] == export


@pytest.mark.django_db
def test_a_refused_export_records_nothing(client: Client, outsider: User) -> None:
    program = program_create()
    client.force_login(outsider)
    assert client.get(f"/programs/{program.pk}/pairs.csv").status_code == 404
    assert client.get(f"/programs/{program.pk}/dashboard/", {"export": "funnel"}).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


# -- The page ---------------------------------------------------------------------


@pytest.mark.django_db
def test_only_site_admins_open_the_audit_log(
    client: Client, staff: User, hr: User, coordinator: User, user: User
) -> None:
    assert client.get("/audit/")["Location"].startswith("/accounts/login/")
    for person in (hr, coordinator, user):
        client.force_login(person)
        assert client.get("/audit/").status_code == 403, person
    client.force_login(staff)
    response = client.get("/audit/")
    assert response.status_code == 200
    assert response.content.count(b"<h1") == 1


@pytest.mark.django_db
def test_the_audit_log_filters_by_event_person_and_date(
    client: Client, staff: User, time_machine
) -> None:
    time_machine.move_to(NOW, tick=False)
    ada = user_create(email="ada@example.org")
    audit_record(action=Action.EXPORT, actor=ada, detail={"export": "survey_results"})
    time_machine.shift(dt.timedelta(days=3))
    audit_record(action=Action.MATCH_PUBLISH, actor=ada, detail={"pairs": 4})
    audit_record(action=Action.EXPORT, actor_email="bob@example.org")
    client.force_login(staff)

    def rows(**query: Any) -> int:
        response = client.get("/audit/", query)
        assert response.status_code == 200
        return len(response.context["page"].object_list)

    assert rows(action="export") == 2
    assert rows(action="export", actor="ADA@") == 1
    assert rows(start="2026-03-04") == 3  # the two later events and the staff sign-in
    assert rows(end="2026-03-02") == 1
    assert rows(action="not-an-action") >= 3  # a bad filter shows everything, no error
    htmx = client.get("/audit/", {"action": "match_publish"}, headers={"hx-request": "true"})
    assert b'id="audit-table"' in htmx.content
    assert b"<h1" not in htmx.content


@pytest.mark.django_db
def test_the_audit_log_costs_the_same_queries_for_few_or_many_events(
    client: Client, staff: User, django_assert_max_num_queries: Any
) -> None:
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={})
    client.force_login(staff)
    for _ in range(3):
        audit_record(action=Action.EXPORT, actor=staff)
    with django_assert_max_num_queries(10) as few:
        client.get("/audit/")
    AuditEvent.objects.bulk_create(
        [AuditEvent(action=Action.SIGN_IN, actor_email=f"p{n}@example.org") for n in range(120)]
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/audit/", {"page": "2"})
    assert len(response.context["page"].object_list) == 50
