"""The survey endpoints: the results page's figures as data, suppressed the same way;
HR's cross-program overview; never a small group, never an anonymous answer early."""

from __future__ import annotations

import pytest

from mentoring.models import User
from programs.models import Participant, Program
from surveys import results, services
from surveys.hr import hr_overview
from surveys.models import Invitation, Question, Survey
from tests.factories.surveys import answer_all, answers_for, people, survey_build, survey_open

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def _invitations(survey: Survey, role: str | None = None) -> list[Invitation]:
    found = Invitation.objects.filter(survey=survey).order_by("pk")
    return list(found.filter(role=role) if role else found)


@pytest.fixture
def survey(program: Program, coordinator: User) -> Survey:
    """Six mentees and two mentors invited; every mentee answered, one mentor did."""
    people(program, Participant.Role.MENTEE, 6)
    people(program, Participant.Role.MENTOR, 2)
    survey = survey_open(program, coordinator)
    answer_all(survey, _invitations(survey, "mentee"), rating=4, text="Clear goals")
    answer_all(survey, _invitations(survey, "mentor")[:1], rating=2, text="Too few meetings")
    return survey


def _by_kind(body: dict, kind: str) -> dict:
    (question,) = [q for q in body["questions"] if q["kind"] == kind]
    return question


def test_results_are_the_pages_figures_with_small_groups_hidden(
    api_as, coordinator, program, survey
):
    response = api_as(coordinator).get(f"/programs/{program.pk}/surveys/{survey.pk}/results")
    assert response.status_code == 200, response.json()
    body = response.json()
    page = results.survey_results(survey=survey)
    assert body["minimum_group_size"] == page.minimum == 5
    assert body["invited"] == 8
    # Seven answered; the one mentor is a group of one, so the split by role is hidden
    # (and the mentee count with it, or subtraction would give the mentor back).
    assert body["answered"] == page.answered == 7
    assert {r["role"]: r["answered"] for r in body["roles"]} == {"mentor": None, "mentee": None}
    assert {r["role"]: r["invited"] for r in body["roles"]} == {"mentor": 2, "mentee": 6}
    rating = _by_kind(body, "rating")
    assert rating["answered"] == 7
    # With hidden 2s and 4s, an average of 3.7 beside 7 answers would give them back
    # (2a + 4b = 26, a + b = 7): hidden too (issue 15).
    assert rating["average"] is None
    options = {o["label"]: o["count"] for o in rating["options"]}
    # The mentor's lone "2" would single them out, and with a shown total of 7 the
    # six 4s would give it back: both are hidden; nobody chose 1, 3 or 5.
    assert options == {"1": 0, "2": None, "3": 0, "4": None, "5": 0}
    roles = {r["role"]: r for r in rating["roles"]}
    assert roles["mentor"]["answered"] is None
    assert roles["mentor"]["average"] is None
    page_rating = next(q for q in page.questions if q.question.kind == Question.Kind.RATING)
    assert [o["count"] for o in rating["options"]] == [b.count for b in page_rating.bars]
    # Anonymous free text: seven answers, so shown, without names.
    text = _by_kind(body, "text")
    assert text["texts_withheld"] is False
    assert sorted(t["text"] for t in text["texts"]) == ["Clear goals"] * 6 + ["Too few meetings"]
    assert {t["name"] for t in text["texts"]} == {None}


def test_role_filter_shows_rows_of_the_same_suppressed_table(api_as, coordinator, program, survey):
    api = api_as(coordinator)
    body = api.get(f"/programs/{program.pk}/surveys/{survey.pk}/results", role="mentor").json()
    assert body["role"] == "mentor"
    assert [r["role"] for r in body["roles"]] == ["mentor"]
    assert [r["role"] for r in _by_kind(body, "rating")["roles"]] == ["mentor"]
    assert _by_kind(body, "rating")["roles"][0]["answered"] is None
    bad = api.get(f"/programs/{program.pk}/surveys/{survey.pk}/results", role="boss")
    assert bad.status_code == 422


