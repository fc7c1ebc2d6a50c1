"""The people and objects the access matrix requests pages as and about.

Program A holds a pair (mentee and mentor), another participant and one of every
object a URL can name; program B has its own coordinator. URL kwargs are filled from
program A by kwarg name (``KWARGS``), with ``KWARGS_BY_URL`` for names that mean
different objects in different apps. A new URL kwarg needs an entry here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone

from events.models import Event
from guides.models import Resource, ResourceAttachment
from integrations.models import ChatChannel, WebhookDelivery, WebhookEndpoint
from integrations.tokens import api_token_create
from matching.models import MatchCriterion, MatchRequest, MatchRun, PairRule
from mentoring.models import ErasureRequest, User
from pairs.mentorships import mentorship_create
from pairs.models import CheckIn, Milestone, PairGoal
from programs.models import (
    CalendarFeed,
    Participant,
    ParticipantImport,
    Program,
    ProgramGoal,
)
from programs.models import ProfileQuestion as ProgramQuestion
from surveys.models import Question as SurveyQuestion
from tests.factories import user_create
from tests.factories.programs import participant_create, program_create
from tests.factories.surveys import survey_build

PERSONAS = (
    "anonymous",
    "outsider",
    "mentee",  # the mentee of pair A
    "mentor",  # the mentor of pair A
    "participant",  # another participant of program A, in no pair
    "coordinator_a",
    "coordinator_b",
    "hr",
    "staff",
)

# kwarg name -> attribute of World holding the object (or a literal string for tokens).
KWARGS: dict[str, str] = {
    "program_id": "program",
    "goal_id": "goal",
    "participant_id": "mentee_participant",
    "mentorship_id": "mentorship",
    "import_id": "participant_import",
    "question_id": "program_question",
    "resource_id": "resource",
    "attachment_id": "attachment",
    "event_id": "event",
    "criterion_id": "criterion",
    "rule_id": "pair_rule",
    "run_id": "run",
    "request_id": "match_request",
    "survey_id": "survey",
    "checkin_id": "checkin",
    "milestone_id": "milestone",
    "channel_id": "chat_channel",
    "endpoint_id": "webhook",
    "delivery_id": "webhook_delivery",
    "token_id": "api_token",
    "provider_id": "=test-oidc",
    "organization_slug": "=test-saml",
    "token": "=not-a-valid-token",
    "key": "=not-a-valid-key",
    "uidb36": "=1",
}
# (namespace, kwarg) -> attribute, where a kwarg name means another object there.
KWARGS_BY_URL: dict[tuple[str, str], str] = {
    ("surveys", "question_id"): "survey_question",
    ("pairs:pair_goal_update", "goal_id"): "pair_goal",
    ("pairs:milestone_create", "goal_id"): "pair_goal",
    ("programs:join_by_link", "token"): "join_token",
    ("programs:calendar_feed", "token"): "feed_token",
    ("erasure_request_execute", "request_id"): "erasure_request",
}


@dataclass
class World:
    users: dict[str, User | None] = field(default_factory=dict)
    program: Program | None = None
    other_program: Program | None = None
    objects: dict[str, Any] = field(default_factory=dict)

    def value(self, url_name: str, kwarg: str) -> Any:
        namespace = url_name.split(":")[0] if ":" in url_name else ""
        attribute = (
            KWARGS_BY_URL.get((url_name, kwarg))
            or KWARGS_BY_URL.get((namespace, kwarg))
            or KWARGS.get(kwarg)
        )
        if attribute is None:
            raise LookupError(
                f"URL {url_name!r} takes a kwarg {kwarg!r} that tests/access/world.py does not "
                f"know: add it to KWARGS (or KWARGS_BY_URL) and create the object in world_build."
            )
        if attribute.startswith("="):
            return attribute[1:]
        found = self.objects[attribute]
        return found.pk if isinstance(found, models.Model) else found


def world_build() -> World:
    now = timezone.now()
    coordinator_a = user_create(full_name="Cora A", is_coordinator=True)
    coordinator_b = user_create(full_name="Bea B", is_coordinator=True)
    program = program_create(
        name="Program A", coordinators=[coordinator_a], state=Program.State.RUNNING
    )
    other_program = program_create(
        name="Program B", coordinators=[coordinator_b], state=Program.State.RUNNING
    )
    mentee_user = user_create(full_name="Mia Mentee")
    mentee = participant_create(program=program, user=mentee_user, role=Participant.Role.MENTEE)
    mentor = participant_create(
        program=program, user=user_create(full_name="Max Mentor"), role=Participant.Role.MENTOR
    )
    other = participant_create(
        program=program, user=user_create(full_name="Pia Participant"), role=Participant.Role.MENTEE
    )
    spare_mentor = participant_create(
        program=program, user=user_create(full_name="Sam Spare"), role=Participant.Role.MENTOR
    )
    program.join_token = "join-token-of-program-a"
    program.save(update_fields=["join_token"])
    mentorship = mentorship_create(
        program=program, mentor=mentor, mentee=mentee, source="manual", by=coordinator_a
    )
    resource = Resource.objects.create(
        program=program, title="Guide", created_by=coordinator_a, published_at=now
    )
    attachment = ResourceAttachment.objects.create(
        resource=resource,
        file=ContentFile(b"hello", name="guide.txt"),
        name="guide.txt",
        content_type="text/plain",
        size=5,
        uploaded_by=coordinator_a,
    )
    event = Event.objects.create(
        program=program,
        title="Kick-off",
        starts_at=now + dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=3, hours=1),
        created_by=coordinator_a,
    )
    survey = survey_build(program, coordinator_a)
    pair_goal = PairGoal.objects.create(mentorship=mentorship, title="Lead a meeting")
    webhook = WebhookEndpoint.objects.create(
        program=program,
        url="https://hooks.example.com/mentoring",
        secret="s" * 32,
        events=["participant.enrolled"],
        created_by=coordinator_a,
    )
    objects: dict[str, Any] = {
        "program": program,
        "goal": ProgramGoal.objects.create(
            program=program,
            metric=ProgramGoal.Metric.COMPLETION_RATE,
            target_value=80,
            target_on=dt.date(2027, 6, 1),
        ),
        "mentee_participant": mentee,
        "mentorship": mentorship,
        "participant_import": ParticipantImport.objects.create(
            program=program, created_by=coordinator_a, file_name="people.csv", content="email\n"
        ),
        "program_question": ProgramQuestion.objects.create(
            program=program, text="Favourite tool?", kind=ProgramQuestion.Kind.SINGLE_CHOICE
        ),
        "resource": resource,
        "attachment": attachment,
        "event": event,
        "criterion": MatchCriterion.objects.create(
            program=program, field="department", rule=MatchCriterion.Rule.SAME
        ),
        "pair_rule": PairRule.objects.create(
            program=program,
            mentee=other,
            mentor=spare_mentor,
            kind=PairRule.Kind.BLOCK,
            created_by=coordinator_a,
        ),
        "run": MatchRun.objects.create(
            program=program, objective="total", created_by=coordinator_a
        ),
        "match_request": MatchRequest.objects.create(
            program=program, mentee=other, mentor=spare_mentor, rank=1
        ),
        "survey": survey,
        "survey_question": survey.questions.order_by("pk").first()
        or SurveyQuestion.objects.create(survey=survey, text="How is it going?", kind="rating"),
        "join_token": program.join_token,
        "checkin": CheckIn.objects.create(
            mentorship=mentorship,
            scheduled_at=now + dt.timedelta(days=2),
            proposed_by=mentee_user,
        ),
        "pair_goal": pair_goal,
        "milestone": Milestone.objects.create(goal=pair_goal, title="Prepare an agenda"),
        "chat_channel": ChatChannel.objects.create(
            program=program, kind=ChatChannel.Kind.SLACK, url="https://hooks.slack.com/x"
        ),
        "webhook": webhook,
        "webhook_delivery": WebhookDelivery.objects.create(
            endpoint=webhook, event="participant.enrolled", payload={"id": 1}, created_at=now
        ),
        "api_token": api_token_create(owner=coordinator_a, name="CI", scopes=["programs:read"])[0],
        # Someone (not a persona) who confirmed deleting their account.
        "erasure_request": ErasureRequest.objects.create(
            user=user_create(full_name="Erin Eraser"),
            state=ErasureRequest.State.CONFIRMED,
            requested_at=now,
            confirmed_at=now,
        ),
        "feed_token": CalendarFeed.objects.create(
            user=mentee_user, token="feed-token-of-the-mentee", created_at=now
        ).token,
    }
    users: dict[str, User | None] = {
        "anonymous": None,
        "outsider": user_create(full_name="Otto Outsider"),
        "mentee": mentee_user,
        "mentor": mentor.user,
        "participant": other.user,
        "coordinator_a": coordinator_a,
        "coordinator_b": coordinator_b,
        "hr": user_create(full_name="Harriet HR", is_hr_viewer=True),
        "staff": user_create(full_name="Stan Staff", is_staff=True, is_superuser=True),
    }
    return World(users=users, program=program, other_program=other_program, objects=objects)
