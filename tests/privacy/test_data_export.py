"""Your data: the download holds everything about the person asking, and nothing else."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.models import AuditEvent, User
from pairs.checkins.services import checkin_log_past
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.privacy.data_rights_world import (
    ANONYMOUS_CANARY,
    ANSWER_CANARY,
    BIO_CANARY,
    EMAIL,
    GOAL_CANARY,
    IDENTIFIED_CANARY,
    NAME,
    NOTES_CANARY,
    NOW,
    OTHER_PAIR_CANARY,
    PARTNER_NOTES,
    PersonWorld,
    person_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings: Any) -> Any:
    settings.MIN_GROUP_SIZE = 2
    with time_machine.travel(NOW, tick=False):
        yield person_world()


def signed_in_again(user: User) -> Client:
    """A client that signed in and then re-entered the password (as the page asks)."""
    client = Client()
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.content
    return client


def download(client: Client) -> tuple[Any, dict[str, Any]]:
    response = client.get(reverse("personal_data_download"))
    assert response.status_code == 200, response
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response, json.loads(body)


def test_the_page_offers_the_download_and_deletion(world: PersonWorld) -> None:
    client = Client()
    client.force_login(world.person)
    response = client.get(reverse("personal_data"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("personal_data_download") in html
    assert reverse("erasure_request") in html


def test_the_download_asks_for_the_password_again_first(world: PersonWorld) -> None:
    client = Client()
    client.force_login(world.person)
    response = client.get(reverse("personal_data_download"))
    assert response.status_code == 302
    assert reverse("account_reauthenticate") in response["Location"]


def test_a_person_downloads_everything_about_themself(world: PersonWorld) -> None:
    response, data = download(signed_in_again(world.person))
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert data["user_id"] == world.person.pk
    assert data["account"]["email"] == EMAIL
    assert data["account"]["full_name"] == NAME
    assert [e["email"] for e in data["account"]["email_addresses"]] == [EMAIL]
    assert data["profile"]["bio"] == BIO_CANARY
    programs = {p["program"]["name"]: (p["role"], p["status"]) for p in data["participations"]}
    assert programs == {
        "Leadership 2026": ("mentee", "active"),
        "Engineering Guild": ("mentor", "invited"),
    }
    assert [a["value"] for a in data["profile_answers"]] == [ANSWER_CANARY]
    [mentorship] = data["mentorships"]
    assert mentorship["your_role"] == "mentee"
    assert mentorship["partner"] == "Max Mentor"
    assert mentorship["agreement"]["expectations"]
    notes = [c["notes"] for c in data["checkins"]]
    assert sum(NOTES_CANARY in n for n in notes) == 2
    assert PARTNER_NOTES in notes  # the pair's shared record
    assert {c["your_rating"] for c in data["checkins"] if c["status"] == "done"} == {4, None}
    assert GOAL_CANARY in [g["title"] for g in data["pair_goals"]]
    assert data["match_requests"][0]["message"]
    assert [r["survey"]["id"] for r in data["survey_responses"]] == [world.extra["identified"].pk]
    assert IDENTIFIED_CANARY in [a["value"] for a in data["survey_answers"]]
    assert len(data["survey_invitations"]) == 2
    assert {r["event"]["title"] for r in data["event_rsvps"]} == {
        "Negotiation workshop",
        "Kick-off",
    }
    assert data["preferences"]["emails"] == {"checkin_updates": False}
    assert data["preferences"]["reminders_to_chat"] is True
    assert data["api_tokens"][0]["scopes"] == ["programs:read"]
    actions = [e["action"] for e in data["audit_events"]]
    assert "sign_in" in actions
    assert "sign_in_failed" in actions
    kinds = {d["kind"] for d in data["deliveries"]}
    assert "survey-invitation" in kinds
    assert "pair-welcome" in kinds


def test_the_download_never_holds_other_pairs_anonymous_answers_or_secrets(
    world: PersonWorld,
) -> None:
    _response, data = download(signed_in_again(world.person))
    text = json.dumps(data)
    assert OTHER_PAIR_CANARY not in text
    assert "third-pair" not in text
    # Anonymous answers are not linked to the person, so they cannot be in it.
    assert ANONYMOUS_CANARY not in text
    assert world.extra["anonymous"].pk not in [r["survey"]["id"] for r in data["survey_responses"]]
    # No secrets: the calendar address, token hashes and prefixes, the password hash.
    assert "the-old-feed-token" not in text
    assert "f" * 64 not in text
    assert "mnt_abc" not in text
    assert world.person.password not in text
    # The partner appears by name only.
    assert "max.mentor@example.org" not in text


def test_the_download_is_audited_as_an_export(world: PersonWorld) -> None:
    download(signed_in_again(world.person))
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).get()
    assert event.actor_id == world.person.pk
    assert event.detail == {"what": "personal_data"}


def test_nobody_can_download_someone_elses_data(world: PersonWorld) -> None:
    # There is no address for another person's data: a coordinator of the person's
    # program gets their own file, with none of the person's data in it.
    _response, data = download(signed_in_again(world.coordinator))
    assert data["user_id"] == world.coordinator.pk
    text = json.dumps(data)
    for canary in (EMAIL, NOTES_CANARY, BIO_CANARY, IDENTIFIED_CANARY):
        assert canary not in text


def test_anonymous_visitors_are_sent_to_sign_in(world: PersonWorld) -> None:
    response = Client().get(reverse("personal_data_download"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def _export_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        download(client)
    return len(queries)


def test_the_download_costs_the_same_queries_whatever_the_data_size(world: PersonWorld) -> None:
    client = signed_in_again(world.person)
    before = _export_queries(client)
    with time_machine.travel(NOW, tick=False):
        for days in range(40, 100, 2):
            checkin_log_past(
                mentorship=world.mentorship,
                by=world.person,
                held_at=NOW - dt.timedelta(days=days, hours=1),
                outcome="done",
                notes="more",
                rating=3,
                now=NOW,
            )
        for _i in range(10):
            user_create()  # more people elsewhere change nothing either
    assert _export_queries(client) == before


def test_someone_with_nothing_yet_gets_a_small_valid_file(db: None) -> None:
    newcomer = user_create(full_name="New Person")
    _response, data = download(signed_in_again(newcomer))
    assert data["profile"] is None
    assert data["mentorships"] == []
    assert data["checkins"] == []
