"""The coordinator's profile-question builder."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mentoring.audience import Audience
from mentoring.models import User
from programs.models import Participant, ProfileAnswer, ProfileQuestion, Program
from programs.profiles.completeness import program_completeness_refresh
from programs.profiles.questions import question_update
from programs.services import ProgramError

pytestmark = pytest.mark.django_db


def _list_url(program: Program) -> str:
    return reverse("programs:question_list", args=[program.pk])


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "text": "What do you most want from the program?",
        "help_text": "Pick the closest.",
        "kind": "single_choice",
        "choices": "Leadership\nCareer direction\nNetwork",
        "audience": "both",
        "is_required": "on",
        "is_matching_input": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _question(program: Program, **fields: Any) -> ProfileQuestion:
    values: dict[str, Any] = {
        "text": "Goal?",
        "kind": ProfileQuestion.Kind.SINGLE_CHOICE,
        "choices": ["Leadership", "Career", "Network"],
        "audience": Audience.BOTH,
    }
    values.update(fields)
    position = ProfileQuestion.objects.filter(program=program).count() + 1
    return ProfileQuestion.objects.create(program=program, position=position, **values)


def _order(program: Program) -> list[str]:
    return list(ProfileQuestion.objects.filter(program=program).values_list("text", flat=True))


# -- Access ----------------------------------------------------------------------------------


@pytest.fixture
def urls(program: Program) -> dict[str, str]:
    question = _question(program)
    return {
        "list": _list_url(program),
        "edit": reverse("programs:question_edit", args=[program.pk, question.pk]),
        "delete": reverse("programs:question_delete", args=[program.pk, question.pk]),
        "reorder": reverse("programs:question_reorder", args=[program.pk]),
    }


def test_coordinators_open_every_question_page(
    client: Client, coordinator: User, urls: dict[str, str]
) -> None:
    client.force_login(coordinator)
    for name in ("list", "edit", "delete"):
        assert client.get(urls[name]).status_code == 200, name
    assert client.get(urls["reorder"]).status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, urls: dict[str, str]) -> None:
    for name in ("list", "edit", "delete"):
        response = client.get(urls[name])
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert client.post(urls["reorder"]).status_code == 302


@pytest.mark.parametrize(
    ("persona", "status"),
    [("outsider", 404), ("other_coordinator", 404), ("mentee", 403), ("hr", 403)],
)
def test_people_who_do_not_coordinate_the_program_cannot_touch_its_questions(
    client: Client,
    request: pytest.FixtureRequest,
    persona: str,
    status: int,
    program: Program,
    urls: dict[str, str],
) -> None:
    person = request.getfixturevalue(persona)
    user = person.user if isinstance(person, Participant) else person
    assert isinstance(user, User)
    client.force_login(user)
    for name in ("list", "edit", "delete"):
        assert client.get(urls[name]).status_code == status, name
    assert client.post(urls["list"], _form()).status_code == status
    assert client.post(urls["edit"], _form(text="Hacked?")).status_code == status
    assert client.post(urls["delete"]).status_code == status
    question = ProfileQuestion.objects.get(program=program)
    assert (
        client.post(urls["reorder"], {"question": question.pk, "direction": "down"}).status_code
        == status
    )
    assert _order(program) == ["Goal?"]


def test_a_question_of_another_program_is_not_found(
    client: Client, coordinator: User, program: Program, other_program: Program
) -> None:
    foreign = _question(other_program)
    client.force_login(coordinator)
    url = reverse("programs:question_edit", args=[program.pk, foreign.pk])
    assert client.get(url).status_code == 404
    url = reverse("programs:question_delete", args=[program.pk, foreign.pk])
    assert client.post(url).status_code == 404
    assert ProfileQuestion.objects.filter(pk=foreign.pk).exists()


# -- The list and adding --------------------------------------------------------------------


def test_the_list_shows_questions_in_order_with_their_badges(
    client: Client, coordinator: User, program: Program, mentee: Participant
) -> None:
    first = _question(program, text="First?", is_required=True, is_matching_input=True)
    _question(program, text="Second?", kind=ProfileQuestion.Kind.TEXT, choices=[])
    ProfileAnswer.objects.create(participant=mentee, question=first, value="Career")
    client.force_login(coordinator)
    page = client.get(_list_url(program)).content.decode()
    assert page.index("First?") < page.index("Second?")
    assert "Required" in page
    assert "Used for matching" in page
    assert "Free text" in page
    assert "1 answer" in page


def test_the_list_costs_the_same_for_few_and_many_questions(
    client: Client,
    coordinator: User,
    program: Program,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(coordinator)
    for n in range(3):
        _question(program, text=f"Q{n}?")
    with django_assert_max_num_queries(12) as few:
        client.get(_list_url(program))
    for n in range(3, 40):
        _question(program, text=f"Q{n}?")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_list_url(program))
    assert "Q39?" in response.content.decode()


def test_a_coordinator_adds_questions_at_the_end(
    client: Client, coordinator: User, program: Program
) -> None:
    client.force_login(coordinator)
    response = client.post(_list_url(program), _form())
    assert response.status_code == 302
    assert response["Location"] == _list_url(program)
    question = ProfileQuestion.objects.get(program=program)
    assert question.choices == ["Leadership", "Career direction", "Network"]
    assert question.is_required
    assert question.is_matching_input
    assert question.audience == Audience.BOTH
    assert question.position == 1

    client.post(_list_url(program), _form(text="How do you like to meet?", kind="scale"))
    second = ProfileQuestion.objects.get(program=program, text="How do you like to meet?")
    assert second.position == 2
    # Choices only belong to choice questions.
    assert second.choices == []


def test_a_free_text_question_can_be_a_matching_input(
    client: Client, coordinator: User, program: Program
) -> None:
    client.force_login(coordinator)
    response = client.post(
        _list_url(program), _form(text="What do you hope to learn?", kind="text", choices="")
    )
    assert response.status_code == 302
    question = ProfileQuestion.objects.get(program=program)
    assert question.kind == ProfileQuestion.Kind.TEXT
    assert question.is_matching_input


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"choices": ""}, "choices", "between 2 and 20"),
        ({"choices": "Only one"}, "choices", "between 2 and 20"),
        ({"choices": "Yes\nyes "}, "choices", "listed twice"),
        ({"choices": "\n".join(f"Option {n}" for n in range(21))}, "choices", "between 2 and 20"),
        ({"choices": "Short\n" + "x" * 101}, "choices", "under 100"),
        ({"text": ""}, "text", "required"),
        ({"kind": "essay"}, "kind", "valid choice"),
        ({"audience": "managers"}, "audience", "valid choice"),
    ],
)
def test_invalid_questions_are_refused(
    client: Client,
    coordinator: User,
    program: Program,
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    client.force_login(coordinator)
    response = client.post(_list_url(program), _form(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in str(errors[field])
    assert not ProfileQuestion.objects.exists()


def test_a_closed_program_takes_no_new_questions(
    client: Client, coordinator: User, program: Program
) -> None:
    Program.objects.filter(pk=program.pk).update(state=Program.State.CLOSED)
    client.force_login(coordinator)
    page = client.get(_list_url(program)).content.decode()
    assert 'name="text"' not in page
    assert "Move up" not in page
    response = client.post(_list_url(program), _form())
    assert response.status_code == 200
    assert "This program is closed" in response.content.decode()
    assert not ProfileQuestion.objects.exists()


# -- Editing ----------------------------------------------------------------------------------


def _edit_url(question: ProfileQuestion) -> str:
    return reverse("programs:question_edit", args=[question.program_id, question.pk])


def test_a_coordinator_edits_an_unanswered_question_freely(
    client: Client, coordinator: User, program: Program
) -> None:
    question = _question(program)
    client.force_login(coordinator)
    page = client.get(_edit_url(question)).content.decode()
    assert "Leadership\nCareer\nNetwork" in page
    response = client.post(
        _edit_url(question), _form(text="Years of experience?", kind="scale", choices="")
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "Years of experience?"
    assert question.kind == ProfileQuestion.Kind.SCALE
    assert question.choices == []


def test_an_answered_questions_type_cannot_change(
    client: Client, coordinator: User, program: Program, mentee: Participant
) -> None:
    question = _question(program)
    ProfileAnswer.objects.create(participant=mentee, question=question, value="Career")
    client.force_login(coordinator)
    page = client.get(_edit_url(question)).content.decode()
    assert "1 person has answered this question" in page
    response = client.post(_edit_url(question), _form(kind="multi_choice"))
    assert response.status_code == 200
    assert "its type cannot change" in response.content.decode()
    question.refresh_from_db()
    assert question.kind == ProfileQuestion.Kind.SINGLE_CHOICE
    assert ProfileAnswer.objects.filter(question=question).count() == 1


def test_a_picked_choice_cannot_be_removed_but_others_can_change(
    client: Client, coordinator: User, program: Program, mentee: Participant, mentor: Participant
) -> None:
    question = _question(program, kind=ProfileQuestion.Kind.MULTI_CHOICE)
    ProfileAnswer.objects.create(participant=mentee, question=question, value=["Career"])
    ProfileAnswer.objects.create(participant=mentor, question=question, value=["Leadership"])
    client.force_login(coordinator)
    response = client.post(
        _edit_url(question), _form(kind="multi_choice", choices="Leadership\nCareers\nNetwork")
    )
    assert response.status_code == 200
    assert "“Career”" in response.content.decode()
    question.refresh_from_db()
    assert question.choices == ["Leadership", "Career", "Network"]

    # Dropping an unpicked choice, adding one and rewording the question are fine.
    response = client.post(
        _edit_url(question),
        _form(text="Topics?", kind="multi_choice", choices="Career\nLeadership\nMentoring"),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "Topics?"
    assert question.choices == ["Career", "Leadership", "Mentoring"]
    assert ProfileAnswer.objects.filter(question=question).count() == 2


def test_the_audience_cannot_drop_people_who_answered(
    program: Program, coordinator: User, mentee: Participant
) -> None:
    question = _question(program)
    ProfileAnswer.objects.create(participant=mentee, question=question, value="Career")
    with pytest.raises(ProgramError, match="mentees have answered"):
        question_update(
            question=question,
            by=coordinator,
            text=question.text,
            kind=question.kind,
            choices=question.choices,
            audience=Audience.MENTORS,
        )
    question_update(
        question=question,
        by=coordinator,
        text=question.text,
        kind=question.kind,
        choices=question.choices,
        audience=Audience.MENTEES,
    )
    question.refresh_from_db()
    assert question.audience == Audience.MENTEES


def test_making_a_question_required_clears_completeness(
    client: Client, coordinator: User, program: Program, mentee: Participant
) -> None:
    assert mentee.user is not None
    from programs.models import Profile

    Profile.objects.create(
        user=mentee.user, job_title="Analyst", department="Finance", seniority=2, interests=["X"]
    )
    question = _question(program, is_required=False)
    program_completeness_refresh(program=program)
    mentee.refresh_from_db()
    assert mentee.profile_completed_at is not None
    client.force_login(coordinator)
    client.post(_edit_url(question), _form(choices="Leadership\nCareer\nNetwork"))
    mentee.refresh_from_db()
    assert mentee.profile_completed_at is None


# -- Ordering ---------------------------------------------------------------------------------


def test_moving_questions_up_and_down_without_javascript(
    client: Client, coordinator: User, program: Program
) -> None:
    a, b, c = (_question(program, text=text) for text in ("A?", "B?", "C?"))
    client.force_login(coordinator)
    url = reverse("programs:question_reorder", args=[program.pk])
    response = client.post(url, {"question": c.pk, "direction": "up"})
    assert response.status_code == 302
    assert response["Location"] == _list_url(program)
    assert _order(program) == ["A?", "C?", "B?"]
    client.post(url, {"question": a.pk, "direction": "down"})
    assert _order(program) == ["C?", "A?", "B?"]
    # Already at the top: nothing moves.
    client.post(url, {"question": c.pk, "direction": "up"})
    assert _order(program) == ["C?", "A?", "B?"]
    assert b.pk


def test_htmx_reorder_returns_the_list_partial_with_a_message(
    client: Client, coordinator: User, program: Program
) -> None:
    _question(program, text="A?")
    b = _question(program, text="B?")
    client.force_login(coordinator)
    url = reverse("programs:question_reorder", args=[program.pk])
    response = client.post(url, {"question": b.pk, "direction": "up"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert 'id="question-list"' in page
    assert page.index("B?") < page.index("A?")
    assert 'hx-swap-oob="innerHTML"' in page
    assert "Moved “B?” up." in page


def test_a_full_new_order_is_applied_and_a_stale_one_refused(
    client: Client, coordinator: User, program: Program
) -> None:
    a, b, c = (_question(program, text=text) for text in ("A?", "B?", "C?"))
    client.force_login(coordinator)
    url = reverse("programs:question_reorder", args=[program.pk])
    client.post(url, {"order": [c.pk, a.pk, b.pk]})
    assert _order(program) == ["C?", "A?", "B?"]
    response = client.post(url, {"order": [a.pk, b.pk]}, follow=True)
    assert "reload and try again" in response.content.decode()
    assert _order(program) == ["C?", "A?", "B?"]
    response = client.post(url, {"question": "x", "direction": "up"})
    assert response.status_code == 404


# -- Deleting ---------------------------------------------------------------------------------


def test_deleting_asks_first_then_removes_the_question_and_its_answers(
    client: Client, coordinator: User, program: Program, mentee: Participant
) -> None:
    question = _question(program)
    ProfileAnswer.objects.create(participant=mentee, question=question, value="Career")
    client.force_login(coordinator)
    url = reverse("programs:question_delete", args=[program.pk, question.pk])
    page = client.get(url).content.decode()
    assert "1 person has answered it" in page
    assert ProfileQuestion.objects.filter(pk=question.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == _list_url(program)
    assert not ProfileQuestion.objects.filter(pk=question.pk).exists()
    assert not ProfileAnswer.objects.exists()
