"""The check-in endpoints: dates, statuses and counts per program and per pair, for
the program's coordinators; never what a pair wrote."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from integrations.models import ApiToken
from mentoring.models import User
from pairs.checkins.services import checkin_log_past
from pairs.mentorships import mentorship_end
from pairs.models import CheckIn, Mentorship
from programs.models import Program
from tests.factories.programs import mentee_of, mentorship_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

NOW = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)
Status = CheckIn.Status


@pytest.fixture(autouse=True)
def _now() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _met(pair: Mentorship, days_ago: int, *, minutes: int = 30, outcome: str = "done") -> CheckIn:
    return checkin_log_past(
        mentorship=pair,
        by=mentee_of(pair),
        held_at=NOW - dt.timedelta(days=days_ago),
        outcome=outcome,
        duration_minutes=minutes,
        topics="career moves",
        notes="We talked about the reorganisation.",
        rating=5,
    )


def _scheduled(pair: Mentorship, days_ahead: int, status: str = Status.SCHEDULED) -> CheckIn:
    return CheckIn.objects.create(
        mentorship=pair, status=status, scheduled_at=NOW + dt.timedelta(days=days_ahead)
    )


@pytest.fixture
def pairs(program: Program, coordinator: User) -> list[Mentorship]:
    first = mentorship_make(program=program, started_at=NOW - dt.timedelta(days=60))
    second = mentorship_make(program=program, started_at=NOW - dt.timedelta(days=60))
    _met(first, 40, minutes=45)
    _met(first, 5, minutes=60)
    _met(first, 20, outcome="missed")
    _scheduled(first, 3)
    _scheduled(first, 9, Status.PROPOSED)
    _scheduled(second, 2, Status.CANCELLED)
    return [first, second]


def test_checkins_are_listed_with_dates_and_status_only(api_as, coordinator, program, pairs):
    response = api_as(coordinator).get(f"/programs/{program.pk}/checkins")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == 6
    first = body["items"][0]
    assert set(first) == {
        "id",
        "mentorship_id",
        "status",
        "scheduled_at",
        "duration_minutes",
        "logged_at",
        "cancelled_at",
    }
    assert (first["status"], first["duration_minutes"]) == ("done", 45)
    text = response.content.decode()
    assert "reorganisation" not in text
    assert "career moves" not in text
    # Earliest first.
    times = [item["scheduled_at"] for item in body["items"]]
    assert times == sorted(times)


def test_checkins_filter_by_pair_status_and_period(api_as, coordinator, program, pairs):
    api = api_as(coordinator)
    url = f"/programs/{program.pk}/checkins"
    second = api.get(url, mentorship_id=pairs[1].pk).json()
    assert [i["status"] for i in second["items"]] == ["cancelled"]
    assert api.get(url, status="done").json()["count"] == 2
    recent = api.get(url, since=(NOW - dt.timedelta(days=21)).date().isoformat()).json()
    assert recent["count"] == 5
    one_day = (NOW - dt.timedelta(days=5)).date().isoformat()
    assert api.get(url, since=one_day, until=one_day).json()["count"] == 1
    assert api.get(url, until="9999-12-31").json()["count"] == 6
    backwards = api.get(url, since="2026-10-02", until="2026-10-01")
    assert backwards.status_code == 400
    assert "until" in backwards.json()["detail"]
    assert api.get(url, status="chatting").status_code == 422


def test_program_summary_counts_in_the_database(api_as, coordinator, program, pairs):
    response = api_as(coordinator).get(f"/programs/{program.pk}/checkins/summary")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert {k: body[k] for k in ("proposed", "scheduled", "done", "missed", "cancelled")} == {
        "proposed": 1,
        "scheduled": 1,
        "done": 2,
        "missed": 1,
        "cancelled": 1,
    }
    assert body["minutes_met"] == 105
    assert body["pairs_met"] == 1
    assert body["first_met_at"].startswith("2026-08-22")
    assert body["last_met_at"].startswith("2026-09-26")
    assert body["next_scheduled_at"].startswith("2026-10-04")
    # The first pair met five days ago; the second never did in 60 days.
    assert body["health"] == {"on_track": 1, "due": 0, "overdue": 0, "inactive": 1}
    since = api_as(coordinator).get(f"/programs/{program.pk}/checkins/summary", since="2026-09-20")
    assert since.json()["done"] == 1


def test_per_pair_counts_list_every_mentorship_with_its_health(api_as, coordinator, program, pairs):
    mentorship_end(mentorship=pairs[1], by=coordinator, reason=Mentorship.EndReason.SCHEDULES)
    api = api_as(coordinator)
    url = f"/programs/{program.pk}/checkins/by-mentorship"
    rows = api.get(url).json()
    assert rows["count"] == 2
    first, second = rows["items"]
    assert (first["mentorship_id"], first["done"], first["missed"], first["minutes_met"]) == (
        pairs[0].pk,
        2,
        1,
        105,
    )
    assert (first["scheduled"], first["proposed"], first["health"]) == (1, 1, "on_track")
    assert (second["state"], second["health"], second["cancelled"]) == ("ended", None, 1)
    assert api.get(url, state="ended").json()["count"] == 1
    assert api.get(url, health="on_track").json()["count"] == 1
    assert api.get(url, health="inactive").json()["count"] == 0
    one = api.get(f"/programs/{program.pk}/mentorships/{pairs[0].pk}/checkins/summary")
    assert one.json() == first


def test_per_pair_counts_cost_the_same_queries_for_many_pairs(
    api_as, coordinator, program, django_assert_max_num_queries
):
    api = api_as(coordinator)
    url = f"/programs/{program.pk}/checkins/by-mentorship"
    for _ in range(2):
        _met(mentorship_make(program=program), 3)
    with django_assert_max_num_queries(10) as few:
        assert api.get(url).json()["count"] == 2
    baseline = len(few.captured_queries)
    for _ in range(12):
        pair = mentorship_make(program=program)
        _met(pair, 3)
        _scheduled(pair, 4)
    with django_assert_max_num_queries(baseline):
        assert api.get(url).json()["count"] == 14
    with django_assert_max_num_queries(baseline):
        assert api.get(f"/programs/{program.pk}/checkins").json()["count"] == 26


def test_another_programs_pair_is_not_found_through_this_program(
    api_as, coordinator, program, other_program, other_coordinator
):
    theirs = mentorship_make(program=other_program)
    api = api_as(coordinator)
    assert (
        api.get(f"/programs/{program.pk}/mentorships/{theirs.pk}/checkins/summary").status_code
        == 404
    )
    assert api.get(f"/programs/{program.pk}/checkins", mentorship_id=theirs.pk).json() == {
        "items": [],
        "count": 0,
    }


def test_checkins_need_their_own_scope(api_as, coordinator, program):
    api = api_as(coordinator, [ApiToken.Scope.MENTORSHIPS_READ])
    response = api.get(f"/programs/{program.pk}/checkins/summary")
    assert response.status_code == 403
    assert "checkins:read" in response.json()["detail"]
