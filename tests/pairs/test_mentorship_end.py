"""Ending a mentorship early: who may, the no-fault reason, re-match queueing, and
what coordinators see afterwards."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mentoring.models import User
from pairs.mentorships import mentorship_create
from pairs.models import Mentorship
from programs.models import Participant, Program
from tests.factories import user_create
from tests.factories.programs import participant_create

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def user_of(participant: Participant) -> User:
    assert participant.user is not None
    return participant.user


@pytest.fixture
def pair(program: Program, mentor: Participant, mentee: Participant) -> Mentorship:
    return mentorship_create(
        program=program, mentor=mentor, mentee=mentee, source="manual", by=None
    )


def end_url(pair: Mentorship) -> str:
    return reverse("pairs:mentorship_end", args=[pair.program_id, pair.pk])


def test_either_person_and_the_coordinator_may_open_the_page(
    pair: Mentorship, mentor: Participant, mentee: Participant, coordinator: User
) -> None:
    for user in (user_of(mentor), user_of(mentee), coordinator):
        response = client_for(user).get(end_url(pair))
        assert response.status_code == 200
        assert "We reached our goals early" in response.content.decode()


def test_others_may_not(
    program: Program, pair: Mentorship, outsider: User, hr: User, other_program: Program
) -> None:
    colleague = participant_create(program=program, role=Participant.Role.MENTEE)
    assert client_for(outsider).get(end_url(pair)).status_code == 404
    assert client_for(user_of(colleague)).get(end_url(pair)).status_code == 403
    assert client_for(hr).post(end_url(pair), {"reason": "fit"}).status_code == 403
    wrong_program = reverse("pairs:mentorship_end", args=[other_program.pk, pair.pk])
    assert client_for(user_of(colleague)).get(wrong_program).status_code == 404
    pair.refresh_from_db()
    assert pair.is_active


def test_mentee_ends_it_and_asks_for_a_new_mentor(pair: Mentorship, mentee: Participant) -> None:
    response = client_for(user_of(mentee)).post(
        end_url(pair), {"reason": "schedules", "rematch": "on"}
    )
    assert response.status_code == 302
    pair.refresh_from_db()
    mentee.refresh_from_db()
    assert (pair.state, pair.end_reason) == (Mentorship.State.ENDED, "schedules")
    assert pair.state_changes.filter(to_state="ended", reason="schedules").exists()
    assert mentee.rematch_requested_at is not None


def test_mentee_who_does_not_ask_is_not_queued(pair: Mentorship, mentee: Participant) -> None:
    client_for(user_of(mentee)).post(end_url(pair), {"reason": "goals_met"})
    mentee.refresh_from_db()
    assert mentee.rematch_requested_at is None


def test_a_mentor_ending_it_queues_the_mentee_left_without_a_partner(
    pair: Mentorship, mentor: Participant, mentee: Participant
) -> None:
    page = client_for(user_of(mentor)).get(end_url(pair)).content.decode()
    assert "Find me a new mentor" not in page
    client_for(user_of(mentor)).post(end_url(pair), {"reason": "role_change"})
    mentee.refresh_from_db()
    assert mentee.rematch_requested_at is not None


def test_a_missing_reason_is_a_form_error_and_nothing_changes(
    pair: Mentorship, mentee: Participant
) -> None:
    response = client_for(user_of(mentee)).post(end_url(pair), {"reason": "blame"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    pair.refresh_from_db()
    assert pair.is_active


def test_ending_twice_says_it_already_ended(pair: Mentorship, mentee: Participant) -> None:
    client = client_for(user_of(mentee))
    client.post(end_url(pair), {"reason": "fit"})
    response = client.get(end_url(pair))
    assert "This mentorship has already ended." in response.content.decode()


def test_coordinator_sees_closure_reasons_and_the_rematch_queue(
    program: Program, pair: Mentorship, mentee: Participant, coordinator: User
) -> None:
    client_for(user_of(mentee)).post(end_url(pair), {"reason": "schedules", "rematch": "on"})
    overview = client_for(coordinator).get(reverse("programs:program_overview", args=[program.pk]))
    html = overview.content.decode()
    assert "Closures" in html
    assert "Our schedules don&#x27;t fit" in html or "Our schedules don't fit" in html
    assert "1 mentee waits for a new match." in html
    participants = client_for(coordinator).get(
        reverse("programs:participant_list", args=[program.pk])
    )
    assert "Waiting for a new match" in participants.content.decode()


def test_participants_see_their_partner_and_the_end_link(
    program: Program, pair: Mentorship, mentee: Participant
) -> None:
    html = (
        client_for(user_of(mentee))
        .get(reverse("programs:program_overview", args=[program.pk]))
        .content.decode()
    )
    assert "Your mentor: Max Mentor" in html
    assert end_url(pair) in html
    assert "Closures" not in html


def test_a_colleague_sees_no_end_link(program: Program, pair: Mentorship) -> None:
    user = user_create(full_name="Cleo Colleague")
    participant_create(program=program, user=user, role=Participant.Role.MENTEE)
    html = (
        client_for(user)
        .get(reverse("programs:program_overview", args=[program.pk]))
        .content.decode()
    )
    assert end_url(pair) not in html
