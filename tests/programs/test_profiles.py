"""The person-level profile, a participant's answers and settings, and completeness."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mentoring.audience import Audience
from mentoring.models import User
from programs.models import (
    Participant,
    Profile,
    ProfileAnswer,
    ProfileQuestion,
    Program,
)
from programs.profiles.completeness import (
    participant_profile_missing,
    profile_missing,
    program_completeness_refresh,
    user_completeness_refresh,
)
from programs.profiles.questions import question_create, question_delete
from programs.profiles.services import (
    participant_answers_save,
    participant_pause_set,
    profile_update,
)
from programs.profiles.tags import tags_normalise
from programs.services import ProgramError
from tests.factories import user_create
from tests.factories.programs import participant_create, program_create

pytestmark = pytest.mark.django_db

PROFILE_URL = reverse("programs:profile_edit")


def _profile_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "full_name": "Mia Mentee",
        "preferred_name": "Mimi",
        "job_title": "Data analyst",
        "department": "Finance",
        "seniority": "2",
        "location": "Lisbon",
        "time_zone": "Europe/Lisbon",
        "manager_email": "Boss@Example.org",
        "languages": "Portuguese, English",
        "skills": "SQL, Excel",
        "interests": "Leadership, public speaking",
        "career_aspirations": "Lead a team",
        "bio": "Numbers person.",
        "gender": "",
        "ethnicity": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _my_profile_url(program: Program) -> str:
    return reverse("programs:participant_profile", args=[program.pk])


def _complete_profile(user: User, **fields: Any) -> Profile:
    values: dict[str, Any] = {
        "job_title": "Engineer",
        "department": "R&D",
        "seniority": Profile.Seniority.MID,
        "skills": ["Python"],
        "interests": ["Leadership"],
    }
    values.update(fields)
    profile, _created = Profile.objects.update_or_create(user=user, defaults=values)
    return profile


def _question(program: Program, **fields: Any) -> ProfileQuestion:
    values: dict[str, Any] = {
        "text": "What do you want from the program?",
        "kind": ProfileQuestion.Kind.SINGLE_CHOICE,
        "choices": ["Leadership", "Career", "Network"],
        "is_required": True,
        "audience": Audience.BOTH,
    }
    values.update(fields)
    return ProfileQuestion.objects.create(program=program, **values)


# -- Lists of phrases --------------------------------------------------------------------


def test_tags_are_trimmed_and_deduplicated_ignoring_case() -> None:
    assert tags_normalise("  Python ,python, Go\nSQL,, PYTHON , go  ") == [
        "Python",
        "Go",
        "SQL",
    ]
    assert tags_normalise(["Public   speaking", "public speaking"]) == ["Public speaking"]


def test_tags_refuse_too_many_or_too_long() -> None:
    with pytest.raises(ProgramError, match="at most 30"):
        tags_normalise([f"skill {n}" for n in range(31)])
    assert len(tags_normalise([f"skill {n}" for n in range(30)])) == 30
    with pytest.raises(ProgramError, match="too long"):
        tags_normalise(["x" * 61])


# -- profile_edit ------------------------------------------------------------------------


def test_profile_page_needs_a_signed_in_person(client: Client) -> None:
    response = client.get(PROFILE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_page_shows_the_persons_own_values(client: Client, user: User) -> None:
    Profile.objects.create(user=user, job_title="Astronomer", skills=["Optics", "Maths"])
    client.force_login(user)
    response = client.get(PROFILE_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Astronomer"' in page
    assert 'value="Optics, Maths"' in page


def test_saving_the_profile_normalises_and_stores_everything(client: Client, user: User) -> None:
    client.force_login(user)
    response = client.post(
        PROFILE_URL, _profile_form(skills=" SQL, sql , Excel,, ", languages="English\nenglish")
    )
    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL
    profile = Profile.objects.get(user=user)
    assert profile.job_title == "Data analyst"
    assert profile.seniority == Profile.Seniority.JUNIOR
    assert profile.skills == ["SQL", "Excel"]
    assert profile.languages == ["English"]
    assert profile.interests == ["Leadership", "public speaking"]
    assert profile.manager_email == "boss@example.org"
    assert profile.gender == ""
    assert profile.demographics_consent_at is None
    user.refresh_from_db()
    assert user.time_zone == "Europe/Lisbon"
    assert user.preferred_name == "Mimi"


def test_an_unknown_time_zone_is_refused(client: Client, user: User) -> None:
    client.force_login(user)
    response = client.post(PROFILE_URL, _profile_form(time_zone="Mars/Olympus_Mons"))
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert not Profile.objects.filter(user=user).exists()
    user.refresh_from_db()
    assert user.time_zone == "Europe/London"


def test_the_service_refuses_an_unknown_time_zone_too(user: User) -> None:
    with pytest.raises(ProgramError, match="not a time zone"):
        profile_update(user=user, demographics_consent=False, time_zone="Nowhere/Land")


def test_too_many_skills_are_refused(client: Client, user: User) -> None:
    client.force_login(user)
    skills = ", ".join(f"skill {n}" for n in range(31))
    response = client.post(PROFILE_URL, _profile_form(skills=skills))
    assert response.status_code == 200
    assert "at most 30" in str(response.context["form"].errors["skills"])
    assert not Profile.objects.filter(user=user).exists()


def test_demographics_without_consent_are_refused(client: Client, user: User) -> None:
    client.force_login(user)
    response = client.post(PROFILE_URL, _profile_form(gender="Woman"))
    assert response.status_code == 200
    assert "demographics_consent" in response.context["form"].errors
    assert not Profile.objects.filter(user=user).exists()
    with pytest.raises(ProgramError, match="consent"):
        profile_update(user=user, demographics_consent=False, gender="Woman")


def test_demographics_with_consent_are_kept_and_withdrawing_consent_clears_them(
    client: Client, user: User
) -> None:
    client.force_login(user)
    response = client.post(
        PROFILE_URL,
        _profile_form(gender="Woman", ethnicity="Mixed", demographics_consent="on"),
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert (profile.gender, profile.ethnicity) == ("Woman", "Mixed")
    consented_at = profile.demographics_consent_at
    assert consented_at is not None

    # Saving again keeps the original consent time.
    client.post(
        PROFILE_URL,
        _profile_form(gender="Woman", ethnicity="Mixed", demographics_consent="on"),
    )
    profile.refresh_from_db()
    assert profile.demographics_consent_at == consented_at

    # Unticking the box withdraws consent and removes both, whatever is left in the fields.
    response = client.post(PROFILE_URL, _profile_form(gender="Woman", ethnicity="Mixed"))
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.gender, profile.ethnicity, profile.demographics_consent_at) == ("", "", None)
    page = client.get(PROFILE_URL).content.decode()
    assert "Your gender and ethnicity are removed" in page


def test_a_safe_next_address_is_followed_and_a_foreign_one_ignored(
    client: Client, user: User
) -> None:
    client.force_login(user)
    response = client.post(PROFILE_URL + "?next=/programs/", _profile_form())
    assert response["Location"] == "/programs/"
    response = client.post(PROFILE_URL + "?next=https://evil.example/", _profile_form())
    assert response["Location"] == PROFILE_URL


def test_saving_the_profile_recomputes_every_participation(
    client: Client, program: Program, other_program: Program
) -> None:
    person = user_create(full_name="Two Hats")
    as_mentor = participant_create(program=program, user=person, role=Participant.Role.MENTOR)
    as_mentee = participant_create(program=other_program, user=person, role=Participant.Role.MENTEE)
    client.force_login(person)
    # Interests but no skills: enough as a mentee, not as a mentor.
    client.post(PROFILE_URL, _profile_form(skills=""))
    as_mentor.refresh_from_db()
    as_mentee.refresh_from_db()
    assert as_mentor.profile_completed_at is None
    assert as_mentee.profile_completed_at is not None

    client.post(PROFILE_URL, _profile_form())
    as_mentor.refresh_from_db()
    assert as_mentor.profile_completed_at is not None

    # Dropping the department makes both incomplete again.
    client.post(PROFILE_URL, _profile_form(department=""))
    as_mentor.refresh_from_db()
    as_mentee.refresh_from_db()
    assert as_mentor.profile_completed_at is None
    assert as_mentee.profile_completed_at is None


def test_profile_page_lists_the_persons_programs(
    client: Client, program: Program, mentee: Participant
) -> None:
    assert mentee.user is not None
    client.force_login(mentee.user)
    page = client.get(PROFILE_URL).content.decode()
    assert "Leadership 2026" in page
    assert _my_profile_url(program) in page


# -- participant_profile: access -------------------------------------------------------------


def test_my_profile_page_needs_a_signed_in_person(client: Client, program: Program) -> None:
    response = client.get(_my_profile_url(program))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_my_profile_page_is_for_the_programs_participants(
    client: Client,
    program: Program,
    mentee: Participant,
    outsider: User,
    other_coordinator: User,
    other_program: Program,
    hr: User,
) -> None:
    assert mentee.user is not None
    client.force_login(mentee.user)
    assert client.get(_my_profile_url(program)).status_code == 200
    # Their own program only.
    assert client.get(_my_profile_url(other_program)).status_code == 404
    for person in (outsider, other_coordinator, hr):
        client.force_login(person)
        assert client.get(_my_profile_url(program)).status_code == 404
        assert client.post(_my_profile_url(program), {}).status_code == 404


def test_a_coordinator_without_a_participation_is_sent_to_the_overview(
    client: Client, program: Program, coordinator: User
) -> None:
    client.force_login(coordinator)
    response = client.get(_my_profile_url(program))
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:program_overview", args=[program.pk])


def test_a_withdrawn_participant_has_no_profile_page(
    client: Client, program: Program, mentee: Participant
) -> None:
    Participant.objects.filter(pk=mentee.pk).update(status=Participant.Status.WITHDRAWN)
    assert mentee.user is not None
    client.force_login(mentee.user)
    assert client.get(_my_profile_url(program)).status_code == 404


# -- participant_profile: answers ------------------------------------------------------------


def test_each_role_sees_only_its_questions(
    client: Client, program: Program, mentee: Participant, mentor: Participant
) -> None:
    _question(program, text="Asked of everyone?")
    _question(program, text="Only for mentors?", audience=Audience.MENTORS)
    _question(program, text="Only for mentees?", audience=Audience.MENTEES)
    assert mentee.user is not None
    assert mentor.user is not None
    client.force_login(mentee.user)
    page = client.get(_my_profile_url(program)).content.decode()
    assert "Asked of everyone?" in page
    assert "Only for mentees?" in page
    assert "Only for mentors?" not in page
    assert "How many mentees can you take?" not in page
    client.force_login(mentor.user)
    page = client.get(_my_profile_url(program)).content.decode()
    assert "Only for mentors?" in page
    assert "Only for mentees?" not in page
    assert "How many mentees can you take?" in page


def test_required_questions_must_be_answered(
    client: Client, program: Program, mentee: Participant
) -> None:
    question = _question(program)
    optional = _question(
        program,
        text="Anything else?",
        kind=ProfileQuestion.Kind.TEXT,
        choices=[],
        is_required=False,
    )
    assert mentee.user is not None
    client.force_login(mentee.user)
    response = client.post(_my_profile_url(program), {f"question_{optional.pk}": "I like tea."})
    assert response.status_code == 200
    assert f"question_{question.pk}" in response.context["form"].errors
    assert not ProfileAnswer.objects.exists()
    # The service refuses as well, whatever the form did.
    with pytest.raises(ProgramError, match="needs an answer"):
        participant_answers_save(participant=mentee, answers={})


def test_answers_of_every_kind_are_saved_updated_and_cleared(
    client: Client, program: Program, mentee: Participant
) -> None:
    single = _question(program, text="Goal?")
    multi = _question(
        program,
        text="Topics?",
        kind=ProfileQuestion.Kind.MULTI_CHOICE,
        choices=["Strategy", "People", "Tech"],
        is_required=False,
    )
    scale = _question(
        program, text="Confidence?", kind=ProfileQuestion.Kind.SCALE, choices=[], is_required=False
    )
    text = _question(
        program, text="Notes?", kind=ProfileQuestion.Kind.TEXT, choices=[], is_required=False
    )
    assert mentee.user is not None
    client.force_login(mentee.user)
    response = client.post(
        _my_profile_url(program),
        {
            f"question_{single.pk}": "Career",
            f"question_{multi.pk}": ["Tech", "Strategy"],
            f"question_{scale.pk}": "4",
            f"question_{text.pk}": "  Hello  ",
        },
    )
    assert response.status_code == 302
    answers = dict(
        ProfileAnswer.objects.filter(participant=mentee).values_list("question_id", "value")
    )
    assert answers == {
        single.pk: "Career",
        multi.pk: ["Strategy", "Tech"],
        scale.pk: 4,
        text.pk: "Hello",
    }
    # The page shows the saved answers back.
    page = client.get(_my_profile_url(program)).content.decode()
    assert re.search(r'value="Career"[^>]*checked', page)
    assert re.search(r'value="Tech"[^>]*checked', page)
    assert not re.search(r'value="People"[^>]*checked', page)
    assert re.search(r'value="4"[^>]*checked', page)

    client.post(_my_profile_url(program), {f"question_{single.pk}": "Network"})
    answers = dict(
        ProfileAnswer.objects.filter(participant=mentee).values_list("question_id", "value")
    )
    assert answers == {single.pk: "Network"}


def test_invalid_answers_are_refused(client: Client, program: Program, mentee: Participant) -> None:
    single = _question(program)
    scale = _question(
        program, text="Confidence?", kind=ProfileQuestion.Kind.SCALE, choices=[], is_required=False
    )
    assert mentee.user is not None
    client.force_login(mentee.user)
    response = client.post(
        _my_profile_url(program), {f"question_{single.pk}": "Fame", f"question_{scale.pk}": "9"}
    )
    assert response.status_code == 200
    assert {f"question_{single.pk}", f"question_{scale.pk}"} <= set(response.context["form"].errors)
    with pytest.raises(ProgramError, match="Choose one of the options"):
        participant_answers_save(participant=mentee, answers={single.pk: "Fame"})
    other = _question(program_create(name="Elsewhere"))
    with pytest.raises(ProgramError, match="not asked"):
        participant_answers_save(
            participant=mentee, answers={single.pk: "Career", other.pk: "Career"}
        )
    assert not ProfileAnswer.objects.exists()


def test_a_participant_never_sees_other_peoples_answers(
    client: Client, program: Program, mentee: Participant, mentor: Participant
) -> None:
    question = _question(
        program, text="Notes?", kind=ProfileQuestion.Kind.TEXT, choices=[], is_required=False
    )
    ProfileAnswer.objects.create(
        participant=mentor, question=question, value="My secret plan is kites"
    )
    assert mentee.user is not None
    client.force_login(mentee.user)
    page = client.get(_my_profile_url(program)).content.decode()
    assert "Notes?" in page
    assert "secret plan" not in page


def test_my_profile_page_costs_the_same_for_many_questions(
    client: Client,
    program: Program,
    mentee: Participant,
    django_assert_max_num_queries: Any,
) -> None:
    assert mentee.user is not None
    _complete_profile(mentee.user)
    client.force_login(mentee.user)
    for n in range(3):
        _question(program, text=f"Q{n}?")
    with django_assert_max_num_queries(12) as few:
        client.get(_my_profile_url(program))
    for n in range(3, 30):
        _question(program, text=f"Q{n}?")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_my_profile_url(program))
    assert "Q29?" in response.content.decode()


# -- Completeness ----------------------------------------------------------------------------


def test_completeness_is_set_when_details_and_required_answers_are_there(
    client: Client, program: Program, mentee: Participant
) -> None:
    question = _question(program)
    assert mentee.user is not None
    _complete_profile(mentee.user)
    client.force_login(mentee.user)
    page = client.get(_my_profile_url(program)).content.decode()
    assert "What do you want from the program?" in page
    assert "Incomplete" in page

    client.post(_my_profile_url(program), {f"question_{question.pk}": "Career"})
    mentee.refresh_from_db()
    assert mentee.profile_completed_at is not None
    completed_at = mentee.profile_completed_at
    assert "Complete" in client.get(_my_profile_url(program)).content.decode()

    # Saving again keeps the first completion time.
    client.post(_my_profile_url(program), {f"question_{question.pk}": "Network"})
    mentee.refresh_from_db()
    assert mentee.profile_completed_at == completed_at


def test_the_completeness_rule(program: Program) -> None:
    person = user_create()
    mentor = participant_create(program=program, user=person, role=Participant.Role.MENTOR)
    profile = Profile(user=person, job_title="CTO", department="Tech", seniority=7)
    assert profile_missing(profile, Participant.Role.MENTOR) == ["at least one skill you can share"]
    assert profile_missing(profile, Participant.Role.MENTEE) == [
        "at least one interest or your career aspirations"
    ]
    profile.career_aspirations = "Become a CEO"
    assert profile_missing(profile, Participant.Role.MENTEE) == []
    assert len(profile_missing(None, Participant.Role.MENTEE)) == 4
    question = _question(program, audience=Audience.MENTORS)
    profile.skills = ["Architecture"]
    missing = participant_profile_missing(
        participant=mentor, profile=profile, questions=[question], answered_ids=set()
    )
    assert missing == ["an answer to “What do you want from the program?”"]
    assert (
        participant_profile_missing(
            participant=mentor, profile=profile, questions=[question], answered_ids={question.pk}
        )
        == []
    )


def test_a_new_required_question_clears_completeness_and_answering_restores_it(
    program: Program, coordinator: User, mentee: Participant
) -> None:
    assert mentee.user is not None
    _complete_profile(mentee.user)
    user_completeness_refresh(user=mentee.user)
    mentee.refresh_from_db()
    assert mentee.profile_completed_at is not None

    question = question_create(
        program=program,
        text="Which office?",
        kind=ProfileQuestion.Kind.SINGLE_CHOICE,
        choices=["Berlin", "Lisbon"],
        is_required=True,
        by=coordinator,
    )
    mentee.refresh_from_db()
    assert mentee.profile_completed_at is None

    participant_answers_save(participant=mentee, answers={question.pk: "Lisbon"})
    mentee.refresh_from_db()
    assert mentee.profile_completed_at is not None

    # A required question only for mentors does not concern her.
    question_create(
        program=program,
        text="How many years have you mentored?",
        kind=ProfileQuestion.Kind.SCALE,
        is_required=True,
        audience=Audience.MENTORS,
        by=coordinator,
    )
    mentee.refresh_from_db()
    assert mentee.profile_completed_at is not None


def test_deleting_a_required_question_can_complete_profiles(
    program: Program, coordinator: User, mentee: Participant
) -> None:
    assert mentee.user is not None
    _complete_profile(mentee.user)
    question = _question(program)
    program_completeness_refresh(program=program)
    mentee.refresh_from_db()
    assert mentee.profile_completed_at is None
    question_delete(question=question, by=coordinator)
    mentee.refresh_from_db()
    assert mentee.profile_completed_at is not None


def test_program_refresh_costs_a_fixed_number_of_queries(
    program: Program, django_assert_max_num_queries: Any
) -> None:
    _question(program)
    for _n in range(40):
        person = user_create()
        _complete_profile(person)
        participant_create(program=program, user=person)
    participant_create(program=program, user=None, email="invited@example.org", status="invited")
    with django_assert_max_num_queries(6):
        changed = program_completeness_refresh(program=program)
    assert changed == 0  # nobody answered the required question yet
    assert not Participant.objects.filter(profile_completed_at__isnull=False).exists()


# -- Mentors: capacity and pause ---------------------------------------------------------------


def test_a_mentor_sets_capacity_and_pauses_and_resumes(
    client: Client, program: Program, mentor: Participant
) -> None:
    assert mentor.user is not None
    client.force_login(mentor.user)
    page = client.get(_my_profile_url(program)).content.decode()
    assert "program&#x27;s default of 2" in page or "program's default of 2" in page

    response = client.post(_my_profile_url(program), {"capacity": "3", "paused": "on"})
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.capacity == 3
    assert mentor.status == Participant.Status.PAUSED

    client.post(_my_profile_url(program), {"capacity": ""})
    mentor.refresh_from_db()
    assert mentor.capacity is None
    assert mentor.status == Participant.Status.ACTIVE


def test_capacity_out_of_range_is_refused(
    client: Client, program: Program, mentor: Participant
) -> None:
    assert mentor.user is not None
    client.force_login(mentor.user)
    response = client.post(_my_profile_url(program), {"capacity": "51"})
    assert response.status_code == 200
    assert "capacity" in response.context["form"].errors
    mentor.refresh_from_db()
    assert mentor.capacity is None


def test_an_applicant_mentor_cannot_pause_yet(
    client: Client, program: Program, mentor: Participant
) -> None:
    Participant.objects.filter(pk=mentor.pk).update(status=Participant.Status.APPLIED)
    mentor.refresh_from_db()
    assert mentor.user is not None
    client.force_login(mentor.user)
    page = client.get(_my_profile_url(program)).content.decode()
    assert "Pause taking new mentees" not in page
    assert "reviewing your request" in page
    client.post(_my_profile_url(program), {"capacity": "1", "paused": "on"})
    mentor.refresh_from_db()
    assert mentor.status == Participant.Status.APPLIED
    assert mentor.capacity == 1
    with pytest.raises(ProgramError, match="active mentor"):
        participant_pause_set(participant=mentor, paused=True, by=mentor.user)


def test_only_mentors_pause(mentee: Participant) -> None:
    assert mentee.user is not None
    with pytest.raises(ProgramError, match="Only mentors"):
        participant_pause_set(participant=mentee, paused=True, by=mentee.user)


def test_a_closed_programs_answers_are_frozen(program: Program, mentee: Participant) -> None:
    question = _question(program, is_required=False)
    Program.objects.filter(pk=program.pk).update(state=Program.State.CLOSED)
    mentee.refresh_from_db()
    assert mentee.user is not None
    with pytest.raises(ProgramError, match="closed"):
        participant_answers_save(participant=mentee, answers={question.pk: "Career"})
