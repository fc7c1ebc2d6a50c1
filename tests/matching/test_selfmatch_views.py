"""Self-match pages: who may open each, what they show and what posting does."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from matching import selfmatch
from matching.models import MatchRequest, MatchSettings
from mentoring.models import User
from pairs.models import Mentorship
from programs.models import Participant, Program
from tests.matching.conftest import person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def user_of(participant: Participant) -> User:
    assert participant.user is not None
    return participant.user


@pytest.fixture
def pending(seeker: Participant, mentors: list[Participant]) -> MatchRequest:
    outcome = selfmatch.match_request_create(
        mentee=seeker, mentor_ids=[mentors[0].pk, mentors[1].pk], message="Keen to learn"
    )
    assert outcome.pending is not None
    return outcome.pending


# -- access -------------------------------------------------------------------------

MENTEE_PAGES = ("matching:selfmatch_find", "matching:selfmatch_mine")


@pytest.mark.parametrize("name", MENTEE_PAGES)
def test_mentee_pages_open_for_the_mentee_only(
    name: str,
    selfmatch_program: Program,
    seeker: Participant,
    mentors: list[Participant],
    coordinator: User,
    outsider: User,
    hr: User,
    other_program: Program,
) -> None:
    url = reverse(name, args=[selfmatch_program.pk])
    assert client_for(user_of(seeker)).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(user_of(mentors[0])).get(url).status_code == 403
    assert client_for(coordinator).get(url).status_code == 403
    assert client_for(hr).get(url).status_code == 403
    # Someone from another program is an outsider here.
    stranger = person(other_program, Participant.Role.MENTEE, "Stranger")
    assert client_for(user_of(stranger)).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302


def test_requests_to_you_opens_for_mentors_only(
    selfmatch_program: Program,
    seeker: Participant,
    mentors: list[Participant],
    coordinator: User,
    outsider: User,
) -> None:
    url = reverse("matching:selfmatch_incoming", args=[selfmatch_program.pk])
    assert client_for(user_of(mentors[0])).get(url).status_code == 200
    assert client_for(user_of(seeker)).get(url).status_code == 403
    assert client_for(coordinator).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404


def test_only_the_requested_mentor_may_answer(
    selfmatch_program: Program,
    seeker: Participant,
    mentors: list[Participant],
    pending: MatchRequest,
    outsider: User,
    other_program: Program,
) -> None:
    url = reverse("matching:selfmatch_answer", args=[selfmatch_program.pk, pending.pk])
    data = {"answer": "accept"}
    assert client_for(outsider).post(url, data).status_code == 404
    assert client_for(user_of(mentors[1])).post(url, data).status_code == 403
    assert client_for(user_of(seeker)).post(url, data).status_code == 403
    # The request's id under another program's address is not found.
    other_url = reverse("matching:selfmatch_answer", args=[other_program.pk, pending.pk])
    assert client_for(user_of(mentors[0])).post(other_url, data).status_code == 404
    assert not Mentorship.objects.exists()


def test_only_the_mentee_may_withdraw(
    selfmatch_program: Program,
    seeker: Participant,
    mentors: list[Participant],
    pending: MatchRequest,
    outsider: User,
) -> None:
    url = reverse("matching:selfmatch_withdraw", args=[selfmatch_program.pk, pending.pk])
    assert client_for(outsider).post(url).status_code == 404
    assert client_for(user_of(mentors[0])).post(url).status_code == 403
    response = client_for(user_of(seeker)).post(url)
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == MatchRequest.State.WITHDRAWN


def test_settings_page_is_the_coordinators(
    selfmatch_program: Program, seeker: Participant, coordinator: User, outsider: User, hr: User
) -> None:
    url = reverse("matching:selfmatch_settings", args=[selfmatch_program.pk])
    assert client_for(coordinator).get(url).status_code == 200
    assert client_for(user_of(seeker)).get(url).status_code == 403
    assert client_for(hr).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404


# -- behaviour ------------------------------------------------------------------------


def test_find_page_lists_mentors_best_first_with_reasons(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant]
) -> None:
    response = client_for(user_of(seeker)).get(
        reverse("matching:selfmatch_find", args=[selfmatch_program.pk])
    )
    html = response.content.decode()
    positions = [html.index(f"Mentor {n}") for n in (1, 2, 3, 4)]
    assert positions == sorted(positions)
    assert "negotiation" in html
    assert "Match " in html


def test_sending_requests_in_the_chosen_order(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant]
) -> None:
    url = reverse("matching:selfmatch_find", args=[selfmatch_program.pk])
    response = client_for(user_of(seeker)).post(
        url,
        {
            "mentors": [mentors[0].pk, mentors[2].pk],
            f"rank-{mentors[2].pk}": "1",
            f"rank-{mentors[0].pk}": "2",
            "message": "Hello",
        },
    )
    assert response.status_code == 302
    assert list(
        MatchRequest.objects.filter(mentee=seeker)
        .order_by("rank")
        .values_list("mentor_id", "state")
    ) == [(mentors[2].pk, "pending"), (mentors[0].pk, "queued")]


def test_too_many_choices_is_a_form_error_not_a_write(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant]
) -> None:
    url = reverse("matching:selfmatch_find", args=[selfmatch_program.pk])
    response = client_for(user_of(seeker)).post(url, {"mentors": [m.pk for m in mentors]})
    assert response.status_code == 200
    assert "Choose at most 3 mentors." in response.content.decode()
    assert not MatchRequest.objects.exists()


def test_a_mentee_with_a_mentor_sees_no_recommendations(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant], pending
) -> None:
    selfmatch.match_request_answer(request=pending, accept=True, by=user_of(mentors[0]))
    response = client_for(user_of(seeker)).get(
        reverse("matching:selfmatch_find", args=[selfmatch_program.pk])
    )
    assert "You already have a mentor" in response.content.decode()
    assert "Ask Mentor 2" not in response.content.decode()


def test_mentor_declines_with_a_note_and_it_passes_on(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant], pending
) -> None:
    client = client_for(user_of(mentors[0]))
    page = client.get(reverse("matching:selfmatch_incoming", args=[selfmatch_program.pk]))
    assert "Sam Seeker" in page.content.decode()
    assert "Keen to learn" in page.content.decode()
    url = reverse("matching:selfmatch_answer", args=[selfmatch_program.pk, pending.pk])
    response = client.post(url, {"answer": "decline", "note": "Full this quarter"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == MatchRequest.State.DECLINED
    assert pending.decline_note == "Full this quarter"
    assert MatchRequest.objects.get(mentee=seeker, state="pending").mentor_id == mentors[1].pk


def test_coordinator_turns_self_match_on(program: Program, coordinator: User) -> None:
    url = reverse("matching:selfmatch_settings", args=[program.pk])
    response = client_for(coordinator).post(
        url,
        {"self_match": "on", "self_match_max_requests": "2", "self_match_response_days": "7"},
    )
    assert response.status_code == 302
    saved = MatchSettings.objects.get(program=program)
    assert (saved.self_match, saved.self_match_max_requests, saved.self_match_response_days) == (
        True,
        2,
        7,
    )
    bad = client_for(coordinator).post(
        url, {"self_match": "on", "self_match_max_requests": "99", "self_match_response_days": "7"}
    )
    assert bad.status_code == 200
    assert MatchSettings.objects.get(program=program).self_match_max_requests == 2


def test_home_page_links_to_find_a_mentor_and_requests(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant], pending
) -> None:
    home = client_for(user_of(seeker)).get(reverse("home")).content.decode()
    assert reverse("matching:selfmatch_find", args=[selfmatch_program.pk]) in home
    mentor_home = client_for(user_of(mentors[0])).get(reverse("home")).content.decode()
    assert reverse("matching:selfmatch_incoming", args=[selfmatch_program.pk]) in mentor_home
    assert "1 mentee is waiting for your answer." in mentor_home


def test_find_page_query_count_does_not_grow_with_mentors(
    selfmatch_program: Program,
    seeker: Participant,
    mentors: list[Participant],
    django_assert_max_num_queries,
) -> None:
    client = client_for(user_of(seeker))
    url = reverse("matching:selfmatch_find", args=[selfmatch_program.pk])
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for n in range(30):
        person(selfmatch_program, Participant.Role.MENTOR, f"Extra {n}", skills=["python"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    html = response.content.decode()
    assert html.count('name="mentors"') == selfmatch.RECOMMENDED_LIMIT
    assert "Extra 0" in html


def test_the_note_to_mentors_is_marked_optional_once(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant]
) -> None:
    url = reverse("matching:selfmatch_find", args=[selfmatch_program.pk])
    text = client_for(user_of(seeker)).get(url).content.decode()
    assert "A note to your mentor" in text
    assert "(optional) (optional)" not in text
    assert "(optional)</span> <span" not in text
    assert text.count("(optional)") == 1


def test_without_criteria_mentors_show_no_score_and_the_page_says_why(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant]
) -> None:
    from matching.models import MatchCriterion

    MatchCriterion.objects.filter(program=selfmatch_program).delete()
    url = reverse("matching:selfmatch_find", args=[selfmatch_program.pk])
    text = client_for(user_of(seeker)).get(url).content.decode()
    assert "Mentor 1" in text
    assert "/100" not in text
    assert "Why you might suit each other" not in text
    assert '<ul class="reasons" role="list">' not in text
    assert "This program has no matching criteria" in text


def test_with_criteria_mentors_keep_their_score_and_reasons(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant]
) -> None:
    url = reverse("matching:selfmatch_find", args=[selfmatch_program.pk])
    text = client_for(user_of(seeker)).get(url).content.decode()
    assert "/100" in text
    assert "Why you might suit each other" in text
    assert "This program has no matching criteria" not in text
