"""A randomized (seeded) organisation for the dashboard tests.

Programs with mentors and mentees in several departments, pairs in every state,
check-ins of every status with ratings, proposals waiting for an answer, program
goals, surveys with rating, NPS and free-text answers (anonymous and identified),
HR's outcome file for participants and colleagues who did not take part, consented
and unconsented self-descriptions (some people in two programs), and event
attendance. Rows go in straight through the ORM (no services, no emails), so a few
hundred of them take well under a second.

With ``canary`` every private text the pairs and respondents write (check-in notes
and topics, pair goals and milestones, agreements, survey free text, profile bios)
holds :data:`CANARY`, which no dashboard, export or email may ever show.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from events.models import Event, EventRsvp
from mentoring.models import EmployeeRecord, Promotion, User
from pairs.models import CheckIn, Mentorship, MentorshipAgreement, Milestone, PairGoal
from programs.models import Participant, Profile, Program, ProgramGoal
from surveys.models import Answer, Question, Response, Survey
from tests.factories import user_create
from tests.factories.programs import program_create

CANARY = "CANARY-3e9d private words"
DEPARTMENTS = ("Sales", "Legal", "Research", "Operations")
PROGRAMS = ("Emerging Leaders", "New Managers", "Women in Engineering", "Sales Academy")
FIRST_NAMES = (
    "Amara",
    "Bruno",
    "Chiara",
    "Dmitri",
    "Esther",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Keiko",
    "Luca",
    "Maya",
    "Nadia",
    "Omar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
)
SURNAMES = (
    "Abara",
    "Bianchi",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fontaine",
    "Gupta",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quist",
    "Rahman",
    "Santos",
    "Tanaka",
    "Ueda",
    "Varga",
    "Whitfield",
    "Yilmaz",
)
GENDERS = ("Woman", "Man", "Non-binary", "")
ETHNICITIES = ("Asian", "Black", "White", "Mixed", "")
GOAL_TARGETS = {
    ProgramGoal.Metric.CADENCE_SHARE: Decimal(60),
    ProgramGoal.Metric.AVG_SATISFACTION: Decimal("3.5"),
    ProgramGoal.Metric.COMPLETION_RATE: Decimal(50),
    ProgramGoal.Metric.RETENTION_RATE: Decimal(85),
    ProgramGoal.Metric.PROMOTION_RATE: Decimal(20),
}


@dataclass
class World:
    now: dt.datetime
    programs: list[Program]
    users: list[User] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # everyone's name and email


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def dashboard_world(
    *,
    seed: int,
    now: dt.datetime,
    coordinator: User,
    programs: int = 2,
    people: int = 24,
    canary: bool = False,
) -> World:
    """``programs`` programs of about ``people`` participants each, at ``now``."""
    rng = random.Random(seed)
    text = CANARY if canary else "ordinary words"
    world = World(now=now, programs=[])
    today = now.date()
    users: list[User] = []
    for p in range(programs):
        program = program_create(
            name=f"{PROGRAMS[(seed + p) % len(PROGRAMS)]} {2026 + p // len(PROGRAMS)}",
            coordinators=[coordinator],
            state=Program.State.RUNNING,
            checkin_cadence_days=rng.choice([7, 14, 21]),
            min_group_size=rng.choice([2, 3, 5, 6]),
            starts_on=today - dt.timedelta(days=rng.randint(150, 250)),
            ends_on=today + dt.timedelta(days=rng.choice([-20, 90])),
            time_zone=rng.choice(["UTC", "Europe/Berlin", "America/New_York"]),
        )
        world.programs.append(program)
        ProgramGoal.objects.bulk_create(
            ProgramGoal(program=program, metric=metric, target_value=target, target_on=today)
            for metric, target in GOAL_TARGETS.items()
        )
        participants: list[Participant] = []
        for i in range(people):
            # Some people take part in two programs: one person, two enrolments.
            if users and rng.random() < 0.15:
                user = rng.choice(users)
                if any(x.user_id == user.pk for x in participants):
                    continue
            else:
                n = len(users)  # a different first name and surname for each of 576 people
                user = user_create(
                    email=f"w{seed}-{p}-{i}@example.org",
                    full_name=f"{FIRST_NAMES[n % 24]} {SURNAMES[(n // 24 + n) % 24]}",
                )
                users.append(user)
            joined = rng.random() < 0.85
            participants.append(
                Participant(
                    program=program,
                    user=user,
                    email=user.email,
                    full_name=user.full_name,
                    role=Participant.Role.MENTOR if i % 3 == 0 else Participant.Role.MENTEE,
                    status=rng.choices(list(Participant.Status.values), weights=[1, 2, 12, 1, 1])[
                        0
                    ],
                    department=rng.choice(DEPARTMENTS),
                    joined_at=now - dt.timedelta(days=rng.randint(1, 300)) if joined else None,
                    profile_completed_at=now - dt.timedelta(days=rng.randint(1, 200))
                    if rng.random() < 0.7
                    else None,
                )
            )
        participants = Participant.objects.bulk_create(participants)
        _pairs(rng, program, participants, now, text)
        _survey(rng, program, participants, now, text)
        _event(rng, program, participants, now, coordinator)
    world.users = users
    world.names = [u.full_name for u in users] + [u.email for u in users]
    _profiles(rng, users, now, text)
    _outcomes(rng, users, today)
    return world


def _pairs(
    rng: random.Random,
    program: Program,
    participants: list[Participant],
    now: dt.datetime,
    text: str,
) -> None:
    mentors = [p for p in participants if p.role == Participant.Role.MENTOR]
    mentees = [p for p in participants if p.role == Participant.Role.MENTEE]
    pairs = []
    for n, mentee in enumerate(mentees):
        if not mentors or rng.random() < 0.15:
            continue  # waiting for a match
        state = rng.choices(list(Mentorship.State.values), weights=[8, 1, 1])[0]
        started = now - dt.timedelta(days=rng.randint(5, 180), hours=rng.randint(0, 23))
        pairs.append(
            Mentorship(
                program=program,
                mentor=mentors[n % len(mentors)],
                mentee=mentee,
                state=state,
                source=Mentorship.Source.MANUAL,
                started_at=started,
                ended_at=None if state == Mentorship.State.ACTIVE else now,
            )
        )
    pairs = Mentorship.objects.bulk_create(pairs)
    checkins: list[CheckIn] = []
    proposals: list[int] = []
    for pair in pairs:
        for _ in range(rng.randint(0, 8)):
            status = rng.choices(list(CheckIn.Status.values), weights=[2, 2, 12, 3, 1])[0]
            if status in (CheckIn.Status.PROPOSED, CheckIn.Status.SCHEDULED):
                at = now + dt.timedelta(hours=rng.randint(-30, 300))
            else:
                span = max(1, int((now - pair.started_at).total_seconds() // 3600))
                at = pair.started_at + dt.timedelta(hours=rng.randint(0, span))
            done = status == CheckIn.Status.DONE
            checkins.append(
                CheckIn(
                    mentorship=pair,
                    status=status,
                    scheduled_at=at,
                    logged_at=at + dt.timedelta(hours=1)
                    if status in (CheckIn.Status.DONE, CheckIn.Status.MISSED)
                    else None,
                    mentor_rating=rng.randint(1, 5) if done and rng.random() < 0.7 else None,
                    mentee_rating=rng.randint(1, 5) if done and rng.random() < 0.7 else None,
                    topics=text,
                    notes=text,
                )
            )
    for checkin in CheckIn.objects.bulk_create(checkins):
        if checkin.status == CheckIn.Status.PROPOSED:
            proposals.append(checkin.pk)
    # Proposals waiting for an answer since a random moment (some long enough to count).
    for pk in proposals:
        CheckIn.objects.filter(pk=pk).update(
            created_at=now - dt.timedelta(hours=rng.randint(1, 120))
        )
    for pair in pairs[:3]:
        MentorshipAgreement.objects.create(mentorship=pair, expectations=text)
        goal = PairGoal.objects.create(mentorship=pair, title=text, description=text)
        Milestone.objects.create(goal=goal, title=text)


def _survey(
    rng: random.Random,
    program: Program,
    participants: list[Participant],
    now: dt.datetime,
    text: str,
) -> None:
    anonymous = rng.random() < 0.5
    survey = Survey.objects.create(
        program=program,
        title="Pulse",
        state=Survey.State.OPEN,
        is_anonymous=anonymous,
        closes_at=now + dt.timedelta(days=10),
    )
    rating = Question.objects.create(survey=survey, text="Useful?", kind=Question.Kind.RATING)
    nps = Question.objects.create(survey=survey, text="Recommend?", kind=Question.Kind.NPS)
    free = Question.objects.create(survey=survey, text="Anything else?", kind=Question.Kind.TEXT)
    # A few busy weeks (enough answers to show) and a few quiet ones.
    weeks = [_monday(now.date()) - dt.timedelta(weeks=rng.randint(0, 30)) for _ in range(6)]
    responses = Response.objects.bulk_create(
        Response(
            survey=survey,
            role=person.role,
            receipt=f"r{program.pk}-{n}",
            participant=None if anonymous else person,
            week_on=rng.choice(weeks),
        )
        for n, person in enumerate(rng.choices(participants, k=rng.randint(5, 45)))
    )
    answers = []
    for response in responses:
        if rng.random() < 0.9:
            answers.append(Answer(response=response, question=rating, value=rng.randint(1, 5)))
        if rng.random() < 0.9:
            answers.append(Answer(response=response, question=nps, value=rng.randint(0, 10)))
        answers.append(Answer(response=response, question=free, value=text))
    Answer.objects.bulk_create(answers)


def _event(
    rng: random.Random,
    program: Program,
    participants: list[Participant],
    now: dt.datetime,
    coordinator: User,
) -> None:
    starts = now - dt.timedelta(days=rng.randint(5, 200))
    event = Event.objects.create(
        program=program,
        title="Workshop",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        created_by=coordinator,
    )
    EventRsvp.objects.bulk_create(
        EventRsvp(
            event=event,
            user_id=person.user_id,
            status=EventRsvp.Status.GOING,
            status_changed_at=starts,
            attended=rng.random() < 0.7,
        )
        for person in rng.sample(participants, k=min(len(participants), rng.randint(2, 12)))
        if person.user_id is not None
    )


def _profiles(rng: random.Random, users: list[User], now: dt.datetime, text: str) -> None:
    profiles = []
    for user in users:
        if rng.random() < 0.2:
            continue  # no profile yet
        consents = rng.random() < 0.7
        profiles.append(
            Profile(
                user=user,
                bio=text,
                career_aspirations=text,
                gender=rng.choice(GENDERS) if consents else "",
                ethnicity=rng.choice(ETHNICITIES) if consents else "",
                demographics_consent_at=now if consents else None,
            )
        )
    Profile.objects.bulk_create(profiles)


def _outcomes(rng: random.Random, users: list[User], today: dt.date) -> None:
    """HR's file: most participants (by email, in any case), and colleagues who did not
    take part, with hires, leavers and promotions around the last year."""
    emails = [u.email.lower() for u in users if rng.random() < 0.85]
    emails += [f"colleague{n}.{rng.randint(0, 10**6)}@example.org" for n in range(40)]
    records = []
    for email in emails:
        left = rng.random() < 0.25
        records.append(
            EmployeeRecord(
                email=email,
                department=rng.choice(DEPARTMENTS),
                hired_on=today - dt.timedelta(days=rng.randint(30, 3000))
                if rng.random() < 0.9
                else None,
                left_on=today - dt.timedelta(days=rng.randint(0, 400)) if left else None,
            )
        )
    records = EmployeeRecord.objects.bulk_create(records)
    Promotion.objects.bulk_create(
        Promotion(employee=record, promoted_on=today - dt.timedelta(days=rng.randint(0, 500)))
        for record in records
        for _ in range(rng.choices([0, 1, 2], weights=[6, 3, 1])[0])
    )
