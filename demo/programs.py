"""Two demo programs with about sixty people whose profiles vary like a real company's."""

from __future__ import annotations

import datetime as dt
import random

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from demo.catalogue import (
    DEMO_PROGRAMS,
    DEPARTMENTS,
    PLACES,
    DemoProgram,
    person_make,
    profile_facts,
)
from demo.people import DEMO_DOMAIN, DEMO_PEOPLE, DemoPerson
from events.models import Event
from guides.services import resource_starter_set_add
from matching.runs import (
    criteria_recommended_add,
    match_run_execute,
    match_run_publish,
    match_run_start,
)
from mentoring.audience import Audience
from mentoring.models import EmployeeRecord, Promotion, User
from pairs.checkins.services import checkin_log_past
from pairs.models import Mentorship
from programs.models import (
    Participant,
    Profile,
    ProfileAnswer,
    ProfileQuestion,
    Program,
    ProgramGoal,
    ProgramStateChange,
)
from programs.profiles.completeness import program_completeness_refresh
from programs.services.lifecycle import program_transition
from surveys.models import Invitation, Question, Survey
from surveys.services import new_nonce, response_submit, survey_create


@transaction.atomic
def demo_programs_seed() -> list[Program]:
    """Create the demo programs and their people; leaves existing ones as they are."""
    coordinator = User.objects.get(email__iexact=f"coordinator@{DEMO_DOMAIN}")
    demo_users = {p.email: p for p in DEMO_PEOPLE}
    programs = []
    for index, spec in enumerate(DEMO_PROGRAMS):
        program = Program.objects.filter(name=spec.name).first()
        if program is not None:
            programs.append(program)
            continue
        rng = random.Random(2026 + index)  # noqa: S311  # nosec B311
        # A running program gets there through matching: its pairs come first.
        state = Program.State.MATCHING if spec.state == Program.State.RUNNING else spec.state
        program = Program.objects.create(
            name=spec.name,
            description=spec.description,
            starts_on=spec.starts_on,
            ends_on=spec.ends_on,
            state=state,
            state_changed_at=timezone.now(),
            checkin_cadence_days=14,
            default_mentor_capacity=2,
            created_by=coordinator,
        )
        program.coordinators.add(coordinator)
        ProgramStateChange.objects.create(
            program=program,
            from_state=Program.State.DRAFT,
            to_state=state,
            changed_by=coordinator,
            changed_at=timezone.now(),
        )
        ProgramGoal.objects.bulk_create(
            [
                ProgramGoal(
                    program=program,
                    metric=ProgramGoal.Metric.CADENCE_SHARE,
                    target_value=80,
                    target_on=spec.ends_on,
                ),
                ProgramGoal(
                    program=program,
                    metric=ProgramGoal.Metric.AVG_SATISFACTION,
                    target_value=4.2,
                    target_on=spec.ends_on,
                ),
            ]
        )
        ProfileQuestion.objects.bulk_create(
            [
                ProfileQuestion(
                    program=program,
                    text="What do you most want from this program?",
                    kind=ProfileQuestion.Kind.SINGLE_CHOICE,
                    choices=["Leadership skills", "Career direction", "Technical depth", "Network"],
                    is_required=True,
                    audience=Audience.BOTH,
                    is_matching_input=True,
                    position=1,
                ),
                ProfileQuestion(
                    program=program,
                    text="How would you like to meet?",
                    kind=ProfileQuestion.Kind.SINGLE_CHOICE,
                    choices=["Video call", "In person", "Either"],
                    audience=Audience.BOTH,
                    is_matching_input=True,
                    position=2,
                ),
            ]
        )
        _seed_people(rng, program, spec, coordinator, demo_users, index)
        # The same starter guides a coordinator's new program gets, and one workshop.
        resource_starter_set_add(program=program, by=coordinator)
        # The recommended matching criteria, so "Run matching" works straight away.
        criteria_recommended_add(program=program, by=coordinator)
        _seed_event(program, coordinator, index)
        _seed_survey(rng, program, coordinator)
        # Completeness follows the same rule as when people fill in their profiles.
        program_completeness_refresh(program=program)
        if spec.state == Program.State.RUNNING:
            _seed_pairs(rng, program, coordinator)
        programs.append(program)
    return programs


