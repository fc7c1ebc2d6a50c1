"""A large demo site for dashboards and benchmarks (``seed_demo --size large``).

Everything goes in with bulk_create in batches, skipping the services (no emails,
no reminders planned, no password hashing: the accounts cannot sign in). At
``scale=1``: 50 programs, 20,000 participants (10,000 pairs), 200,000 check-ins
and 100,000 survey answers. Pairs follow one of three patterns: thriving (meet at
the cadence, ratings rise), steady, and fading (meetings thin out and stop,
ratings fall), so dashboards and at-risk lists have something to show.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from mentoring.models import User
from pairs.models import CheckIn, Mentorship
from programs.models import Participant, Profile, Program, ProgramGoal
from surveys.models import Answer, Question, Response, Survey

# Django's marker for "no usable password": these demo accounts cannot sign in.
UNUSABLE = "!"

BATCH = 5000  # rows per INSERT; ~ a few MB of Python objects at a time
PROGRAMS = 50
PEOPLE_PER_PROGRAM = 400  # half mentors, half mentees: 200 pairs
CHECKINS_PER_PAIR = 20
RESPONSES_PER_PROGRAM = 1000  # two answers each (rating and NPS)
DEPARTMENTS = ["Engineering", "Sales", "Finance", "Operations", "Marketing", "People", "Legal"]
# Self-descriptions of the people who consent to their use (about six in ten).
GENDERS = ["Woman", "Woman", "Man", "Man", "Non-binary"]
ETHNICITIES = ["Asian", "Black", "Mixed", "White", "White", "Another ethnic group"]
GOALS = [
    (ProgramGoal.Metric.CADENCE_SHARE, Decimal(70)),
    (ProgramGoal.Metric.AVG_SATISFACTION, Decimal(4)),
    (ProgramGoal.Metric.COMPLETION_RATE, Decimal(80)),
    (ProgramGoal.Metric.RETENTION_RATE, Decimal(90)),
    (ProgramGoal.Metric.PROMOTION_RATE, Decimal(15)),
]


@dataclass(frozen=True)
class LargeCounts:
    programs: int
    participants: int
    mentorships: int
    checkins: int
    answers: int


def demo_large_seed(*, scale: float = 1.0, seed: int = 11) -> LargeCounts:
    rng = random.Random(seed)  # noqa: S311  # nosec B311 - demo data, not secrets
    now = timezone.now()
    n_programs = max(1, round(PROGRAMS * scale))
    people = max(4, round(PEOPLE_PER_PROGRAM * scale) // 2 * 2)
    responses = max(2, round(RESPONSES_PER_PROGRAM * scale))
    tag = uuid.uuid4().hex[:6]
    with transaction.atomic():
        coordinator = User.objects.create(
            email=f"large-coordinator-{tag}@example.org", full_name="Large Demo", password=UNUSABLE
        )
        programs = Program.objects.bulk_create(
            [
                Program(
                    name=f"Demo program {i + 1:02d} ({tag})",
                    state=Program.State.RUNNING,
                    starts_on=(now - dt.timedelta(days=300)).date(),
                    ends_on=(now + dt.timedelta(days=65)).date(),
                    checkin_cadence_days=rng.choice([7, 14, 14, 21, 28]),
                )
                for i in range(n_programs)
            ]
        )
        Program.coordinators.through.objects.bulk_create(
            [
                Program.coordinators.through(program_id=p.pk, user_id=coordinator.pk)
                for p in programs
            ]
        )
        ProgramGoal.objects.bulk_create(
            [
                ProgramGoal(
                    program=p, metric=metric, target_value=target, target_on=p.ends_on or now.date()
                )
                for p in programs
                for metric, target in GOALS
            ]
        )
        users = User.objects.bulk_create(
            [
                User(
                    email=f"p{i}-{tag}@large.example.org",
                    full_name=f"Person {i}",
                    password=UNUSABLE,
                )
                for i in range(n_programs * people)
            ],
            batch_size=BATCH,
        )
        participants = []
        for p_index, program in enumerate(programs):
            for j in range(people):
                user = users[p_index * people + j]
                participants.append(
                    Participant(
                        program=program,
                        user=user,
                        email=user.email,
                        full_name=user.full_name,
                        role=Participant.Role.MENTOR if j % 2 == 0 else Participant.Role.MENTEE,
                        status=Participant.Status.ACTIVE,
                        department=rng.choice(DEPARTMENTS),
                        joined_at=now - dt.timedelta(days=290),
                        profile_completed_at=now - dt.timedelta(days=280),
                    )
                )
        participants = Participant.objects.bulk_create(participants, batch_size=BATCH)
        profiles = []
        # One participant per user, in the same order.
        for user, person in zip(users, participants, strict=True):
            consents = rng.random() < 0.6
            profiles.append(
                Profile(
                    user=user,
                    department=person.department,
                    gender=rng.choice(GENDERS) if consents else "",
                    ethnicity=rng.choice(ETHNICITIES) if consents else "",
                    demographics_consent_at=now if consents else None,
                )
            )
        Profile.objects.bulk_create(profiles, batch_size=BATCH)
        pairs = []
        for k in range(0, len(participants), 2):
            mentor, mentee = participants[k], participants[k + 1]
            pairs.append(
                Mentorship(
                    program_id=mentor.program_id,
                    mentor=mentor,
                    mentee=mentee,
                    source=Mentorship.Source.MATCH_RUN,
                    started_at=now - dt.timedelta(days=rng.randint(200, 270)),
                )
            )
        pairs = Mentorship.objects.bulk_create(pairs, batch_size=BATCH)
        cadence = {p.pk: p.checkin_cadence_days for p in programs}
        checkins = 0
        batch: list[CheckIn] = []
        for pair in pairs:
            pattern = rng.random()  # < .2 fading, > .7 thriving
            at = pair.started_at + dt.timedelta(days=rng.randint(3, 10))
            rating = rng.randint(3, 4)
            for n in range(CHECKINS_PER_PAIR):
                gap = cadence[pair.program_id] * (
                    (1 + n * 0.35) if pattern < 0.2 else (0.8 if pattern > 0.7 else 1.1)
                )
                at += dt.timedelta(days=gap * rng.uniform(0.8, 1.2))
                held = at < now
                missed = held and rng.random() < (0.35 if pattern < 0.2 else 0.08)
                if pattern < 0.2:
                    rating = max(1, rating - (rng.random() < 0.3))
                elif pattern > 0.7:
                    rating = min(5, rating + (rng.random() < 0.3))
                status = (
                    CheckIn.Status.MISSED
                    if missed
                    else CheckIn.Status.DONE
                    if held
                    else CheckIn.Status.SCHEDULED
                )
                batch.append(
                    CheckIn(
                        mentorship=pair,
                        status=status,
                        scheduled_at=at,
                        logged_at=at if held else None,
                        mentor_rating=rating if status == CheckIn.Status.DONE else None,
                        mentee_rating=rating if status == CheckIn.Status.DONE else None,
                    )
                )
                if len(batch) >= BATCH:
                    CheckIn.objects.bulk_create(batch)
                    checkins += len(batch)
                    batch = []
        CheckIn.objects.bulk_create(batch)
        checkins += len(batch)

        surveys = Survey.objects.bulk_create(
            [
                Survey(
                    program=p,
                    title="Mid-program pulse",
                    state="open",
                    published_at=now,
                    closes_at=now + dt.timedelta(days=30),
                )
                for p in programs
            ]
        )
        questions = []
        for survey in surveys:
            questions.append(Question(survey=survey, text="How useful?", kind="rating"))
            questions.append(Question(survey=survey, text="Recommend?", kind="nps"))
        questions = Question.objects.bulk_create(questions)
        answers = 0
        for s_index, survey in enumerate(surveys):
            rows = Response.objects.bulk_create(
                [
                    Response(
                        survey=survey,
                        role=rng.choice(["mentor", "mentee"]),
                        receipt=f"r{i}",
                        week_on=_monday(now - dt.timedelta(weeks=rng.randint(0, 25))),
                    )
                    for i in range(responses)
                ],
                batch_size=BATCH,
            )
            rating_q, nps_q = questions[2 * s_index], questions[2 * s_index + 1]
            made = Answer.objects.bulk_create(
                [
                    a
                    for r in rows
                    for a in (
                        Answer(response=r, question=rating_q, value=rng.choice([2, 3, 4, 4, 5, 5])),
                        Answer(response=r, question=nps_q, value=rng.choice(range(3, 11))),
                    )
                ],
                batch_size=BATCH,
            )
            answers += len(made)
    return LargeCounts(len(programs), len(participants), len(pairs), checkins, answers)


def database_analyze() -> None:
    """Refresh PostgreSQL's planner statistics after the bulk inserts: until autovacuum
    gets round to the new rows, the planner takes the tables for nearly empty and picks
    nested loops over 100,000 rows (seconds instead of milliseconds)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _monday(moment: dt.datetime) -> dt.date:
    day = moment.date()
    return day - dt.timedelta(days=day.weekday())
