"""A canary written where only the pair (or nobody, for anonymous answers below the
minimum) may read it never leaves through the API or a webhook, whoever asks.

The canary goes into a check-in's topics and notes, the pair's goals, milestones and
agreement, and an anonymous survey's free text that too few people gave to be shown.
Then every event fires to a real receiver on 127.0.0.1, and every GET operation of the
OpenAPI document is called with a token of each kind of person.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from integrations import webhooks
from integrations.models import WebhookDelivery, WebhookEndpoint
from matching import selfmatch
from matching.models import MatchSettings
from mentoring.models import User
from pairs import workspace
from pairs.checkins.services import checkin_log, checkin_log_past
from pairs.mentorships import mentorship_end
from pairs.models import CheckIn, Mentorship
from programs import services
from programs.models import Participant, Program
from programs.services import Invitee
from surveys import services as survey_services
from surveys.models import Invitation
from tests.factories import user_create
from tests.factories.programs import mentee_of, mentor_of, mentorship_make, participant_create
from tests.factories.surveys import answers_for, people, survey_open
from tests.integrations.conftest import Receiver, token_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

CANARY = "CANARY-7f3a9c-tweety"


@pytest.fixture
def world(
    program: Program,
    coordinator: User,
    other_program: Program,
    other_coordinator: User,
    hr: User,
    receiver: Receiver,
    django_capture_on_commit_callbacks,
) -> dict[str, Any]:
    webhooks.webhook_endpoint_create(
        program=program, url=receiver.url, events=WebhookEndpoint.Event.values, by=coordinator
    )
    with django_capture_on_commit_callbacks(execute=True):
        pair = mentorship_make(program=program, started_at=timezone.now() - dt.timedelta(days=20))
        other_pair = mentorship_make(program=program)
        mentee = mentee_of(pair)
        goal = workspace.pair_goal_create(
            mentorship=pair, by=mentee, title=f"Goal {CANARY}", description=CANARY
        )
        workspace.milestone_create(goal=goal, by=mentee, title=f"Milestone {CANARY}")
        workspace.agreement_update(mentorship=pair, by=mentee, expectations=CANARY)
        logged = checkin_log_past(
            mentorship=pair,
            by=mentee,
            held_at=timezone.now() - dt.timedelta(days=2),
            outcome="done",
            topics=CANARY,
            notes=f"Notes: {CANARY}",
            rating=5,
            goal_progress={goal.pk: 40},
        )
        # The partner logs the same meeting too: a second checkin.logged event.
        checkin_log(checkin=logged, by=mentor_of(pair), outcome="done", notes=f"Mine: {CANARY}")
        scheduled = CheckIn.objects.create(
            mentorship=pair,
            status=CheckIn.Status.SCHEDULED,
            scheduled_at=timezone.now() - dt.timedelta(hours=1),
            location=CANARY,
        )
        checkin_log(checkin=scheduled, by=mentee, outcome="missed", topics=CANARY)
        # Anonymous free text from four of six: below the minimum of five, so never shown.
        people(program, Participant.Role.MENTEE, 4)
        survey = survey_open(program, coordinator, audience="mentees")
        invitations = list(Invitation.objects.filter(survey=survey).order_by("pk"))
        for invitation in invitations[:4]:
            survey_services.response_submit(
                invitation=invitation, answers=answers_for(survey, "mentee", text=CANARY)
            )
        survey_services.survey_close(survey=survey, by=coordinator)
        services.participants_invite(
            program=program,
            invitees=[Invitee(email="new@example.org", role="mentor")],
            by=coordinator,
        )
        mentorship_end(mentorship=other_pair, by=coordinator, reason=Mentorship.EndReason.FIT)
        # A mentee's request, accepted: match.published.
        MatchSettings.objects.create(program=program, self_match=True, self_match_max_requests=3)
        seeker = participant_create(program=program, role=Participant.Role.MENTEE)
        helper = participant_create(program=program, role=Participant.Role.MENTOR)
        request = selfmatch.match_request_create(mentee=seeker, mentor_ids=[helper.pk]).pending
        assert request is not None
        assert helper.user is not None
        selfmatch.match_request_answer(request=request, accept=True, by=helper.user)
    mentor_member = user_create(is_coordinator=True)
    mentee_member = user_create(is_coordinator=True)
    participant_create(program=program, user=mentor_member, role=Participant.Role.MENTOR)
    participant_create(program=program, user=mentee_member, role=Participant.Role.MENTEE)
    return {
        "ids": {
            "program_id": program.pk,
            "participant_id": pair.mentee_id,
            "mentorship_id": pair.pk,
            "survey_id": survey.pk,
        },
        "pair": pair,
        "owners": {
            "coordinator_a": coordinator,
            "coordinator_b": other_coordinator,
            "hr": hr,
            "mentor": mentor_member,
            "mentee": mentee_member,
            "outsider": user_create(is_coordinator=True),
            "staff": user_create(is_staff=True, is_superuser=True),
        },
    }


def test_the_canary_is_stored_where_the_pair_reads_it(client: Client, world: dict[str, Any]):
    # Proof that the canary is there to leak: the pair's own workspace shows it.
    pair = world["pair"]
    client.force_login(mentee_of(pair))
    page = client.get(reverse("pairs:workspace", args=[pair.pk]))
    assert CANARY in page.content.decode()


def test_no_webhook_payload_carries_the_canary(world: dict[str, Any], receiver: Receiver):
    events = {d.event for d in WebhookDelivery.objects.all()}
    assert (
        events
        == set(WebhookEndpoint.Event.values) - {"match.published"} | {"match.published"} & events
    )
    assert {"checkin.logged", "survey.closed", "mentorship.ended", "participant.enrolled"} <= events
    assert WebhookDelivery.objects.filter(event="checkin.logged").count() == 3
    assert len(receiver.requests) == WebhookDelivery.objects.count()
    for delivery in WebhookDelivery.objects.all():
        assert CANARY not in json.dumps(delivery.payload), delivery.event
    for request in receiver.requests:
        assert CANARY.encode() not in request.body


def _get_paths(client: Client, ids: dict[str, int]) -> list[str]:
    document = client.get("/api/v1/openapi.json").json()
    paths = [path for path, item in document["paths"].items() if "get" in item]
    assert len(paths) >= 14
    return [path.format(**ids) for path in paths]


@pytest.mark.parametrize(
    "persona", ["coordinator_a", "coordinator_b", "hr", "mentor", "mentee", "outsider", "staff"]
)
def test_no_api_response_carries_the_canary(
    client: Client, world: dict[str, Any], persona: str, settings
):
    settings.API_RATE_LIMIT_PER_MINUTE = 10_000
    headers = {"Authorization": f"Bearer {token_for(world['owners'][persona])}"}
    answered = 0
    for path in _get_paths(client, world["ids"]):
        for params in ({}, {"limit": 200}):
            response = client.get(path, params, headers=headers)
            assert response.status_code < 500, path
            assert CANARY.encode() not in response.content, (persona, path)
            answered += response.status_code == 200
    if persona == "coordinator_a":
        # The coordinator reached every endpoint of the program (not only refusals),
        # and the results say the free text is held back.
        assert answered >= 2 * 13
        survey_id = world["ids"]["survey_id"]
        program_id = world["ids"]["program_id"]
        results = client.get(
            f"/api/v1/programs/{program_id}/surveys/{survey_id}/results", headers=headers
        ).json()
        (text,) = [q for q in results["questions"] if q["kind"] == "text"]
        assert text["texts_withheld"] is True
