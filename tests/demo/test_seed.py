from __future__ import annotations

import io
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from demo.people import DEMO_PEOPLE
from mentoring.models import User

pytestmark = pytest.mark.django_db


def _seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


DEMO_EMAILS = [person.email for person in DEMO_PEOPLE]


def test_seed_creates_every_persona_with_a_verified_email() -> None:
    output = _seed()
    assert User.objects.filter(email__in=DEMO_EMAILS).count() == len(DEMO_PEOPLE)
    assert EmailAddress.objects.filter(
        email__in=DEMO_EMAILS, verified=True, primary=True
    ).count() == len(DEMO_PEOPLE)
    # Every account the seed makes can sign in without a verification step.
    assert not EmailAddress.objects.filter(verified=False).exists()
    assert User.objects.filter(is_staff=True, is_superuser=True).count() == 1
    assert User.objects.filter(is_hr_viewer=True).count() == 1
    assert User.objects.filter(is_coordinator=True).count() == 1
    for person in DEMO_PEOPLE:
        assert person.email in output


def test_printed_passwords_log_the_people_in(settings) -> None:
    _seed()
    logins = (settings.VAR_DIR / "demo-logins.txt").read_text().split()
    pairs = dict(zip(logins[::2], logins[1::2], strict=True))
    assert set(pairs) == {person.email for person in DEMO_PEOPLE}
    for email, password in pairs.items():
        assert User.objects.get(email=email).check_password(password)
    assert oct((settings.VAR_DIR / "demo-logins.txt").stat().st_mode & 0o777) == "0o600"


def test_seeding_twice_changes_nothing() -> None:
    _seed()
    before = {u.email: (u.pk, u.password) for u in User.objects.all()}
    output = _seed()
    after = {u.email: (u.pk, u.password) for u in User.objects.all()}
    assert after == before
    assert EmailAddress.objects.count() == User.objects.count()
    assert "nothing changed" in output


def test_seed_adds_only_the_missing_people() -> None:
    _seed()
    User.objects.filter(email=DEMO_PEOPLE[-1].email).delete()
    output = _seed()
    assert User.objects.filter(email__in=DEMO_EMAILS).count() == len(DEMO_PEOPLE)
    assert "1 new passwords" in output


def test_reset_passwords_gives_new_working_passwords() -> None:
    _seed()
    old = User.objects.get(email=DEMO_PEOPLE[0].email).password
    _seed("--reset-passwords")
    assert User.objects.get(email=DEMO_PEOPLE[0].email).password != old
    assert User.objects.filter(email__in=DEMO_EMAILS).count() == len(DEMO_PEOPLE)


def test_seed_creates_two_programs_in_different_states_with_varied_people() -> None:
    from programs.models import Participant, Profile, Program

    _seed()
    programs = list(Program.objects.order_by("name"))
    assert len(programs) == 2
    assert len({p.state for p in programs}) == 2
    total = Participant.objects.count()
    assert 55 <= total <= 65
    for program in programs:
        roles = set(program.participants.values_list("role", flat=True))
        assert roles == {"mentor", "mentee"}
        assert program.coordinators.filter(email="coordinator@example.com").exists()
    profiles = Profile.objects.all()
    assert len({p.department for p in profiles}) >= 5
    assert len({p.location for p in profiles}) >= 5
    assert len({lang for p in profiles for lang in p.languages}) >= 4
    # Everyone in the running program has a finished profile; some in the other have not.
    running = Program.objects.get(state="running")
    assert not running.participants.filter(profile_completed_at__isnull=True).exists()
    enrolling = Program.objects.get(state="enrolling")
    active = enrolling.participants.filter(status="active")
    assert active.filter(profile_completed_at__isnull=True).exists()
    assert active.filter(profile_completed_at__isnull=False).exists()
    # The named demo mentees can log in and find themselves in a program.
    assert Participant.objects.filter(email="elena.petrova@example.com", role="mentee").exists()


def test_seeding_programs_twice_changes_nothing() -> None:
    from programs.models import Participant, Program

    _seed()
    counts = (Program.objects.count(), Participant.objects.count(), User.objects.count())
    _seed()
    assert (Program.objects.count(), Participant.objects.count(), User.objects.count()) == counts


def test_demo_programs_have_a_survey_with_enough_answers_to_show() -> None:
    from surveys.models import Response, Survey
    from surveys.results import minimum_for

    _seed()
    surveys = list(Survey.objects.select_related("program").filter(state="open"))
    assert surveys
    for survey in surveys:
        assert Response.objects.filter(survey=survey).count() >= minimum_for(survey.program)


def test_the_large_seed_makes_programs_pairs_checkins_and_answers_at_scale() -> None:
    from demo.large import demo_large_seed
    from pairs.models import CheckIn, Mentorship
    from surveys.models import Answer

    counts = demo_large_seed(scale=0.02)
    assert counts.programs == 1
    assert counts.participants == 8
    assert Mentorship.objects.count() >= counts.mentorships == 4
    assert CheckIn.objects.count() >= counts.checkins == 80
    assert Answer.objects.count() >= counts.answers == 40
    # Every program measures its goals; some people describe themselves, with consent.
    from programs.models import Profile, ProgramGoal

    assert ProgramGoal.objects.count() == 5 * counts.programs
    profiles = Profile.objects.filter(user__participations__program__name__startswith="Demo")
    assert profiles.count() == counts.participants
    assert profiles.filter(demographics_consent_at__isnull=False).exclude(gender="").exists()
    assert profiles.filter(demographics_consent_at__isnull=True, gender="").exists()
    output = _seed("--size", "large", "--scale", "0.02")
    assert "Large demo: 1 programs" in output


def test_the_demo_pairs_were_introduced_on_the_profiles_of_their_day() -> None:
    from pairs.mentorships import match_reasons
    from pairs.models import Mentorship

    _seed()
    pairs = list(Mentorship.objects.select_related("mentee__user", "mentor__user"))
    assert pairs
    # Matched ten weeks ago: introduced then, on the profiles they had then, so the
    # first `make run` sends no introductions and no workspace says "changed since".
    assert all(pair.introduced_at is not None for pair in pairs)
    assert not [pair.pk for pair in pairs if match_reasons(mentorship=pair).changed_since]


def test_the_program_whose_pairs_meet_is_running_as_the_product_would_leave_it() -> None:
    from pairs.models import CheckIn, Mentorship
    from programs.models import Program, ProgramStateChange

    _seed()
    meeting = Program.objects.filter(mentorships__checkins__isnull=False).distinct()
    assert list(meeting.values_list("name", "state")) == [("Emerging Leaders 2026", "running")]
    program = meeting.get()
    # Reached the way a coordinator would: matching, pairs published, then started.
    history = list(
        ProgramStateChange.objects.filter(program=program)
        .order_by("changed_at", "pk")
        .values_list("from_state", "to_state")
    )
    assert history == [("draft", "matching"), ("matching", "running")]
    # Started when its pairs were published, before any of them met.
    first_meeting = CheckIn.objects.filter(mentorship__program=program).order_by("scheduled_at")[0]
    assert program.state_changed_at is not None
    assert program.state_changed_at <= first_meeting.scheduled_at
    started = Mentorship.objects.filter(program=program).order_by("started_at")[0].started_at
    assert program.state_changed_at >= started
    # A program still enrolling has no pairs yet.
    assert not Mentorship.objects.filter(program__state="enrolling").exists()
