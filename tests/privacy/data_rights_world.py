"""A person with something in every corner of the database, for the data-rights tests.

Zebedee Quillfeather is a mentee in a running program with a mentor, check-ins (some
they logged with notes holding a canary, one only their mentor logged), a planned
check-in, a goal, an agreement, a profile with self-described demographics, profile
answers, an identified and an anonymous survey answered with canaries, event answers,
preferences, an API token, sign-ins and a failed sign-in in the audit log, an admin
change, a webhook delivery and an import report naming them, HR's employee record,
and a colleague who names them as manager. Around them: another pair with its own
canary notes, and enough people for every aggregate to be shown with a minimum group
size of 2.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import authenticate
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from events.models import Event, EventRsvp
from integrations.models import ApiToken, ChatPreference, WebhookDelivery, WebhookEndpoint
from integrations.receivers import participant_data
from matching.models import MatchRequest
from mentoring.models import EmployeeRecord, NotificationPreference, Promotion, User
from pairs.checkins.services import checkin_log_past, checkin_propose
from pairs.models import MentorshipAgreement, PairGoal
from programs.models import (
    CalendarFeed,
    Participant,
    ParticipantImport,
    Profile,
    ProfileAnswer,
    ProfileQuestion,
    Program,
    ProgramGoal,
)
from surveys import services as survey_services
from surveys.models import Invitation
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.factories.programs import mentorship_make, participant_create, program_create
from tests.factories.surveys import answers_for, survey_open

NOW = dt.datetime(2026, 10, 14, 10, 0, tzinfo=dt.UTC)
NAME = "Zebedee Quillfeather"
EMAIL = "zebedee.quillfeather@example.org"
NOTES_CANARY = "canary-own-notes-7f3a"
PARTNER_NOTES = "partner-only-notes-51bd"
OTHER_PAIR_CANARY = "canary-other-pair-notes-9c2e"
BIO_CANARY = "canary-bio-4d1f"
ANSWER_CANARY = "canary-profile-answer-b6e0"
IDENTIFIED_CANARY = "canary-identified-survey-0a8c"
ANONYMOUS_CANARY = "canary-anonymous-survey-e94b"
GOAL_CANARY = "canary-goal-2b7d"
AGREEMENT_CANARY = "canary-agreement-c3f9"
REQUEST_CANARY = "canary-request-note-8e1a"
# What must not survive anywhere once the account is deleted.
SECRETS = [
    EMAIL,
    NAME,
    "Quillfeather",
    NOTES_CANARY,
    BIO_CANARY,
    ANSWER_CANARY,
    IDENTIFIED_CANARY,
    GOAL_CANARY,
    AGREEMENT_CANARY,
    REQUEST_CANARY,
]


@dataclass
class PersonWorld:
    program: Program
    other_program: Program
    coordinator: User
    other_coordinator: User
    person: User
    participant: Participant
    mentor: Participant
    mentorship: Any
    other_pair: Any
    waiting: User
    colleague: Participant
    extra: dict[str, Any] = field(default_factory=dict)


def _person_people(program: Program, n: int, role: str, prefix: str) -> list[Participant]:
    return [
        participant_create(
            program=program,
            user=user_create(full_name=f"{prefix} {i}", email=f"{prefix.lower()}{i}@example.org"),
            role=role,
            department="Engineering" if i % 2 else "Sales",
            joined_at=NOW - dt.timedelta(days=200),
        )
        for i in range(n)
    ]


def _user(participant: Participant) -> User:
    assert participant.user is not None
    return participant.user


def person_world() -> PersonWorld:
    """Build it all at NOW (the caller freezes time there)."""
    coordinator = user_create(full_name="Cora Coordinator", is_coordinator=True)
    other_coordinator = user_create(full_name="Bea Other", is_coordinator=True)
    program = program_create(
        name="Leadership 2026",
        coordinators=[coordinator],
        state=Program.State.RUNNING,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 6, 30),
        min_group_size=2,
    )
    other_program = program_create(
        name="Engineering Guild",
        coordinators=[other_coordinator],
        state=Program.State.RUNNING,
        min_group_size=2,
    )
    for metric in ProgramGoal.Metric.values:
        ProgramGoal.objects.create(
            program=program, metric=metric, target_value=50, target_on=dt.date(2027, 6, 1)
        )
    person = user_create(full_name=NAME, email=EMAIL, preferred_name="Zeb")
    participant = participant_create(
        program=program,
        user=person,
        role=Participant.Role.MENTEE,
        department="Engineering",
        job_title="Staff Quillfeather Engineer",
        location="Quillfeather House",
        joined_at=NOW - dt.timedelta(days=200),
        profile_completed_at=NOW - dt.timedelta(days=190),
    )
    # An invitation in the other program, made by address before any account existed.
    participant_create(
        program=other_program,
        user=None,
        email=EMAIL,
        full_name=NAME,
        role="mentor",
        status=Participant.Status.INVITED,
    )
    mentor = participant_create(
        program=program,
        user=user_create(full_name="Max Mentor", email="max.mentor@example.org"),
        role=Participant.Role.MENTOR,
        department="Engineering",
        joined_at=NOW - dt.timedelta(days=200),
    )
    mentorship = mentorship_make(
        program=program, mentor=mentor, mentee=participant, started_at=NOW - dt.timedelta(days=120)
    )
    mentors = _person_people(program, 3, Participant.Role.MENTOR, "Mentor")
    mentees = _person_people(program, 3, Participant.Role.MENTEE, "Mentee")
    other_pair = mentorship_make(
        program=program,
        mentor=mentors[0],
        mentee=mentees[0],
        started_at=NOW - dt.timedelta(days=120),
    )
    third_pair = mentorship_make(
        program=program,
        mentor=mentors[1],
        mentee=mentees[1],
        started_at=NOW - dt.timedelta(days=120),
    )

    # Check-ins: the person logs two with the canary; the mentor alone logs one.
    for weeks in (6, 4):
        checkin_log_past(
            mentorship=mentorship,
            by=person,
            held_at=NOW - dt.timedelta(weeks=weeks),
            outcome="done",
            topics="Quillfeather roadmap",
            notes=f"{NOTES_CANARY} we talked about delegation",
            rating=4,
            now=NOW,
        )
    checkin_log_past(
        mentorship=mentorship,
        by=_user(mentor),
        held_at=NOW - dt.timedelta(weeks=2),
        outcome="done",
        notes=PARTNER_NOTES,
        rating=5,
        now=NOW,
    )
    for pair, canary in ((other_pair, OTHER_PAIR_CANARY), (third_pair, "third-pair")):
        for weeks in (5, 3):
            checkin_log_past(
                mentorship=pair,
                by=_user(pair.mentee),
                held_at=NOW - dt.timedelta(weeks=weeks),
                outcome="done",
                notes=canary,
                rating=3,
                now=NOW,
            )
    upcoming = checkin_propose(
        mentorship=mentorship,
        by=person,
        scheduled_at=NOW + dt.timedelta(days=3),
        location="Zeb's desk",
        now=NOW,
    )
    PairGoal.objects.create(mentorship=mentorship, title=GOAL_CANARY, created_by=person)
    PairGoal.objects.create(mentorship=mentorship, title="Mentor's goal", created_by=_user(mentor))
    MentorshipAgreement.objects.create(
        mentorship=mentorship, expectations=AGREEMENT_CANARY, updated_by=person
    )
    MatchRequest.objects.create(
        program=program,
        mentee=participant,
        mentor=mentors[2],
        rank=1,
        state=MatchRequest.State.DECLINED,
        message=REQUEST_CANARY,
    )

    # Profile, demographics (consented) and a profile answer.
    for p in [participant, mentor, *mentors, *mentees]:
        Profile.objects.create(
            user=_user(p),
            bio=BIO_CANARY if p.user == person else "",
            gender="Woman" if p.pk % 2 else "Man",
            demographics_consent_at=NOW - dt.timedelta(days=150),
            skills=["negotiation"],
        )
    question = ProfileQuestion.objects.create(program=program, text="Hopes?", kind="text")
    ProfileAnswer.objects.create(participant=participant, question=question, value=ANSWER_CANARY)

    # Surveys: identified and anonymous, everyone answers (the person with canaries).
    identified = survey_open(program, coordinator, anonymous=False)
    anonymous = survey_open(program, coordinator, anonymous=True)
    for survey, canary in ((identified, IDENTIFIED_CANARY), (anonymous, ANONYMOUS_CANARY)):
        for invitation in Invitation.objects.filter(survey=survey).select_related("participant"):
            mine = invitation.participant_id == participant.pk
            survey_services.response_submit(
                invitation=invitation,
                answers=answers_for(
                    survey, invitation.role, rating=5 if mine else 3, text=canary if mine else "ok"
                ),
                now=NOW,
            )

    # Events: a full upcoming one (the person has the place, someone waits) and a past one.
    waiting = _user(mentees[2])
    upcoming_event = Event.objects.create(
        program=program,
        title="Negotiation workshop",
        starts_at=NOW + dt.timedelta(days=7),
        ends_at=NOW + dt.timedelta(days=7, hours=2),
        capacity=1,
    )
    EventRsvp.objects.create(
        event=upcoming_event, user=person, status="going", status_changed_at=NOW
    )
    EventRsvp.objects.create(
        event=upcoming_event,
        user=waiting,
        status="waiting",
        waitlisted_at=NOW,
        status_changed_at=NOW,
    )
    past_event = Event.objects.create(
        program=program,
        title="Kick-off",
        starts_at=NOW - dt.timedelta(days=30),
        ends_at=NOW - dt.timedelta(days=30, hours=-2),
    )
    for p in [participant, mentor, *mentees]:
        EventRsvp.objects.create(
            event=past_event, user=_user(p), status="going", status_changed_at=NOW, attended=True
        )

    # Preferences, calendar address, an API token.
    NotificationPreference.objects.create(user=person, kind="checkin_updates", enabled=False)
    ChatPreference.objects.create(user=person, reminders_to_chat=True)
    CalendarFeed.objects.create(user=person, token="the-old-feed-token", created_at=NOW)
    ApiToken.objects.create(
        owner=person,
        name="Zeb's Quillfeather laptop",
        prefix="mnt_abc",
        secret_hash="f" * 64,
        scopes=["programs:read"],
        created_at=NOW,
    )

    # Audit log: a sign-in (with a session) and a failed sign-in typed with the address.
    client = Client()
    assert client.login(email=EMAIL, password=DEFAULT_PASSWORD)
    authenticate(None, email=EMAIL, password="wrong password")
    LogEntry.objects.create(
        user=coordinator,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(person.pk),
        object_repr=NAME,
        action_flag=CHANGE,
        change_message="[]",
    )
    LogEntry.objects.create(
        user=coordinator,
        content_type=ContentType.objects.get_for_model(Participant),
        object_id=str(participant.pk),
        object_repr=str(participant),
        action_flag=CHANGE,
        change_message="[]",
    )

    # Copies of the address elsewhere: a webhook delivery and an import report.
    endpoint = WebhookEndpoint.objects.create(
        program=program, url="https://hooks.example.com/x", secret="s" * 32, events=[]
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="participant.enrolled",
        payload=participant_data(participant),
        created_at=NOW,
    )
    ParticipantImport.objects.create(
        program=program,
        file_name="people.csv",
        status=ParticipantImport.Status.APPLIED,
        summary={"rows": 1, "sample": [{"email": EMAIL.upper(), "full_name": NAME}]},
    )

    # HR: employee records (the person, colleagues, non-participants) and a promotion.
    colleague = mentees[1]
    colleague.manager_email = EMAIL
    colleague.save(update_fields=["manager_email"])
    Profile.objects.filter(user=_user(colleague)).update(manager_email=EMAIL)
    hired = dt.date(2020, 1, 1)
    emails = [EMAIL, mentor.email, *(p.email for p in mentors + mentees)]
    emails += [f"staffer{i}@example.org" for i in range(8)]
    for i, email in enumerate(emails):
        record = EmployeeRecord.objects.create(
            email=email,
            department="Engineering" if i % 2 == 0 else "Sales",
            hired_on=hired,
            left_on=dt.date(2026, 6, 1) if i % 5 == 4 else None,
        )
        if i % 3 == 0:
            Promotion.objects.create(employee=record, promoted_on=dt.date(2026, 3, 1))

    return PersonWorld(
        program=program,
        other_program=other_program,
        coordinator=coordinator,
        other_coordinator=other_coordinator,
        person=person,
        participant=participant,
        mentor=mentor,
        mentorship=mentorship,
        other_pair=other_pair,
        waiting=waiting,
        colleague=colleague,
        extra={
            "upcoming_checkin": upcoming,
            "upcoming_event": upcoming_event,
            "identified": identified,
            "anonymous": anonymous,
            "signed_in_client": client,
        },
    )
