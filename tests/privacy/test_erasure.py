"""Deleting an account: personal data gone everywhere, the numbers unchanged."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail, signing
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, connection, models, transaction
from django.db.models.functions import Cast
from django.test import Client
from django.urls import reverse

from events.models import EventRsvp
from mentoring.models import AuditEvent, EmployeeRecord, ErasureRequest, User, erased_email
from pairs.models import CheckIn, Mentorship, PairGoal
from privacy import erasure
from programs.models import Participant
from reports import insights
from reports.dashboards import dashboard_compute
from surveys.models import Answer
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.privacy.data_rights_world import (
    EMAIL,
    NOW,
    OTHER_PAIR_CANARY,
    PARTNER_NOTES,
    SECRETS,
    PersonWorld,
    person_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings: Any, eager_celery: None) -> Iterator[PersonWorld]:
    settings.MIN_GROUP_SIZE = 2
    with time_machine.travel(NOW, tick=False):
        yield person_world()


def confirmed(world: PersonWorld) -> ErasureRequest:
    return ErasureRequest.objects.create(
        user=world.person, state=ErasureRequest.State.CONFIRMED, requested_at=NOW, confirmed_at=NOW
    )


def execute(request: ErasureRequest, capture: Any, **kwargs: Any) -> erasure.Erasure:
    with capture(execute=True):
        return erasure.erasure_execute(request_id=request.pk, **kwargs)


# -- the generic scan --------------------------------------------------------------


def text_columns() -> Iterator[tuple[type[models.Model], models.Field[Any, Any]]]:
    """Every text-holding column of every table Django manages (JSON included)."""
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        for field in model._meta.local_concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                yield model, field


def traces(needle: str) -> list[str]:
    found = []
    for model, field in text_columns():
        rows = model._base_manager.annotate(_as_text=Cast(field.attname, models.TextField()))
        if rows.filter(_as_text__icontains=needle).exists():
            found.append(f"{model._meta.label}.{field.name}")
    return found


def test_the_scan_finds_what_is_there(world: PersonWorld) -> None:
    # Before deletion the scan sees the person in the places one would expect, so
    # an empty result after deletion means something.
    assert {
        "mentoring.User.email",
        "programs.Participant.email",
        "mentoring.AuditEvent.actor_email",
    } <= set(traces(EMAIL))
    assert "integrations.WebhookDelivery.payload" in traces(EMAIL)
    assert "programs.ParticipantImport.summary" in traces(EMAIL)
    assert "pairs.CheckIn.notes" in traces(SECRETS[3])


def test_deletion_leaves_no_trace_of_the_person_anywhere(
    world: PersonWorld, django_capture_on_commit_callbacks: Any
) -> None:
    execute(confirmed(world), django_capture_on_commit_callbacks)
    left = {needle: traces(needle) for needle in SECRETS}
    assert left == {needle: [] for needle in SECRETS}
    # Sessions are encoded, so they are checked by decoding.
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(world.person.pk)
    ]


def test_what_belongs_to_others_stays(
    world: PersonWorld, django_capture_on_commit_callbacks: Any
) -> None:
    execute(confirmed(world), django_capture_on_commit_callbacks)
    assert CheckIn.objects.filter(mentorship=world.other_pair, notes=OTHER_PAIR_CANARY).count() == 2
    # The check-in only the partner logged keeps the partner's notes.
    assert CheckIn.objects.filter(mentorship=world.mentorship, notes=PARTNER_NOTES).count() == 1
    assert PairGoal.objects.filter(mentorship=world.mentorship, title="Mentor's goal").exists()
    # Anonymous answers were never the person's to delete.
    assert Answer.objects.filter(value="canary-anonymous-survey-e94b").count() == 1


def test_the_account_can_no_longer_be_used(
    world: PersonWorld, django_capture_on_commit_callbacks: Any
) -> None:
    signed_in: Client = world.extra["signed_in_client"]
    assert signed_in.get(reverse("personal_data")).status_code == 200
    execute(confirmed(world), django_capture_on_commit_callbacks)
    person = User.objects.get(pk=world.person.pk)
    assert person.email == erased_email(person.pk)
    assert person.display_name == "Deleted account"
    assert not person.is_active
    assert not person.has_usable_password()
    assert not Client().login(email=EMAIL, password=DEFAULT_PASSWORD)
    # The session that was signed in is over.
    response = signed_in.get(reverse("personal_data"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not person.api_tokens.filter(revoked_at__isnull=True).exists()
    assert person.calendar_feed.token != "the-old-feed-token"
    assert not EmailAddress.objects.filter(user=person).exists()


def test_pairs_end_with_a_reason_and_places_go_to_the_next_person(
    world: PersonWorld, django_capture_on_commit_callbacks: Any
) -> None:
    execute(confirmed(world), django_capture_on_commit_callbacks)
    mentorship = Mentorship.objects.get(pk=world.mentorship.pk)
    assert mentorship.state == Mentorship.State.ENDED
    assert mentorship.end_reason == Mentorship.EndReason.OTHER
    upcoming = CheckIn.objects.get(pk=world.extra["upcoming_checkin"].pk)
    assert upcoming.status == CheckIn.Status.CANCELLED
    assert upcoming.location == ""
    assert set(
        Participant.objects.filter(email=erased_email(world.person.pk)).values_list(
            "status", flat=True
        )
    ) == {Participant.Status.WITHDRAWN}
    event = world.extra["upcoming_event"]
    assert EventRsvp.objects.get(event=event, user=world.waiting).status == "going"
    assert not EventRsvp.objects.filter(event=event, user=world.person).exists()


def test_the_people_who_need_to_know_are_told_without_a_name(
    world: PersonWorld, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    execute(confirmed(world), django_capture_on_commit_callbacks)
    by_address = {m.to[0]: m for m in mail.outbox if isinstance(m, EmailMultiAlternatives)}
    partner = by_address["max.mentor@example.org"]
    coordinator = by_address[world.coordinator.email]
    done = by_address[EMAIL]  # the closing email goes to the address the account had
    assert "has ended" in partner.subject
    assert coordinator.subject == "A participant left Leadership 2026"
    assert "the pair with Max Mentor" in coordinator.body
    assert "deleted" in done.subject
    for message in (partner, coordinator):
        html = message.alternatives[0][0]
        for text in (message.body, str(html)):
            assert "Zebedee" not in text
            assert "Quillfeather" not in text
            assert EMAIL not in text
    # The other program's coordinator hears of it too (the person was invited there).
    assert world.other_coordinator.email in by_address


def test_aggregates_stay_the_same_except_what_must_change(
    world: PersonWorld, django_capture_on_commit_callbacks: Any
) -> None:
    before = numbers(world)
    execute(confirmed(world), django_capture_on_commit_callbacks)
    after = numbers(world)
    changed = {path for path, _old, _new in differences(before, after)}
    # Unchanged: everything counted from check-ins, ratings, survey answers and HR's
    # records, and everyone's enrolment (the person's rows stay, under a pseudonym).
    for path in (
        ".coordinator.checkins_weekly",
        ".coordinator.survey_weekly",
        ".coordinator.funnel.invited",
        ".coordinator.funnel.profile_complete",
        ".coordinator.funnel.matched",
        ".coordinator.funnel.first_checkin",
        ".coordinator.goals.avg_satisfaction",
        ".coordinator.goals.retention_rate",
        ".coordinator.goals.promotion_rate",
        ".hr.engagement",
        ".hr.satisfaction",
        ".hr.outcomes",
        ".hr.participation.roles",
    ):
        assert not any(p.startswith(path) for p in changed), path
        assert value_at(before, path) not in (None, [], {}), path
    # Changed by design: the pair ended (so it is no longer active, on track or meeting
    # at cadence, and a pair ended early now counts for completion), the enrolments
    # are withdrawn, and the self-described demographics went with the profile (their
    # consent with it). Nothing else moved.
    allowed = (
        ".coordinator.funnel.active",
        ".coordinator.health.",
        ".coordinator.goals.cadence_share.",
        ".coordinator.goals.completion_rate.",
        ".hr.participation.statuses",
        ".hr.participation.mentorships_",
        ".hr.diversity.",
    )
    assert {p for p in changed if not p.startswith(allowed)} == set()
    assert before["coordinator"]["funnel"]["active"] - after["coordinator"]["funnel"]["active"] == 2
    assert after["hr"]["diversity"]["consented"] == before["hr"]["diversity"]["consented"] - 1


def test_a_second_request_or_run_is_harmless(
    world: PersonWorld, django_capture_on_commit_callbacks: Any
) -> None:
    request = confirmed(world)
    first = execute(request, django_capture_on_commit_callbacks)
    assert first.done_now
    snapshot = scan_counts()
    audit_rows = AuditEvent.objects.count()
    mail.outbox.clear()
    again = execute(request, django_capture_on_commit_callbacks)
    assert not again.done_now
    assert scan_counts() == snapshot
    assert AuditEvent.objects.count() == audit_rows
    assert mail.outbox == []
    # Asking again is refused: the account can no longer be changed.
    person = User.objects.get(pk=world.person.pk)
    with pytest.raises(erasure.ErasureError):
        erasure.erasure_request_create(user=person)
    # The notice tasks running twice send nothing more.
    assert erasure.erasure_notices_send(request_id=request.pk) == 0


def test_a_failure_half_way_leaves_nothing_done(
    world: PersonWorld, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = confirmed(world)
    snapshot = scan_counts()
    audit_rows = AuditEvent.objects.count()

    def fail(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("the database went away")

    # One of the last steps: by then every other change has been made.
    monkeypatch.setattr(erasure.execute, "_redact_rows", fail)
    with pytest.raises(RuntimeError):
        execute(request, django_capture_on_commit_callbacks)
    assert scan_counts() == snapshot
    assert AuditEvent.objects.count() == audit_rows
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.CONFIRMED
    assert Mentorship.objects.get(pk=world.mentorship.pk).state == Mentorship.State.ACTIVE
    assert User.objects.get(pk=world.person.pk).is_active
    # Once the fault is gone, the same request goes through.
    monkeypatch.undo()
    assert execute(request, django_capture_on_commit_callbacks).done_now


def test_the_audit_log_records_it_without_the_personal_data(
    world: PersonWorld, django_capture_on_commit_callbacks: Any
) -> None:
    request = confirmed(world)
    execute(request, django_capture_on_commit_callbacks)
    event = AuditEvent.objects.get(action=AuditEvent.Action.ERASURE)
    assert event.target_id == str(world.person.pk)
    assert event.actor_id == world.person.pk
    assert event.actor_email == erased_email(world.person.pk)
    assert event.detail["executed_by"] == "self"
    assert event.detail["request"] == request.pk
    assert EMAIL not in json.dumps(event.detail)
    # The older rows keep what happened, under the account number.
    sign_ins = AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN, actor=world.person)
    assert sign_ins.exists()
    assert {e.actor_email for e in sign_ins} == {erased_email(world.person.pk)}
    assert {e.ip for e in sign_ins} == {None}


def test_hr_records_follow_the_placeholder(
    world: PersonWorld, django_capture_on_commit_callbacks: Any
) -> None:
    execute(confirmed(world), django_capture_on_commit_callbacks)
    placeholder = erased_email(world.person.pk)
    assert EmployeeRecord.objects.filter(email=placeholder).exists()
    colleague = Participant.objects.get(pk=world.colleague.pk)
    assert colleague.manager_email == placeholder


# -- through the pages ---------------------------------------------------------------


def test_the_whole_journey_through_the_pages(
    world: PersonWorld, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(world.person)
    url = reverse("erasure_request")
    assert reverse("account_reauthenticate") in client.get(url)["Location"]
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    page = client.get(url)
    assert page.status_code == 200
    assert "Kept without your name" in page.content.decode()
    # Without the box ticked: the form again, with the reason, nothing asked.
    refused = client.post(url, {})
    assert refused.status_code == 200
    assert "Tick the box" in refused.content.decode()
    assert not ErasureRequest.objects.exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"understood": "on"})
    assert response.status_code == 302
    request = ErasureRequest.objects.get(user=world.person)
    assert request.state == ErasureRequest.State.REQUESTED
    [email] = mail.outbox
    assert isinstance(email, EmailMultiAlternatives)
    assert email.to == [EMAIL]
    assert email.alternatives  # text and HTML
    link = re.search(r"https?://\S+/accounts/data/delete/confirm/\S+/", str(email.body))
    assert link
    path = re.sub(r"^https?://[^/]+", "", link.group(0))
    # The link's page only shows a button (mail scanners open links).
    assert client.get(path).status_code == 200
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    assert response["Location"] == reverse("erasure_done")
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.DONE
    assert request.executed_by is None
    assert User.objects.get(pk=world.person.pk).is_erased
    # Signed out, and the used link no longer works.
    assert client.get(reverse("personal_data")).status_code == 302
    assert client.get(path).status_code == 404
    assert client.get(reverse("erasure_done")).status_code == 200


def test_a_link_emailed_before_the_move_to_the_privacy_app_still_confirms(
    world: PersonWorld, django_capture_on_commit_callbacks: Any
) -> None:
    # Links are signed with a salt; the code moved from mentoring/ to privacy/ and the
    # salt must not move with it, or every link in someone's inbox stops working.
    with django_capture_on_commit_callbacks(execute=True):
        request = erasure.erasure_request_create(user=world.person)
    emailed = signing.dumps({"r": request.pk, "n": request.nonce}, salt="mentoring.erasure.confirm")
    found = erasure.erasure_request_from_token(emailed)
    assert found is not None
    assert found.pk == request.pk


def test_asking_twice_sends_a_new_link_and_retires_the_old(
    world: PersonWorld, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = erasure.erasure_request_create(user=world.person)
    old = erasure.erasure_link_token(first)
    with django_capture_on_commit_callbacks(execute=True):
        second = erasure.erasure_request_create(user=world.person)
    assert second.pk == first.pk
    assert erasure.erasure_request_from_token(old) is None
    assert erasure.erasure_request_from_token(erasure.erasure_link_token(second)) is not None
    assert ErasureRequest.objects.count() == 1


def test_a_waiting_request_can_be_cancelled(world: PersonWorld) -> None:
    request = erasure.erasure_request_create(user=world.person)
    token = erasure.erasure_link_token(request)
    client = Client()
    client.force_login(world.person)
    assert client.post(reverse("erasure_cancel"))["Location"] == reverse("personal_data")
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.CANCELLED
    assert Client().get(reverse("erasure_confirm", args=[token])).status_code == 404
    assert User.objects.get(pk=world.person.pk).is_active


def test_an_expired_link_no_longer_works(world: PersonWorld) -> None:
    request = erasure.erasure_request_create(user=world.person)
    token = erasure.erasure_link_token(request)
    with time_machine.travel(NOW + dt.timedelta(hours=erasure.LINK_HOURS, minutes=1)):
        assert Client().post(reverse("erasure_confirm", args=[token])).status_code == 404
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.REQUESTED


def test_staff_see_requests_and_may_carry_one_out(
    world: PersonWorld, staff: User, django_capture_on_commit_callbacks: Any
) -> None:
    request = erasure.erasure_request_create(user=world.person)
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("erasure_request_list"))
    assert page.status_code == 200
    assert EMAIL in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("erasure_request_execute", args=[request.pk]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.DONE
    assert request.executed_by == staff
    event = AuditEvent.objects.get(action=AuditEvent.Action.ERASURE)
    assert event.actor == staff
    assert event.detail["executed_by"] == "staff"
    # The list now shows a pseudonym, not the address.
    assert EMAIL not in client.get(reverse("erasure_request_list")).content.decode()


def test_only_staff_may_carry_out_requests(world: PersonWorld) -> None:
    request = erasure.erasure_request_create(user=world.person)
    for user in (world.coordinator, world.person, user_create(is_hr_viewer=True)):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("erasure_request_list")).status_code == 403
        assert client.post(reverse("erasure_request_execute", args=[request.pk])).status_code == 403
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.REQUESTED


def test_the_worker_refuses_an_unconfirmed_request(world: PersonWorld) -> None:
    request = erasure.erasure_request_create(user=world.person)
    with pytest.raises(erasure.ErasureError):
        erasure.erasure_execute(request_id=request.pk)
    assert User.objects.get(pk=world.person.pk).is_active


# -- helpers ---------------------------------------------------------------------------


def scan_counts() -> dict[str, int]:
    """A fingerprint of the data: how many rows each table has, plus a few key values."""
    counts = {m._meta.label: m._base_manager.count() for m in apps.get_models()}
    counts["users_active"] = User.objects.filter(is_active=True).count()
    counts["notes"] = CheckIn.objects.exclude(notes="").count()
    counts["withdrawn"] = Participant.objects.filter(status="withdrawn").count()
    return counts


def numbers(world: PersonWorld) -> dict[str, Any]:
    """The coordinator's dashboard (goals keyed by metric) and HR's sections, as JSON."""
    filters = insights.Filters(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    dashboard = dashboard_compute(program=world.program, now=NOW)
    dashboard.pop("computed_at")
    dashboard["goals"] = {goal["metric"]: goal for goal in dashboard["goals"]}
    hr = {
        name: dataclasses.asdict(getattr(insights, name)(filters))
        for name in ("participation", "engagement", "satisfaction", "diversity", "outcomes")
    }
    return json.loads(json.dumps({"coordinator": dashboard, "hr": hr}, default=str))


def differences(before: Any, after: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in before.keys() | after.keys():
            yield from differences(before.get(key), after.get(key), f"{path}.{key}")
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            yield from differences(old, new, f"{path}[{index}]")
    elif before != after:
        yield path, before, after


def value_at(data: Any, path: str) -> Any:
    for key in path.strip(".").split("."):
        data = data[key]
    return data


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_still_refuses_any_other_change_to_audit_rows(user: User) -> None:
    event = AuditEvent.objects.create(action=AuditEvent.Action.SIGN_IN, actor=user, ip="10.0.0.1")
    placeholder = erased_email(user.pk)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE mentoring_auditevent SET actor_email = %s, ip = NULL, action = %s "
            "WHERE id = %s",
            [placeholder, "export", event.pk],
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE mentoring_auditevent SET actor_email = %s WHERE id = %s",
            ["someone@example.org", event.pk],
        )
    assert (
        AuditEvent.objects.identity_erase(user_id=user.pk, emails=[], placeholder=placeholder) == 1
    )
    event.refresh_from_db()
    assert (event.actor_email, event.ip, event.action) == (placeholder, None, "sign_in")
