"""The suggested-weights page: who may see it, what it shows, preview and adoption."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from matching import inputs
from matching.models import MatchCriterion, MatchRun
from mentoring.models import User
from programs.models import Participant, Program
from tests.factories.programs import program_create
from tests.matching.test_learning import criteria_of, history

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def program(coordinator: User) -> Program:
    return program_create(name="Leadership 2027", coordinators=[coordinator])


@pytest.fixture
def learnt(program: Program) -> Program:
    skills, languages = criteria_of(program)
    history(program, skills, languages, pairs=200)
    return program


def page(program: Program) -> str:
    return reverse("matching:weight_suggestions", args=[program.pk])


def adopt(program: Program) -> str:
    return reverse("matching:weight_suggestions_adopt", args=[program.pk])


def test_coordinator_sees_each_criterion_with_effect_interval_and_pairs(
    learnt: Program, coordinator: User
) -> None:
    response = client_for(coordinator).get(page(learnt))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Suggested weights from outcomes" in text
    assert "Similar skills" in text
    assert "Similar languages" in text
    assert "Based on 200 pairs" in text
    assert "points" in text
    assert "Clear" in text
    assert "Could be chance" in text
    assert "Not enough evidence yet" not in text
    # Aggregates only: nobody's name or address.
    someone = Participant.objects.filter(program=learnt).first()
    assert someone is not None
    assert someone.email not in text


def test_too_few_pairs_say_not_enough_evidence_and_offer_no_adoption(
    program: Program, coordinator: User
) -> None:
    skills, languages = criteria_of(program)
    history(program, skills, languages, pairs=20)

    text = client_for(coordinator).get(page(program)).content.decode()

    assert text.count("Not enough evidence yet") == 2
    assert "Adopt all suggestions" not in text


def test_preview_shows_the_whatif_of_the_latest_run(learnt: Program, coordinator: User) -> None:
    MatchRun.objects.create(
        program=learnt,
        status=MatchRun.Status.DRAFT,
        objective="total",
        config=inputs.config_from_program(learnt),
        summary={"matched": 0, "unmatched": 0, "total": 0},
    )

    response = client_for(coordinator).get(page(learnt), {"preview": "1"})

    assert response.status_code == 200
    assert "Mentees who would get another mentor" in response.content.decode()
    # A preview saves nothing.
    assert set(MatchCriterion.objects.filter(program=learnt).values_list("weight", flat=True)) == {
        "medium"
    }


def test_without_a_run_the_preview_asks_for_one(learnt: Program, coordinator: User) -> None:
    text = client_for(coordinator).get(page(learnt), {"preview": "1"}).content.decode()

    assert "Run matching once to preview" in text
    assert "Mentees who would get another mentor" not in text


def test_adopting_saves_the_weights_and_says_so(learnt: Program, coordinator: User) -> None:
    response = client_for(coordinator).post(adopt(learnt), follow=True)

    assert response.redirect_chain[-1][0] == page(learnt)
    assert "2 suggested weights adopted" in response.content.decode()
    weights = dict(
        MatchCriterion.objects.filter(program=learnt).values_list("field", "custom_weight")
    )
    assert weights["skills"] is not None
    assert weights["languages"] is not None
    assert weights["skills"] > weights["languages"]


def test_adopting_without_evidence_changes_nothing(program: Program, coordinator: User) -> None:
    skills, languages = criteria_of(program)
    history(program, skills, languages, pairs=20)

    response = client_for(coordinator).post(adopt(program), follow=True)

    assert "There is no suggestion to adopt yet." in response.content.decode()
    assert not MatchCriterion.objects.filter(program=program, weight="custom").exists()


def persona(who: str, program: Program, hr: User) -> User:
    if who == "hr":
        return hr
    if who == "mentee":
        user = User.objects.create(email="mia@example.org", full_name="Mia")
        Participant.objects.create(
            program=program, user=user, role=Participant.Role.MENTEE, email=user.email
        )
        return user
    other = User.objects.create(email="bea@example.org", is_coordinator=True)
    program_create(name="Guild", coordinators=[other])
    return other


@pytest.mark.parametrize(("who", "status"), [("mentee", 403), ("hr", 403), ("other", 404)])
def test_only_the_programs_coordinators_see_or_adopt(
    learnt: Program, who: str, status: int, hr: User
) -> None:
    client = client_for(persona(who, learnt, hr))

    assert client.get(page(learnt)).status_code == status
    assert client.post(adopt(learnt)).status_code == status
    assert not MatchCriterion.objects.filter(program=learnt, weight="custom").exists()
