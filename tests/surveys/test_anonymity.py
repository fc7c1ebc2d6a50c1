"""A canary free-text answer in an anonymous survey never shows up beside anything
that identifies its author, never to HR, and not at all before enough people
answered; and the results obey small-group suppression over random answers."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programs.models import Participant
from surveys import services
from surveys.models import Invitation, Question, Response, Survey
from surveys.results import survey_results
from tests.factories.surveys import answers_for, people, survey_open

pytestmark = pytest.mark.django_db

CANARY = "CANARY-7f3a: my mentor never shows up"


def _pages(client, program, survey: Survey, coordinator, hr) -> dict[str, str]:
    client.force_login(coordinator)
    pages = {
        "results": client.get(
            reverse("surveys:survey_results", args=[program.pk, survey.pk])
        ).content.decode(),
        "results by role": client.get(
            reverse("surveys:survey_results", args=[program.pk, survey.pk]) + "?role=mentee"
        ).content.decode(),
        "csv": client.get(
            reverse("surveys:survey_export", args=[program.pk, survey.pk])
        ).content.decode(),
    }
    client.force_login(hr)
    pages["hr"] = client.get(reverse("surveys:hr_overview")).content.decode()
    return pages


def test_a_canary_answer_is_never_attributed_and_waits_for_enough_answers(
    client, program, coordinator, hr
) -> None:
    mentees = people(program, Participant.Role.MENTEE, 8, prefix="Zebediah")
    for i, mentee in enumerate(mentees):
        mentee.department = f"Canary Department {i}"
        mentee.save(update_fields=["department"])
    survey = survey_open(program, coordinator, audience="mentees")
    invitations = {i.participant_id: i for i in Invitation.objects.filter(survey=survey)}
    author = mentees[0]
    services.response_submit(
        invitation=invitations[author.pk],
        answers=answers_for(survey, "mentee", text=CANARY),
    )
    # Three more free-text answers: four in all, below the minimum of five.
    for mentee in mentees[1:4]:
        services.response_submit(
            invitation=invitations[mentee.pk],
            answers=answers_for(survey, "mentee", text="Helpful"),
        )
    for name, page in _pages(client, program, survey, coordinator, hr).items():
        assert CANARY not in page, name
    client.force_login(coordinator)
    results = client.get(reverse("surveys:survey_results", args=[program.pk, survey.pk]))
    assert "Free-text answers appear once at least 5 people" in results.content.decode()

    # The fifth free-text answer releases them.
    services.response_submit(
        invitation=invitations[mentees[4].pk],
        answers=answers_for(survey, "mentee", text="Good"),
    )
    pages = _pages(client, program, survey, coordinator, hr)
    assert CANARY in pages["results"]
    assert CANARY in pages["csv"]
    assert CANARY not in pages["hr"]
    stored = Response.objects.filter(survey=survey).first()
    assert stored is not None
    for name in ("results", "results by role", "csv", "hr"):
        page = pages[name]
        for identifying in (
            author.full_name,
            author.email,
            author.user.email,  # type: ignore[union-attr]
            "Zebediah",
            "Canary Department",
        ):
            assert identifying not in page, (name, identifying)
    # Nothing more precise than the week of answering is kept anywhere.
    assert not Response.objects.filter(submitted_at__isnull=False).exists()
    assert not Response.objects.filter(participant__isnull=False).exists()
    answered = Invitation.objects.get(pk=invitations[author.pk].pk).answered_at
    assert answered is not None
    assert answered.time() == dt.time()


def test_identified_free_text_carries_the_respondents_name(client, program, coordinator) -> None:
    mentees = people(program, Participant.Role.MENTEE, 2, prefix="Named")
    survey = survey_open(program, coordinator, audience="mentees", anonymous=False)
    invitation = Invitation.objects.get(survey=survey, participant=mentees[0])
    services.response_submit(
        invitation=invitation, answers=answers_for(survey, "mentee", text="Signed feedback")
    )
    client.force_login(coordinator)
    page = client.get(
        reverse("surveys:survey_results", args=[program.pk, survey.pk])
    ).content.decode()
    assert "Signed feedback" in page
    assert mentees[0].full_name in page


def _shown_counts(results) -> list[int]:
    # Respondents only: who was invited is the coordinators' own list.
    counts = [results.answered]
    for row in results.roles:
        counts += [*row.cells]
    counts += [week.count for week in results.weeks]
    for item in results.questions:
        counts.append(item.count)
        counts += [bar.count for bar in item.bars]
        for row in item.roles:
            counts += [row.count, *row.cells]
        counts += [week.count for week in item.weeks]
    return [c for c in counts if c is not None]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    mentors=st.integers(min_value=0, max_value=9),
    mentees=st.integers(min_value=0, max_value=9),
    seed=st.integers(min_value=0, max_value=10_000),
    minimum=st.integers(min_value=2, max_value=6),
    role_filter=st.sampled_from(["", "mentor", "mentee"]),
)
def test_results_over_random_answers_never_show_a_small_group(
    program, coordinator, mentors: int, mentees: int, seed: int, minimum: int, role_filter: str
) -> None:
    rng = random.Random(seed)
    program.min_group_size = minimum
    program.save(update_fields=["min_group_size"])
    Survey.objects.filter(program=program).delete()
    Participant.objects.filter(program=program).delete()
    people(program, Participant.Role.MENTOR, mentors + 1)
    people(program, Participant.Role.MENTEE, mentees + 1)
    survey = survey_open(program, coordinator)
    invitations = list(Invitation.objects.filter(survey=survey))
    for invitation in invitations[: mentors + mentees]:
        answers = answers_for(survey, invitation.role, rating=rng.randint(1, 5), text="x")
        for question in survey.questions.all():
            if question.kind == Question.Kind.SINGLE_CHOICE:
                answers[question.pk] = rng.choice(question.choices)
            elif question.kind == Question.Kind.NPS:
                answers[question.pk] = rng.randint(0, 10)
        services.response_submit(invitation=invitation, answers=answers)
    effective = max(minimum, 5)  # the site's MIN_GROUP_SIZE (5) is the floor
    full = survey_results(survey=survey)
    filtered = survey_results(survey=survey, role_filter=role_filter)
    for results in (full, filtered):
        for count in _shown_counts(results):
            assert count == 0 or count >= effective
        for item in results.questions:
            for row in item.roles:
                if row.count is None:
                    assert row.average is None
                    assert row.nps is None
            if item.count is None:
                assert item.average is None
    # A view filtered by role shows rows of the same suppressed table, nothing more.
    for full_item, filtered_item in zip(full.questions, filtered.questions, strict=True):
        full_rows = {row.role: row for row in full_item.roles}
        for row in filtered_item.roles:
            assert row == full_rows[row.role]
