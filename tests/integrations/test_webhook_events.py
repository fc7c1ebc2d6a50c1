"""Each event is emitted by the service that changes the state, sent after commit, to
a real receiver on 127.0.0.1; payloads carry ids, states, dates and counts only."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from integrations import webhooks
from integrations.models import WebhookDelivery, WebhookEndpoint
from matching.models import MatchSettings
from matching.selfmatch import services as selfmatch
from mentoring.models import User
from pairs.checkins.links import log_link_token
from pairs.checkins.services import checkin_log, checkin_log_from_link, checkin_log_past
from pairs.models import CheckIn, Mentorship, PairGoal
from programs.models import Participant, Program
from programs.services import program_transition
from surveys import services as survey_services
from surveys import sweeps
from surveys.models import Invitation, Survey
from tests.factories.programs import mentee_of, mentor_of, mentorship_make
from tests.factories.surveys import answer_all, people, survey_open
from tests.integrations.conftest import Receiver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

Event = WebhookEndpoint.Event
PRIVATE = "Private words about a reorganisation"


def _endpoint(program: Program, receiver: Receiver, coordinator: User, *events: str) -> None:
    webhooks.webhook_endpoint_create(
        program=program, url=receiver.url, events=list(events), by=coordinator
    )


def _bodies(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in receiver.requests]


@pytest.fixture
def pair(program: Program) -> Mentorship:
    return mentorship_make(program=program, started_at=timezone.now() - dt.timedelta(days=30))


def test_logging_a_checkin_sends_its_date_and_status_but_nothing_the_pair_wrote(
    program, coordinator, receiver, pair, django_capture_on_commit_callbacks
):
    _endpoint(program, receiver, coordinator, Event.CHECKIN_LOGGED)
    goal = PairGoal.objects.create(mentorship=pair, title="Lead a team", description=PRIVATE)
    held = CheckIn.objects.create(
        mentorship=pair,
        status=CheckIn.Status.SCHEDULED,
        scheduled_at=timezone.now() - dt.timedelta(hours=2),
        duration_minutes=50,
        location="Room 4",
    )
    with django_capture_on_commit_callbacks(execute=True):
        checkin_log(
            checkin=held,
            by=mentor_of(pair),
            outcome="done",
            topics="reorganisation",
            notes=PRIVATE,
            rating=4,
            goal_progress={goal.pk: 60},
        )
        assert receiver.requests == []  # nothing leaves before the commit
    (body,) = _bodies(receiver)
    assert body["event"] == "checkin.logged"
    assert body["program"]["id"] == program.pk
    data = body["data"]["checkin"]
    assert data == {
        "id": held.pk,
        "mentorship_id": pair.pk,
        "mentor_participant_id": pair.mentor_id,
        "mentee_participant_id": pair.mentee_id,
        "status": "done",
        "scheduled_at": held.scheduled_at.isoformat(),
        "duration_minutes": 50,
        "logged_at": data["logged_at"],
    }
    assert data["logged_at"] is not None
    raw = receiver.requests[0].body.decode()
    for secret in (PRIVATE, "reorganisation", "Lead a team", "Room 4", "rating", "goal"):
        assert secret not in raw


def test_a_past_meeting_and_the_one_click_link_are_logged_events_too(
    program, coordinator, receiver, pair, django_capture_on_commit_callbacks
):
    _endpoint(program, receiver, coordinator, Event.CHECKIN_LOGGED)
    with django_capture_on_commit_callbacks(execute=True):
        past = checkin_log_past(
            mentorship=pair,
            by=mentee_of(pair),
            held_at=timezone.now() - dt.timedelta(days=2),
            outcome="missed",
            notes=PRIVATE,
        )
    scheduled = CheckIn.objects.create(
        mentorship=pair,
        status=CheckIn.Status.SCHEDULED,
        scheduled_at=timezone.now() - dt.timedelta(hours=1),
    )
    token = log_link_token(checkin=scheduled, user=mentee_of(pair), outcome="done")
    with django_capture_on_commit_callbacks(execute=True):
        assert checkin_log_from_link(token).outcome == "recorded"
    with django_capture_on_commit_callbacks(execute=True):
        # A second click records nothing, so it announces nothing either.
        assert checkin_log_from_link(token).outcome == "already"
    assert [
        (b["data"]["checkin"]["id"], b["data"]["checkin"]["status"]) for b in _bodies(receiver)
    ] == [
        (past.pk, "missed"),
        (scheduled.pk, "done"),
    ]


def test_a_refused_log_sends_nothing(program, coordinator, receiver, pair):
    _endpoint(program, receiver, coordinator, Event.CHECKIN_LOGGED)
    future = CheckIn.objects.create(
        mentorship=pair,
        status=CheckIn.Status.SCHEDULED,
        scheduled_at=timezone.now() + dt.timedelta(days=1),
    )
    with pytest.raises(Exception, match="once it has started"):
        checkin_log(checkin=future, by=mentor_of(pair), outcome="done")
    assert not WebhookDelivery.objects.exists()


def test_closing_a_survey_sends_its_counts_and_a_link_but_no_answers(
    program, coordinator, receiver, django_capture_on_commit_callbacks
):
    _endpoint(program, receiver, coordinator, Event.SURVEY_CLOSED)
    people(program, Participant.Role.MENTEE, 7)
    survey = survey_open(program, coordinator, audience="mentees")
    answer_all(survey, list(Invitation.objects.filter(survey=survey))[:6], text=PRIVATE)
    with django_capture_on_commit_callbacks(execute=True):
        survey_services.survey_close(survey=survey, by=coordinator)
    (body,) = _bodies(receiver)
    assert body["event"] == "survey.closed"
    data = body["data"]["survey"]
    assert (data["id"], data["invited"], data["answered"], data["response_rate"]) == (
        survey.pk,
        7,
        6,
        86,
    )
    assert data["is_anonymous"] is True
    assert data["results_url"].endswith(
        reverse("surveys:survey_results", args=[program.pk, survey.pk])
    )
    assert data["results_url"].startswith("http")
    assert PRIVATE not in receiver.requests[0].body.decode()


def test_a_survey_closed_by_its_date_is_announced_with_small_counts_hidden(
    program, coordinator, receiver, django_capture_on_commit_callbacks
):
    _endpoint(program, receiver, coordinator, Event.SURVEY_CLOSED)
    people(program, Participant.Role.MENTEE, 3)
    survey = survey_open(program, coordinator, audience="mentees")
    answer_all(survey, list(Invitation.objects.filter(survey=survey))[:2])
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.surveys_sweep(now=timezone.now() + dt.timedelta(days=30))
    survey.refresh_from_db()
    assert survey.state == Survey.State.CLOSED
    (body,) = _bodies(receiver)
    data = body["data"]["survey"]
    # Two of three answered: fewer than the minimum group size, so hidden.
    assert (data["invited"], data["answered"], data["response_rate"]) == (3, None, None)
    # Closing again (the next sweep, or the button) announces nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        survey_services.survey_close(survey=survey, by=coordinator)
    assert len(receiver.requests) == 1


def test_closing_a_program_ends_its_pairs_with_one_event_each(
    program, coordinator, receiver, django_capture_on_commit_callbacks
):
    _endpoint(program, receiver, coordinator, Event.MENTORSHIP_ENDED)
    pairs = [mentorship_make(program=program) for _ in range(2)]
    for state in (Program.State.MATCHING, Program.State.RUNNING):
        program_transition(program=program, to_state=state, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        program_transition(program=program, to_state=Program.State.CLOSED, by=coordinator)
    found = sorted(
        (b["data"]["mentorship"]["id"], b["data"]["mentorship"]["state"]) for b in _bodies(receiver)
    )
    assert found == [(pairs[0].pk, "completed"), (pairs[1].pk, "completed")]
    assert len({b["id"] for b in _bodies(receiver)}) == 2


def test_a_mentor_accepting_a_request_publishes_the_match(
    program, coordinator, receiver, mentor, mentee, monkeypatch
):
    MatchSettings.objects.create(program=program, self_match=True, self_match_max_requests=3)
    monkeypatch.setattr(selfmatch, "_notify_after_commit", lambda *args: None)
    _endpoint(program, receiver, coordinator, Event.MATCH_PUBLISHED)
    outcome = selfmatch.match_request_create(mentee=mentee, mentor_ids=[mentor.pk])
    assert outcome.pending is not None
    with transaction.atomic():
        pair = selfmatch.match_request_answer(request=outcome.pending, accept=True, by=mentor.user)
    assert isinstance(pair, Mentorship)
    delivery = WebhookDelivery.objects.get()
    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)
    (body,) = _bodies(receiver)
    assert body["event"] == "match.published"
    assert body["data"] == {
        "match_run_id": None,
        "mentorships": [
            {
                "id": pair.pk,
                "mentor_participant_id": mentor.pk,
                "mentee_participant_id": mentee.pk,
                "score": pair.score,
                "source": "self_match",
            }
        ],
    }


def test_coordinators_pick_every_event_in_the_endpoint_form(
    client: Client, coordinator, program, receiver
):
    client.force_login(coordinator)
    url = reverse("integrations:program_integrations", args=[program.pk])
    page = client.get(url).content.decode()
    for event in Event.values:
        assert f'value="{event}"' in page, event
    response = client.post(
        url, {"url": receiver.url, "events": [Event.CHECKIN_LOGGED, Event.SURVEY_CLOSED]}
    )
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().events == [Event.CHECKIN_LOGGED, Event.SURVEY_CLOSED]