DEMO_SURVEY_COMMENTS = [
    "More structure for the first meetings would help.",
    "My mentor's questions made me rethink my goals.",
    "Hard to find time in busy weeks.",
    "The guides were a good starting point.",
    "I would like a workshop on giving feedback.",
    "",
]


def _seed_survey(rng: random.Random, program: Program, coordinator: User) -> None:
    """An open mid-program survey most people have answered (no emails go out)."""
    if program.state in (Program.State.DRAFT, Program.State.CLOSED):
        return
    survey = survey_create(program=program, by=coordinator, starter_key="mid_program")
    now = timezone.now()
    Survey.objects.filter(pk=survey.pk).update(
        state=Survey.State.OPEN,
        trigger=Survey.Trigger.ON_PUBLISH,
        published_at=now,
        closes_at=now + dt.timedelta(days=21),
        reminder_count=0,
    )
    survey.refresh_from_db()
    participants = Participant.objects.filter(program=program, status=Participant.Status.ACTIVE)
    invitations = Invitation.objects.bulk_create(
        Invitation(
            survey=survey,
            participant=participant,
            role=participant.role,
            nonce=new_nonce(),
            created_at=now,
            sent_at=now,
        )
        for participant in participants
    )
    questions = list(survey.questions.all())
    for invitation in invitations:
        if rng.random() > 0.75:
            continue  # about a quarter have not answered yet
        answers: dict[int, object] = {}
        for question in questions:
            if question.kind == Question.Kind.RATING:
                answers[question.pk] = rng.choices([2, 3, 4, 5], weights=[1, 3, 6, 4])[0]
            elif question.kind == Question.Kind.MULTI_CHOICE:
                answers[question.pk] = rng.sample(question.choices, k=rng.randint(1, 2))
            elif question.kind == Question.Kind.TEXT:
                answers[question.pk] = rng.choice(DEMO_SURVEY_COMMENTS)
        response_submit(invitation=invitation, answers=answers, now=now)


def _seed_event(program: Program, coordinator: User, index: int) -> None:
    starts = (timezone.now() + dt.timedelta(days=9 + 7 * index)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    Event.objects.create(
        program=program,
        title="Kick-off workshop: making the most of mentoring"
        if index == 0
        else "Networking lunch",
        description=(
            "Meet the other pairs, hear how the program runs and leave with a plan "
            "for your **first meeting**."
        ),
        kind=Event.Kind.WORKSHOP if index == 0 else Event.Kind.NETWORKING,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1, minutes=30),
        location="Atrium, 2nd floor" if index == 0 else "Staff restaurant",
        capacity=40 if index == 0 else 25,
        created_by=coordinator,
    )


def _seed_people(
    rng: random.Random,
    program: Program,
    spec: DemoProgram,
    coordinator: User,
    demo_users: dict[str, DemoPerson],
    index: int,
) -> None:
    used = set(Participant.objects.values_list("email", flat=True)) | set(demo_users)
    roles = [Participant.Role.MENTOR] * spec.mentors + [Participant.Role.MENTEE] * spec.mentees
    # The named demo mentors and mentees take part in the first program.
    named = (
        [(p.email, p.role) for p in DEMO_PEOPLE if p.role in ("mentor", "mentee")]
        if index == 0
        else []
    )
    now = timezone.now()
    first_question = program.questions.order_by("position").first()
    for role in roles:
        department = rng.choice(list(DEPARTMENTS))
        email = None
        for named_email, named_role in list(named):
            if named_role == role:
                email = named_email
                named.remove((named_email, named_role))
                break
        if email is None:
            full_name, email = person_make(rng, used)
            user = None
        else:
            user = User.objects.get(email=email)
            full_name = user.full_name
        place, tz, _languages = rng.choice(PLACES)
        invited = email not in demo_users and rng.random() < spec.invited_share
        if not invited and user is None:
            user = User.objects.create_user(email, None, full_name=full_name, time_zone=tz)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        participant = Participant.objects.create(
            program=program,
            user=user,
            role=role,
            status=Participant.Status.INVITED if invited else Participant.Status.ACTIVE,
            email=email,
            full_name=full_name,
            department=department,
            location=place,
            time_zone=tz,
            invited_at=now,
            invited_by=coordinator,
            joined_at=None if invited else now,
        )
        if user is None:
            continue
        facts = profile_facts(rng, role, department)
        # Some people in the enrolling program have not finished their profile yet:
        # no seniority and no answer to the required question.
        finished = spec.state != Program.State.ENROLLING or rng.random() < 0.6
        if not finished:
            facts["seniority"] = None
        Profile.objects.update_or_create(user=user, defaults=facts)
        if finished and first_question is not None:
            ProfileAnswer.objects.create(
                participant=participant,
                question=first_question,
                value=rng.choice(first_question.choices),
            )


