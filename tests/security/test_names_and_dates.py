"""Names that could spoof the text around them, and dates outside 1900-2100, are refused
with a field error wherever a person types them: forms, pasted lists, imports, the API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from events.forms import EventForm
from mentoring.forms import SignupForm
from mentoring.models import User
from mentoring.validators import name_problem
from programs import imports
from programs.forms import GoalForm, ProgramForm, parse_pasted_people
from programs.models import Participant, Program
from programs.profiles.forms import ProfileForm
from tests.factories.programs import program_create
from tests.integrations.conftest import token_for

pytestmark = pytest.mark.django_db

SPOOFS = [
    "Ada\u202eecalevol",  # right-to-left override
    "\u2067Ada\u2069",  # isolates
    "Ada\u200f",  # right-to-left mark
    "Ada\u200bLovelace",  # zero-width space
    "Ada\x07",  # bell
    "\u200d\u200c ",  # nothing visible
]
FINE = ["Ada Lovelace", "José Ñúñez", "عائشة", "מרים", "مهرداد\u200cی", "李小龙", "O'Brien-Smith"]
BAD_DAYS = ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"]


@pytest.mark.parametrize("name", SPOOFS)
def test_a_spoofing_name_is_refused(name: str) -> None:
    assert name_problem(name)


@pytest.mark.parametrize("name", FINE)
def test_names_in_any_script_are_welcome(name: str) -> None:
    assert name_problem(name) == ""


@pytest.mark.parametrize("name", SPOOFS[:3])
def test_profile_and_signup_forms_refuse_it_on_the_field(name: str) -> None:
    profile = ProfileForm(data={"full_name": "Ada", "preferred_name": name}, user=User())
    assert not profile.is_valid()
    assert "preferred_name" in profile.errors
    signup = SignupForm(data={"full_name": name})
    assert not signup.is_valid()
    assert "full_name" in signup.errors


def test_the_profile_page_refuses_it_and_keeps_the_old_name(client: Client, user: User) -> None:
    client.force_login(user)
    url = reverse("programs:profile_edit")
    response = client.post(url, {"full_name": "\u202eecalevol adA", "time_zone": "UTC"})
    assert response.status_code == 200
    assert "text-direction control character" in response.content.decode()
    user.refresh_from_db()
    assert user.full_name == "Ada Lovelace"


def test_a_pasted_list_names_the_line_with_the_bad_name() -> None:
    people, problems = parse_pasted_people(
        "Grace Hopper <grace@example.org>\n\u202eada <ada@example.org>"
    )
    assert [p.email for p in people] == ["grace@example.org"]
    assert len(problems) == 1
    assert problems[0].startswith("Line 2")


def test_an_import_row_with_a_bad_name_is_a_problem_of_that_row() -> None:
    parsed = imports.csv_parse("email,name,role\nada@example.org,\u202eAda,mentee\n")
    result = imports.rows_check(parsed, enrolled={})
    assert [(p["row"], p["column"]) for p in result.problems] == [(2, "name")]


def test_the_api_refuses_it_with_422(client: Client, coordinator: User) -> None:
    program = program_create(coordinators=[coordinator], state=Program.State.ENROLLING)
    response = client.post(
        f"/api/v1/programs/{program.pk}/participants",
        {"email": "ada@example.org", "role": "mentee", "full_name": "Ada\u202e"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_for(coordinator)}"},
    )
    assert response.status_code == 422
    assert "text-direction" in response.content.decode()
    assert not Participant.objects.filter(email="ada@example.org").exists()


@pytest.mark.parametrize("day", BAD_DAYS)
def test_dates_outside_1900_to_2100_are_refused_on_the_field(day: str) -> None:
    program = ProgramForm(data={"name": "P", "format": "one_to_one", "starts_on": day})
    assert not program.is_valid()
    assert "starts_on" in program.errors
    assert "between 1900-01-01 and 2100-12-31" in str(program.errors["starts_on"])
    goal = GoalForm(data={"metric": "completion_rate", "target_value": "50", "target_on": day})
    assert not goal.is_valid()
    assert "target_on" in goal.errors


@pytest.mark.parametrize("moment", ["0001-01-01T10:00", "9999-12-31T10:00"])
def test_event_times_outside_the_range_are_refused(moment: str) -> None:
    program = program_create()
    form = EventForm(data={"title": "Talk", "starts_at": moment}, program=program)
    assert not form.is_valid()
    assert "starts_at" in form.errors


def test_the_date_picker_carries_the_bounds() -> None:
    html = str(ProgramForm()["starts_on"])
    assert 'min="1900-01-01"' in html
    assert 'max="2100-12-31"' in html


def test_a_program_form_with_year_9999_is_shown_again_not_a_crash(
    client: Client, coordinator: User
) -> None:
    client.force_login(coordinator)
    response = client.post(
        reverse("programs:program_create"),
        {
            "name": "Far future",
            "format": "one_to_one",
            "starts_on": "9999-12-01",
            "ends_on": "9999-12-31",
            "checkin_cadence_days": 14,
            "mentor_capacity_default": 2,
            "min_group_size": 5,
        },
    )
    assert response.status_code in (200, 400)
    assert "between 1900-01-01 and 2100-12-31" in response.content.decode()
    assert not Program.objects.filter(name="Far future").exists()
