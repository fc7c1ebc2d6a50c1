"""One-time links: each misuse gets a clear page and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from programs.models import Participant
from surveys import services
from surveys.models import Answer, Invitation, Response, Survey
from tests.factories.surveys import answers_for, survey_open

pytestmark = pytest.mark.django_db


def _url(invitation: Invitation) -> str:
    return reverse(
        "surveys:survey_answer",
        args=[invitation.survey_id, services.invitation_token(invitation)],
    )


def _form(survey: Survey, role: str) -> dict[str, object]:
    return {f"q{pk}": value for pk, value in answers_for(survey, role, text="Fine").items()}


@pytest.fixture
def survey(program, coordinator, crowd) -> Survey:
    return survey_open(program, coordinator)


@pytest.fixture
def invitation(survey: Survey, crowd) -> Invitation:
    return Invitation.objects.get(survey=survey, participant=crowd["mentee"][0])


def test_a_link_opens_the_survey_without_signing_in(client, invitation: Invitation) -> None:
    response = client.get(_url(invitation))
    assert response.status_code == 200
    assert invitation.survey.title in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"


def test_answering_stores_one_response_and_shows_thanks(
    client, invitation: Invitation, survey: Survey
) -> None:
    response = client.post(_url(invitation), _form(survey, "mentee"))
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:survey_thanks", args=[survey.pk])
    assert "Thank you for your answers" in client.get(response["Location"]).content.decode()
    assert Response.objects.filter(survey=survey).count() == 1
    invitation.refresh_from_db()
    assert invitation.is_answered
    assert invitation.nonce == ""


def test_reusing_a_link_shows_already_answered_and_writes_nothing(
    client, invitation: Invitation, survey: Survey
) -> None:
    url = _url(invitation)
    assert client.post(url, _form(survey, "mentee")).status_code == 302
    answers = Answer.objects.count()
    for again in (client.get(url), client.post(url, _form(survey, "mentee"))):
        assert again.status_code == 409
        assert "This link has been used" in again.content.decode()
    assert Response.objects.filter(survey=survey).count() == 1
    assert Answer.objects.count() == answers


def test_a_double_submit_stores_one_response(invitation: Invitation, survey: Survey) -> None:
    answers = answers_for(survey, "mentee")
    services.response_submit(invitation=invitation, answers=answers)
    with pytest.raises(services.AlreadyAnswered):
        services.response_submit(invitation=invitation, answers=answers)
    assert Response.objects.filter(survey=survey).count() == 1


def test_the_database_refuses_a_second_response_with_the_same_receipt(survey: Survey) -> None:
    Response.objects.create(
        survey=survey, role="mentee", receipt="abc", week_on=dt.date(2026, 11, 2)
    )
    with pytest.raises(IntegrityError):
        Response.objects.create(
            survey=survey, role="mentee", receipt="abc", week_on=dt.date(2026, 11, 2)
        )


def test_a_tampered_link_shows_not_recognised_and_writes_nothing(
    client, invitation: Invitation, survey: Survey
) -> None:
    token = services.invitation_token(invitation)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    url = reverse("surveys:survey_answer", args=[survey.pk, tampered])
    for response in (client.get(url), client.post(url, _form(survey, "mentee"))):
        assert response.status_code == 404
        assert "This survey link doesn't work" in response.content.decode()
    forged = signing.dumps([survey.pk, invitation.pk, "guessed"], salt="another-salt")
    assert client.get(reverse("surveys:survey_answer", args=[survey.pk, forged])).status_code == 404
    assert not Response.objects.exists()


def test_a_link_for_another_survey_does_not_open_this_one(
    client, program, coordinator, invitation: Invitation, survey: Survey
) -> None:
    other = survey_open(program, coordinator, starter="checkin_pulse")
    url = reverse("surveys:survey_answer", args=[other.pk, services.invitation_token(invitation)])
    for response in (client.get(url), client.post(url, _form(other, "mentee"))):
        assert response.status_code == 404
    assert not Response.objects.exists()


def test_another_persons_link_is_refused_to_someone_signed_in(
    client, invitation: Invitation, survey: Survey, crowd
) -> None:
    client.force_login(crowd["mentee"][1].user)
    url = _url(invitation)
    for response in (client.get(url), client.post(url, _form(survey, "mentee"))):
        assert response.status_code == 403
        assert "This link was sent to someone else" in response.content.decode()
    assert not Response.objects.exists()
    client.force_login(invitation.participant.user)
    assert client.get(url).status_code == 200


def test_an_expired_link_shows_the_closed_page_and_writes_nothing(
    client, invitation: Invitation, survey: Survey, time_machine
) -> None:
    url = _url(invitation)
    assert survey.closes_at is not None
    time_machine.move_to(survey.closes_at + dt.timedelta(minutes=1))
    for response in (client.get(url), client.post(url, _form(survey, "mentee"))):
        assert response.status_code == 410
        assert "This survey has closed" in response.content.decode()
    assert not Response.objects.exists()


def test_a_survey_closed_by_its_coordinator_shows_the_closed_page(
    client, invitation: Invitation, survey: Survey, coordinator
) -> None:
    services.survey_close(survey=survey, by=coordinator)
    assert client.get(_url(invitation)).status_code == 410


def test_missing_required_answers_are_marked_and_nothing_is_stored(
    client, invitation: Invitation, survey: Survey
) -> None:
    response = client.post(_url(invitation), {})
    assert response.status_code == 400
    assert "Some answers need your attention" in response.content.decode()
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert not invitation.is_answered


def test_an_answer_outside_the_scale_is_refused(
    client, invitation: Invitation, survey: Survey
) -> None:
    form = _form(survey, "mentee")
    rating = survey.questions.get(kind="rating")
    form[f"q{rating.pk}"] = "9"
    assert client.post(_url(invitation), form).status_code == 400
    assert not Response.objects.exists()


def test_an_anonymous_response_keeps_nothing_that_leads_back_to_its_author(
    invitation: Invitation, survey: Survey
) -> None:
    moment = timezone.now()
    response = services.response_submit(
        invitation=invitation, answers=answers_for(survey, "mentee"), now=moment
    )
    response.refresh_from_db()
    assert response.participant_id is None
    assert response.submitted_at is None
    assert response.week_on.weekday() == 0
    assert not response.receipt.startswith("invitation:")
    assert len(response.receipt) == 64  # random, held nowhere else
    invitation.refresh_from_db()
    # The invitation knows only the week, not the moment.
    assert invitation.answered_at is not None
    assert invitation.answered_at.date() == response.week_on
    assert invitation.answered_at.time() == dt.time()


def test_an_identified_response_names_its_author(program, coordinator, crowd) -> None:
    survey = survey_open(program, coordinator, anonymous=False)
    invitation = Invitation.objects.get(survey=survey, participant=crowd["mentor"][0])
    response = services.response_submit(
        invitation=invitation, answers=answers_for(survey, "mentor")
    )
    assert response.participant_id == crowd["mentor"][0].pk
    assert response.submitted_at is not None


def test_a_withdrawn_person_can_no_longer_answer(client, invitation: Invitation) -> None:
    Participant.objects.filter(pk=invitation.participant_id).update(
        status=Participant.Status.WITHDRAWN
    )
    assert client.get(_url(invitation)).status_code == 410


def test_the_thanks_page_is_for_who_just_answered_through_the_link(
    client, program, coordinator, crowd
) -> None:
    survey = survey_open(program, coordinator, audience="mentees")
    thanks = reverse("surveys:survey_thanks", args=[survey.pk])
    # Anyone else, with or without a session, learns nothing about the survey.
    response = client.get(thanks)
    assert response.status_code == 404
    assert survey.title not in response.content.decode()

    invitation = Invitation.objects.get(survey=survey, participant=crowd["mentee"][0])
    url = reverse("surveys:survey_answer", args=[survey.pk, services.invitation_token(invitation)])
    form = {f"q{pk}": value for pk, value in answers_for(survey, "mentee", text="Fine").items()}
    answered = client.post(url, form)
    assert answered["Location"] == thanks
    page = client.get(thanks)
    assert page.status_code == 200
    assert survey.title in page.content.decode()
    # Another browser (a new session) does not see it.
    client.cookies.clear()
    assert client.get(thanks).status_code == 404