def test_anonymous_free_text_waits_for_the_minimum(api_as, coordinator, program):
    people(program, Participant.Role.MENTEE, 6)
    survey = survey_open(program, coordinator, audience="mentees")
    invitations = _invitations(survey)
    answer_all(survey, invitations[:4], text="Early words")
    api = api_as(coordinator)
    url = f"/programs/{program.pk}/surveys/{survey.pk}/results"
    early = api.get(url)
    text = _by_kind(early.json(), "text")
    assert (text["texts_withheld"], text["texts"], text["answered"]) == (True, [], None)
    assert "Early words" not in early.content.decode()
    assert early.json()["answered"] is None
    answer_all(survey, invitations[4:5], text="Early words")
    text = _by_kind(api.get(url).json(), "text")
    assert text["texts_withheld"] is False
    assert [t["text"] for t in text["texts"]] == ["Early words"] * 5


def test_identified_answers_carry_names_for_the_programs_coordinator(api_as, coordinator, program):
    (named,) = people(program, Participant.Role.MENTEE, 1, prefix="Named")
    survey = survey_open(program, coordinator, audience="mentees", anonymous=False)
    (invitation,) = _invitations(survey)
    services.response_submit(
        invitation=invitation, answers=answers_for(survey, "mentee", text="Signed feedback")
    )
    body = api_as(coordinator).get(f"/programs/{program.pk}/surveys/{survey.pk}/results").json()
    text = _by_kind(body, "text")
    assert text["texts"] == [{"text": "Signed feedback", "name": named.full_name}]
    # One person: the counts stay hidden even though the coordinator sees the answer.
    assert body["answered"] is None
    assert body["survey"]["is_anonymous"] is False


def test_hr_reads_the_overview_but_no_programs_results(api_as, hr, coordinator, program, survey):
    api = api_as(hr)
    assert api.get(f"/programs/{program.pk}/surveys/{survey.pk}/results").status_code == 403
    assert api.get(f"/programs/{program.pk}/surveys").status_code == 403
    overview = api.get("/surveys/overview")
    assert overview.status_code == 200, overview.json()
    body = overview.json()
    page = hr_overview(programs=[program])
    (row,) = body["programs"]
    assert row["program_id"] == program.pk
    assert row["total"] == page.rows[0].total == 7
    assert row["responses"] == list(page.rows[0].cells) == [None, None]
    assert row["average_rating"] == page.rows[0].average
    assert "Clear goals" not in overview.content.decode()
    assert api_as(coordinator).get("/surveys/overview").status_code == 403


def test_surveys_are_listed_newest_first_and_filtered(api_as, coordinator, program, survey):
    draft = survey_build(program, coordinator)
    api = api_as(coordinator)
    listed = api.get(f"/programs/{program.pk}/surveys").json()
    assert [s["id"] for s in listed["items"]] == [draft.pk, survey.pk]
    assert listed["items"][1]["invited"] == 8
    assert listed["items"][1]["question_count"] == survey.questions.count()
    assert [
        s["id"] for s in api.get(f"/programs/{program.pk}/surveys", state="open").json()["items"]
    ] == [survey.pk]


def test_results_cost_the_same_queries_for_more_answers(
    api_as, coordinator, program, django_assert_max_num_queries
):
    people(program, Participant.Role.MENTEE, 30)
    survey = survey_open(program, coordinator, audience="mentees")
    invitations = _invitations(survey)
    answer_all(survey, invitations[:5], text="Fine")
    api = api_as(coordinator)
    url = f"/programs/{program.pk}/surveys/{survey.pk}/results"
    with django_assert_max_num_queries(20) as few:
        api.get(url)
    baseline = len(few.captured_queries)
    answer_all(survey, invitations[5:], text="Fine")
    with django_assert_max_num_queries(baseline):
        assert api.get(url).json()["answered"] == 30


def test_a_survey_of_another_program_is_not_found(
    api_as, coordinator, program, other_program, other_coordinator
):
    theirs = survey_build(other_program, other_coordinator)
    response = api_as(coordinator).get(f"/programs/{program.pk}/surveys/{theirs.pk}/results")
    assert response.status_code == 404