def demo_outcomes_seed(seed: int = 7) -> int:
    """HR's outcome file for the demo: every participant plus colleagues who did not
    take part, with some leavers and promotions (participants a little likelier to stay
    and be promoted). Leaves existing outcome data alone."""
    if EmployeeRecord.objects.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311  # nosec B311
    today = timezone.localdate()
    participants = {
        email.lower(): department or "Operations"
        for email, department in Participant.objects.values_list("email", "department")
    }
    people = [(email, department, True) for email, department in participants.items()]
    for n in range(240):
        department = rng.choice(list(DEPARTMENTS))
        people.append((f"colleague{n}@{DEMO_DOMAIN}", department, False))
    records = []
    promoted_on = []
    for email, department, took_part in people:
        leaves = rng.random() < (0.08 if took_part else 0.16)
        records.append(
            EmployeeRecord(
                email=email,
                department=department,
                hired_on=today - dt.timedelta(days=rng.randint(500, 3000)),
                left_on=today - dt.timedelta(days=rng.randint(10, 300)) if leaves else None,
            )
        )
        promoted_on.append(
            today - dt.timedelta(days=rng.randint(10, 330))
            if rng.random() < (0.22 if took_part else 0.12)
            else None
        )
    saved = EmployeeRecord.objects.bulk_create(records)
    Promotion.objects.bulk_create(
        Promotion(employee=record, promoted_on=day)
        for record, day in zip(saved, promoted_on, strict=True)
        if day is not None
    )
    return len(saved)


def _seed_pairs(rng: random.Random, program: Program, coordinator: User) -> None:
    """Match and publish the program ten weeks ago and start it, as a coordinator
    would, then log its pairs' meetings: most meet every two weeks, some fade after a
    meeting or two, a few never start."""
    run = match_run_start(program=program, by=coordinator)
    match_run_execute(run_id=run.pk)
    match_run_publish(run=run, by=coordinator)
    program_transition(program=program, to_state=Program.State.RUNNING, by=coordinator)
    now = timezone.now()
    started = now - dt.timedelta(weeks=10)
    # Its history says so too: matching, then running from the day the pairs began.
    ProgramStateChange.objects.filter(program=program).update(changed_at=started)
    Program.objects.filter(pk=program.pk).update(state_changed_at=started)
    pairs = list(Mentorship.objects.filter(program=program).select_related("mentee__user"))
    # Matched, and introduced, ten weeks ago, on profiles as they were then (the
    # workspace would otherwise say the profiles changed since).
    Mentorship.objects.filter(pk__in=[m.pk for m in pairs]).update(
        started_at=started, introduced_at=started
    )
    Profile.objects.filter(user__participations__program=program).update(
        updated_at=started - dt.timedelta(days=1)
    )
    for mentorship in pairs:
        mentee = mentorship.mentee.user
        if mentee is None:
            continue
        kind = rng.choices(["thriving", "fading", "silent"], weights=[6, 3, 1])[0]
        meetings = {"thriving": 5, "fading": rng.randint(1, 2), "silent": 0}[kind]
        for n in range(meetings):
            held = started + dt.timedelta(days=7 + 14 * n, hours=rng.randint(0, 6))
            checkin_log_past(
                mentorship=mentorship,
                by=mentee,
                held_at=min(held, now - dt.timedelta(hours=1)),
                outcome="done",
                duration_minutes=rng.choice([30, 45, 60]),
                topics=rng.choice(["Career goals", "Feedback", "A tricky project", "Networking"]),
                rating=rng.randint(3, 5) if kind == "thriving" else rng.randint(2, 4),
                now=now,
            )
