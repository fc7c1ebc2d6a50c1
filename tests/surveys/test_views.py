"""Every survey page with the people who may use it and those who may not."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from programs.models import Participant
from surveys.models import Invitation, Question, Survey
from tests.factories.surveys import answer_all, people, survey_build, survey_open

pytestmark = pytest.mark.django_db

# (url name, method) of every coordinator page that takes program and survey ids.
SURVEY_PAGES = [
    ("surveys:survey_builder", "get"),
    ("surveys:survey_schedule", "get"),
    ("surveys:survey_results", "get"),
    ("surveys:survey_export", "get"),
    ("surveys:question_add", "post"),
    ("surveys:survey_publish", "post"),
    ("surveys:survey_close", "post"),
    ("surveys:survey_delete", "post"),
]
QUESTION_PAGES = [
    ("surveys:question_edit", "get"),
    ("surveys:question_delete", "post"),
    ("surveys:question_move", "post"),
]
PROGRAM_PAGES = [("surveys:survey_list", "get"), ("surveys:survey_create", "post")]


@pytest.fixture
def survey(program, coordinator) -> Survey:
    return survey_build(program, coordinator)


def _urls(program, survey: Survey) -> list[tuple[str, str]]:
    question = survey.questions.first()
    assert question is not None
    return (
        [(reverse(name, args=[program.pk]), method) for name, method in PROGRAM_PAGES]
        + [(reverse(name, args=[program.pk, survey.pk]), method) for name, method in SURVEY_PAGES]
        + [
            (reverse(name, args=[program.pk, survey.pk, question.pk]), method)
            for name, method in QUESTION_PAGES
        ]
    )


def _call(client, url: str, method: str):
    return client.get(url) if method == "get" else client.post(url, {})


def test_coordinators_open_every_survey_page(client, program, coordinator, survey) -> None:
    client.force_login(coordinator)
    for name, _method in PROGRAM_PAGES[:1] + SURVEY_PAGES[:4] + QUESTION_PAGES[:1]:
        args = [program.pk]
        if name in dict(SURVEY_PAGES):
            args.append(survey.pk)
        if name in dict(QUESTION_PAGES):
            args += [survey.pk, survey.questions.first().pk]
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name


def test_another_programs_coordinator_gets_404_everywhere(
    client, program, other_coordinator, survey
) -> None:
    client.force_login(other_coordinator)
    for url, method in _urls(program, survey):
        assert _call(client, url, method).status_code == 404, url
    assert Survey.objects.filter(pk=survey.pk).exists()


def test_an_outsider_gets_404_everywhere(client, program, outsider, survey) -> None:
    client.force_login(outsider)
    for url, method in _urls(program, survey):
        assert _call(client, url, method).status_code == 404, url


def test_participants_and_hr_get_403_everywhere(client, program, mentee, hr, survey) -> None:
    for person in (mentee.user, hr):
        client.force_login(person)
        for url, method in _urls(program, survey):
            assert _call(client, url, method).status_code == 403, (person, url)
    assert Survey.objects.get(pk=survey.pk).questions.count() == 4


def test_signed_out_visitors_are_sent_to_sign_in(client, program, survey) -> None:
    for url, method in _urls(program, survey):
        response = _call(client, url, method)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_hr_overview_is_for_hr_viewers_only(client, coordinator, mentee, hr) -> None:
    url = reverse("surveys:hr_overview")
    assert client.get(url).status_code == 302
    for person in (coordinator, mentee.user):
        client.force_login(person)
        assert client.get(url).status_code == 403
    client.force_login(hr)
    response = client.get(url)
    assert response.status_code == 200
    assert "Survey results across programs" in response.content.decode()


def test_hr_home_page_links_to_the_survey_overview(client, hr) -> None:
    client.force_login(hr)
    assert reverse("surveys:hr_overview") in client.get(reverse("home")).content.decode()


def test_the_program_overview_links_coordinators_to_surveys(client, program, coordinator) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("programs:program_overview", args=[program.pk]))
    assert reverse("surveys:survey_list", args=[program.pk]) in page.content.decode()


def test_a_coordinator_starts_from_a_template(client, program, coordinator) -> None:
    client.force_login(coordinator)
    response = client.post(
        reverse("surveys:survey_create", args=[program.pk]), {"starter": "match_30_days"}
    )
    survey = Survey.objects.get(program=program)
    assert response["Location"] == reverse("surveys:survey_builder", args=[program.pk, survey.pk])
    assert survey.title == "30-day match satisfaction"
    assert survey.trigger == Survey.Trigger.MATCH_STARTED
    assert survey.questions.count() == 3


def test_opening_the_new_survey_address_leads_to_the_form_on_the_survey_list(
    client, program, coordinator, outsider
) -> None:
    url = reverse("surveys:survey_create", args=[program.pk])
    client.force_login(coordinator)
    response = client.get(url, follow=True)
    listing = reverse("surveys:survey_list", args=[program.pk])
    assert response.redirect_chain == [(f"{listing}#new-title", 302)]
    text = response.content.decode()
    assert "Choose a starting point under “New survey” and create the draft." in text
    assert not Survey.objects.exists()
    # Still nobody else's: an outsider learns nothing about the program.
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_a_blank_survey_needs_a_title(client, program, coordinator) -> None:
    client.force_login(coordinator)
    response = client.post(reverse("surveys:survey_create", args=[program.pk]), {"starter": ""})
    assert response.status_code == 400
    assert "Give a blank survey a title" in response.content.decode()
    assert not Survey.objects.exists()


def test_adding_a_choice_question_without_choices_shows_the_error(
    client, program, coordinator, survey
) -> None:
    client.force_login(coordinator)
    url = reverse("surveys:question_add", args=[program.pk, survey.pk])
    response = client.post(
        url, {"text": "Pick one", "kind": "single_choice", "audience": "both", "choices": "Only"}
    )
    assert response.status_code == 400
    assert "Give between 2 and 20 different choices" in response.content.decode()
    assert survey.questions.count() == 4
    response = client.post(
        url,
        {"text": "Pick one", "kind": "multi_choice", "audience": "mentees", "choices": "A\nB"},
    )
    assert response.status_code == 302
    added = survey.questions.order_by("position").last()
    assert added is not None
    assert added.choices == ["A", "B"]
    assert added.audience == "mentees"


def test_questions_move_with_htmx_or_a_plain_form(client, program, coordinator, survey) -> None:
    client.force_login(coordinator)
    first, second = list(survey.questions.order_by("position"))[:2]
    url = reverse("surveys:question_move", args=[program.pk, survey.pk, second.pk])
    response = client.post(url, {"direction": "up"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="question-list"' in response.content.decode()
    assert "<html" not in response.content.decode()
    assert list(survey.questions.order_by("position"))[:2] == [second, first]
    response = client.post(url, {"direction": "down"})
    assert response.status_code == 302
    assert list(survey.questions.order_by("position"))[:2] == [first, second]


def test_the_schedule_form_refuses_a_past_closing_date(
    client, program, coordinator, survey
) -> None:
    client.force_login(coordinator)
    url = reverse("surveys:survey_schedule", args=[program.pk, survey.pk])
    data = {
        "trigger": "program_start",
        "offset_days": "10",
        "checkin_every": "3",
        "reminder_count": "2",
        "reminder_days": "4",
        "closes_on": "2020-01-01",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Choose a date in the future" in response.content.decode()
    data["closes_on"] = "2099-06-30"
    assert client.post(url, data).status_code == 302
    survey.refresh_from_db()
    assert survey.trigger == "program_start"
    assert survey.offset_days == 10
    assert survey.reminder_days == 4
    assert survey.closes_at is not None
    assert survey.closes_at.year == 2099


def test_publishing_from_the_builder_invites_people(
    client, program, coordinator, survey, crowd, eager_celery, django_capture_on_commit_callbacks
) -> None:
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("surveys:survey_publish", args=[program.pk, survey.pk]))
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.state == Survey.State.OPEN
    assert Invitation.objects.filter(survey=survey).count() == 13


def test_the_results_page_costs_the_same_queries_for_more_answers(
    client, program, coordinator, django_assert_max_num_queries
) -> None:
    survey = survey_open(program, coordinator)
    people(program, Participant.Role.MENTEE, 6)
    client.force_login(coordinator)
    url = reverse("surveys:survey_results", args=[program.pk, survey.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    big = survey_open(program, coordinator)
    people(program, Participant.Role.MENTOR, 20)
    from surveys import sweeps

    sweeps.surveys_sweep()
    answer_all(big, list(Invitation.objects.filter(survey=big)), text="More")
    url = reverse("surveys:survey_results", args=[program.pk, big.pk])
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    assert "More" in response.content.decode()


def test_the_survey_list_costs_the_same_queries_for_more_surveys(
    client, program, coordinator, django_assert_max_num_queries
) -> None:
    client.force_login(coordinator)
    url = reverse("surveys:survey_list", args=[program.pk])
    survey_build(program, coordinator)
    with django_assert_max_num_queries(10):
        client.get(url)
    for _ in range(5):
        survey_build(program, coordinator)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


def test_a_rating_question_can_be_edited_while_a_draft(
    client, program, coordinator, survey
) -> None:
    client.force_login(coordinator)
    question = survey.questions.get(kind=Question.Kind.RATING)
    url = reverse("surveys:question_edit", args=[program.pk, survey.pk, question.pk])
    response = client.post(
        url, {"text": "How satisfied are you?", "kind": "rating", "audience": "both"}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "How satisfied are you?"
    assert question.is_required is False


def test_hr_overview_shows_a_large_enough_program_with_its_average(
    client, program, coordinator, hr
) -> None:
    people(program, Participant.Role.MENTEE, 6)
    survey = survey_open(program, coordinator, audience="mentees")
    answer_all(survey, list(Invitation.objects.filter(survey=survey)), rating=3)
    client.force_login(hr)
    page = client.get(reverse("surveys:hr_overview")).content.decode()
    assert program.name in page
    assert re.search(r'<td class="num">\s*6\s*</td>', page)
    assert re.search(r'<td class="num">\s*3.0\s*</td>', page)
