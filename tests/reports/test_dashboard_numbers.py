"""Every dashboard number against the same number computed another way.

A seeded random organisation (tests/factories/dashboards.py) is counted here in plain
Python over the rows themselves, and the result compared with what the coordinator's
and HR's CSV exports show (they are rendered from the same context as the pages).
Suppressed cells are checked honestly: every shown count equals the independent one,
every small group is hidden, and nothing hidden can be worked out from everything
shown across all the department views (tests/reports/disclosure.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import Counter, defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from scipy.stats import binomtest

from events.models import EventRsvp
from mentoring.models import EmployeeRecord, Promotion, User
from pairs.models import CheckIn, Mentorship
from programs.models import Participant, Profile, Program, ProgramGoal
from reports import dashboards, insights
from surveys.models import Answer, Question
from tests.factories.dashboards import DEPARTMENTS, dashboard_world
from tests.reports.disclosure import Disclosure, assert_no_small_group

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 9, 16, 10, 0, tzinfo=dt.UTC)
SEEDS = (3, 17, 2026)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _csv(client: Client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _number(text: str) -> int | None:
    return None if text == "" else int(text)


# -- the coordinator's dashboard, counted another way ----------------------------------------


def _zone(program: Program) -> Any:
    import zoneinfo

    return zoneinfo.ZoneInfo(program.time_zone)


def _health(ref: dt.datetime, cadence: int) -> str:
    cycles = (NOW - ref) / dt.timedelta(days=cadence)
    if cycles <= 1:
        return "on_track"
    if cycles <= 1.5:
        return "due"
    return "overdue" if cycles <= 3 else "inactive"


def expected_program(program: Program) -> dict[str, Any]:
    """The coordinator's numbers of one program, from its rows."""
    cadence = program.checkin_cadence_days
    people: list[Any] = list(Participant.objects.filter(program=program).values())
    pairs: dict[int, Any] = {
        m["id"]: m for m in Mentorship.objects.filter(program=program).values()
    }
    checkins: list[Any] = list(CheckIn.objects.filter(mentorship__program=program).values())
    by_pair: dict[int, list[Any]] = defaultdict(list)
    for c in checkins:
        by_pair[c["mentorship_id"]].append(c)
    done = [c for c in checkins if c["status"] == "done"]

    def pairs_of(pk: int) -> list[Any]:
        return [m for m in pairs.values() if pk in (m["mentor_id"], m["mentee_id"])]

    recent = NOW - dt.timedelta(days=3 * cadence)
    funnel = {
        "invited": len(people),
        "profile_complete": sum(p["profile_completed_at"] is not None for p in people),
        "matched": sum(bool(pairs_of(p["id"])) for p in people),
        "first_checkin": sum(
            any(c["mentorship_id"] == m["id"] for m in pairs_of(p["id"]) for c in done)
            for p in people
        ),
        "active": sum(
            any(
                c["mentorship_id"] == m["id"] and c["scheduled_at"] >= recent
                for m in pairs_of(p["id"])
                if m["state"] == "active"
                for c in done
            )
            for p in people
        ),
    }
    active = [m for m in pairs.values() if m["state"] == "active"]
    refs = {}
    for m in active:
        met = [c["scheduled_at"] for c in by_pair[m["id"]] if c["status"] == "done"]
        refs[m["id"]] = max(met) if met else m["started_at"]
    health = Counter(_health(refs[m["id"]], cadence) for m in active)
    # The cadence goal: pairs that met within a cadence over the pairs that met at all
    # or were matched more than a cadence ago (docs/dashboards.md).
    cycle_start = NOW - dt.timedelta(days=cadence)
    has_met = {m["id"] for m in active if any(c["status"] == "done" for c in by_pair[m["id"]])}
    counted = [m for m in active if m["id"] in has_met or m["started_at"] < cycle_start]
    meeting = [m for m in counted if m["id"] in has_met and refs[m["id"]] >= cycle_start]

    zone = _zone(program)
    today = NOW.astimezone(zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    first = monday - dt.timedelta(weeks=11)
    weeks: Counter[dt.date] = Counter()
    for c in done:
        local = c["scheduled_at"].astimezone(zone).date()
        if local >= first and c["scheduled_at"] <= NOW:
            weeks[local - dt.timedelta(days=local.weekday())] += 1
    weekly = [
        (first + dt.timedelta(weeks=i), weeks[first + dt.timedelta(weeks=i)]) for i in range(12)
    ]

    minimum = max(settings.MIN_GROUP_SIZE, program.min_group_size)
    since = monday - dt.timedelta(weeks=25)
    ratings: dict[dt.date, list[int]] = defaultdict(list)
    nps: dict[dt.date, list[int]] = defaultdict(list)
    for a in Answer.objects.filter(response__survey__program=program).values(
        "value", "question__kind", "response__week_on"
    ):
        week = a["response__week_on"]
        if week < since or a["question__kind"] not in ("rating", "nps"):
            continue
        (ratings if a["question__kind"] == "rating" else nps)[week].append(a["value"])
    surveys = []
    for week in sorted(set(ratings) | set(nps)):
        r, p = ratings[week], nps[week]
        surveys.append(
            {
                "week": week,
                "rating_n": len(r) if len(r) >= minimum else None,
                "rating_avg": round(sum(r) / len(r), 2) if len(r) >= minimum else None,
                "nps_n": len(p) if len(p) >= minimum else None,
                "nps": round(100 * (sum(v >= 9 for v in p) - sum(v <= 6 for v in p)) / len(p))
                if len(p) >= minimum
                else None,
            }
        )

    # Goals: each metric from the rows.
    rated = [c for c in done if c["mentor_rating"] is not None or c["mentee_rating"] is not None]
    scores = [v for c in done for v in (c["mentor_rating"], c["mentee_rating"]) if v is not None]
    closed = [m for m in pairs.values() if m["state"] in ("completed", "ended")]
    joined = {p["email"].lower() for p in people if p["joined_at"] is not None}
    joined_mentees = {
        p["email"].lower() for p in people if p["joined_at"] is not None and p["role"] == "mentee"
    }
    records = list(EmployeeRecord.objects.values("id", "email", "left_on"))
    horizon = min(NOW.date(), program.ends_on) if program.ends_on else NOW.date()
    mine = [r for r in records if r["email"].lower() in joined]
    promoted_ids = {
        p["employee_id"]
        for p in Promotion.objects.values("employee_id", "promoted_on")
        if p["promoted_on"] >= (program.starts_on or dt.date(1970, 1, 1))
    }
    mentees = [r for r in records if r["email"].lower() in joined_mentees]
    measures = {
        "cadence_share": (
            Fraction(len(meeting), len(counted)) if counted else None,
            len(counted),
        ),
        "avg_satisfaction": (
            Fraction(sum(scores), len(scores)) if scores else None,
            2 * len({c["mentorship_id"] for c in rated}),
        ),
        "completion_rate": (
            Fraction(sum(m["state"] == "completed" for m in closed), len(closed))
            if closed
            else None,
            len(closed),
        ),
        "retention_rate": (
            Fraction(sum(r["left_on"] is None or r["left_on"] > horizon for r in mine), len(mine))
            if mine
            else None,
            len(mine),
        ),
        "promotion_rate": (
            Fraction(sum(r["id"] in promoted_ids for r in mentees), len(mentees))
            if mentees
            else None,
            len(mentees),
        ),
    }
    goals = {}
    for goal in ProgramGoal.objects.filter(program=program):
        value, n = measures[goal.metric]
        if value is None or n < minimum:
            goals[goal.metric] = {"value": "", "percent_of_target": "", "based_on": ""}
            continue
        percent = goal.metric in ProgramGoal.PERCENT_METRICS
        number = float(value)
        scaled = Decimal(str(number)) * (100 if percent else 1)
        goals[goal.metric] = {
            "value": f"{round(100 * number)}%" if percent else f"{number:.1f}",
            "percent_of_target": str(int(min(Decimal(100), 100 * scaled / goal.target_value))),
            "based_on": str(n),
        }

    # At risk: each active pair's parts.
    risks = []
    for m in active:
        rows = by_pair[m["id"]]
        cycles = (NOW - refs[m["id"]]).total_seconds() / (cadence * 86400)
        missed = sum(c["status"] == "missed" and c["scheduled_at"] >= recent for c in rows)
        waiting = sum(
            c["status"] == "proposed"
            and c["created_at"] <= NOW - dt.timedelta(days=2)
            and c["scheduled_at"] >= NOW
            for c in rows
        )
        given = sorted(
            (
                c
                for c in rows
                if c["status"] == "done"
                and (c["mentor_rating"] is not None or c["mentee_rating"] is not None)
            ),
            key=lambda c: (c["scheduled_at"], c["id"]),
            reverse=True,
        )
        means = [
            sum(v for v in (c["mentor_rating"], c["mentee_rating"]) if v is not None)
            / sum(v is not None for v in (c["mentor_rating"], c["mentee_rating"]))
            for c in given[:2]
        ]
        falling = len(means) == 2 and means[0] < means[1]
        score = (
            round(min(60.0, max(0.0, cycles - 1) * 20))
            + min(45, 15 * missed)
            + (15 if falling else 0)
            + min(20, 10 * waiting)
        )
        if _health(refs[m["id"]], cadence) != "on_track":  # needs attention
            risks.append(
                {
                    "pk": m["id"],
                    "health": _health(refs[m["id"]], cadence),
                    "score": score,
                    "days": (NOW - refs[m["id"]]).days,
                    "missed": missed,
                    "falling": "yes" if falling else "no",
                    "unanswered": waiting,
                }
            )
    risks.sort(key=lambda r: (-r["score"], -r["days"], r["pk"]))
    return {
        "funnel": funnel,
        "health": {k: health[k] for k in ("on_track", "due", "overdue", "inactive")},
        "weekly": weekly,
        "surveys": surveys,
        "goals": goals,
        "at_risk": risks[: dashboards.AT_RISK_SHOWN],
        "minimum": minimum,
    }


def _assert_program_exports(client: Client, program: Program, expected: dict[str, Any]) -> None:
    url = reverse("program_dashboard", args=[program.pk])
    funnel = {r["step"]: int(r["people"]) for r in _csv(client, f"{url}?export=funnel")}
    assert funnel == expected["funnel"]
    health = {r["health"]: int(r["pairs"]) for r in _csv(client, f"{url}?export=health")}
    assert health == expected["health"]
    weekly = [
        (dt.date.fromisoformat(r["week_starting"]), int(r["check_ins_held"]))
        for r in _csv(client, f"{url}?export=checkins")
    ]
    assert weekly == expected["weekly"]
    surveys: list[dict[str, Any]] = [
        {
            "week": dt.date.fromisoformat(r["week_starting"]),
            "rating_n": _number(r["rating_answers"]),
            "rating_avg": float(r["rating_average"]) if r["rating_average"] else None,
            "nps_n": _number(r["nps_answers"]),
            "nps": _number(r["nps"]),
        }
        for r in _csv(client, f"{url}?export=surveys")
    ]
    assert surveys == expected["surveys"]
    for row in surveys:
        assert_no_small_group([row["rating_n"], row["nps_n"]], expected["minimum"], "surveys")
    goals = {
        r["metric"]: {k: r[k] for k in ("value", "percent_of_target", "based_on")}
        for r in _csv(client, f"{url}?export=goals")
    }
    assert goals == expected["goals"]
    risks = _csv(client, f"{url}?export=at_risk")
    pairs = {m.pk: m for m in Mentorship.objects.select_related("mentor__user", "mentee__user")}
    assert [
        (
            r["mentor"],
            r["mentee"],
            r["health"],
            int(r["score"]),
            int(r["days_since_last_meeting"]),
            int(r["missed_recently"]),
            r["ratings_falling"],
            int(r["unanswered_proposals"]),
        )
        for r in risks
    ] == [
        (
            _name(pairs[e["pk"]].mentor),
            _name(pairs[e["pk"]].mentee),
            e["health"],
            e["score"],
            e["days"],
            e["missed"],
            e["falling"],
            e["unanswered"],
        )
        for e in expected["at_risk"]
    ]


def _name(participant: Participant) -> str:
    return participant.user.display_name if participant.user else participant.display_name


@pytest.mark.parametrize("seed", SEEDS)
def test_every_coordinator_number_matches_a_count_of_the_rows(
    client: Client, coordinator: User, seed: int
) -> None:
    world = dashboard_world(seed=seed, now=NOW, coordinator=coordinator, programs=2, people=30)
    client.force_login(coordinator)
    for program in world.programs:
        expected = expected_program(program)
        # Something to compare: the random organisation is not empty anywhere.
        assert expected["funnel"]["first_checkin"] > 0
        assert expected["at_risk"]
        # Counted live (no snapshot yet), then read from the nightly snapshot.
        _assert_program_exports(client, program, expected)
        dashboards.snapshot_take(program=program, now=NOW)
        assert dashboards.dashboard_get(program=program, now=NOW).from_snapshot
        _assert_program_exports(client, program, expected)
        # The page shows the same funnel and health numbers.
        page = client.get(reverse("program_dashboard", args=[program.pk])).content.decode()
        for count in (*expected["funnel"].values(), *expected["health"].values()):
            assert f">{count}<" in page


# -- HR's dashboard, counted another way ---------------------------------------------------------


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _wilson(k: int, n: int) -> tuple[float, float]:
    interval = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return 100 * interval.low, 100 * interval.high


def expected_hr(program_ids: tuple[int, ...], start: dt.date, end: dt.date) -> dict[str, Any]:
    """HR's raw counts by department (before suppression), from the rows."""
    in_view = (lambda pk: pk in program_ids) if program_ids else (lambda pk: True)
    programs = [p for p in Program.objects.all() if in_view(p.pk)]
    minimum = max([settings.MIN_GROUP_SIZE, *(p.min_group_size for p in programs)])
    people = [p for p in Participant.objects.values() if in_view(p["program_id"])]
    by_pk = {p["id"]: p for p in Participant.objects.values()}
    roles: dict[str, Counter[str]] = defaultdict(Counter)
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    for p in people:
        roles[p["department"]][p["role"]] += 1
        statuses[p["department"]][p["status"]] += 1
    states: dict[str, Counter[str]] = defaultdict(Counter)
    pairs = {m["id"]: m for m in Mentorship.objects.values() if in_view(m["program_id"])}
    for m in pairs.values():
        states[by_pk[m["mentee_id"]]["department"]][m["state"]] += 1

    first, last = _month(start), _month(end)
    held: dict[tuple[str, dt.date], int] = Counter()
    met: dict[tuple[str, dt.date], set[int]] = defaultdict(set)
    rated: dict[tuple[str, dt.date], set[int]] = defaultdict(set)
    rating_sum: Counter[str] = Counter()
    rating_n: Counter[str] = Counter()
    for c in CheckIn.objects.filter(status="done").values():
        pair = pairs.get(c["mentorship_id"])
        month = _month(c["scheduled_at"].astimezone(dt.UTC).date())
        if pair is None or not first <= month <= last:
            continue
        key = (by_pk[pair["mentee_id"]]["department"], month)
        held[key] += 1
        met[key].add(pair["id"])
        given = [v for v in (c["mentor_rating"], c["mentee_rating"]) if v is not None]
        if given:
            rated[key].add(pair["id"])
            rating_sum[key[0]] += sum(given)
            rating_n[key[0]] += len(given)
    votes: dict[str, list[int]] = defaultdict(list)
    for a in Answer.objects.filter(question__kind=Question.Kind.NPS).values(
        "value", "response__week_on", "response__survey__program_id", "response__participant_id"
    ):
        month = _month(a["response__week_on"])
        if not in_view(a["response__survey__program_id"]) or not first <= month <= last:
            continue
        person = by_pk.get(a["response__participant_id"])
        votes[person["department"] if person else ""].append(a["value"])

    after_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    joined = {p["email"].lower() for p in people if p["joined_at"] and p["joined_at"] < after_end}
    promoted = {
        p["employee_id"]
        for p in Promotion.objects.values("employee_id", "promoted_on")
        if start <= p["promoted_on"] <= end
    }
    outcomes: dict[str, dict[bool, list[int]]] = defaultdict(
        lambda: {True: [0, 0, 0], False: [0, 0, 0]}
    )
    for r in EmployeeRecord.objects.values():
        if r["hired_on"] is not None and r["hired_on"] > start:
            continue
        if r["left_on"] is not None and r["left_on"] <= start:
            continue
        cell = outcomes[r["department"]][r["email"].lower() in joined]
        cell[0] += 1
        cell[1] += r["left_on"] is None or r["left_on"] > end
        cell[2] += r["id"] in promoted

    consented: dict[str, set[tuple[int, str, str]]] = defaultdict(set)
    profiles = {p["user_id"]: p for p in Profile.objects.values()}
    for p in people:
        profile = profiles.get(p["user_id"])
        if p["joined_at"] and profile and profile["demographics_consent_at"]:
            consented[p["department"]].add((p["user_id"], profile["gender"], profile["ethnicity"]))
    attended = {
        r["user_id"]
        for r in EventRsvp.objects.filter(attended=True).values(
            "user_id", "event__starts_at", "event__program_id"
        )
        if in_view(r["event__program_id"]) and start <= r["event__starts_at"].date() <= end
    }
    return {
        "minimum": minimum,
        "roles": roles,
        "statuses": statuses,
        "states": states,
        "held": held,
        "met": met,
        "rated": rated,
        "rating_sum": rating_sum,
        "rating_n": rating_n,
        "votes": votes,
        "outcomes": outcomes,
        "consented": consented,
        "attended": len(attended),
    }


def _scope(table: dict[str, Any], department: str) -> list[Any]:
    return [table[department]] if department else list(table.values())


def _check_count(shown: int | None, raw: int, minimum: int, what: object) -> None:
    if shown is not None:
        assert shown == raw, what
    if 0 < raw < minimum:
        assert shown is None, what
    assert_no_small_group([shown], minimum, what)


ROLE_LABELS = {k: str(v) for k, v in Participant.Role.choices}
STATUS_LABELS = {k: str(v) for k, v in Participant.Status.choices}
PAIR_LABELS = {"active": "active", "completed": "completed", "ended": "ended early"}


def _check_hr_view(
    client: Client, query: str, department: str, raw: dict[str, Any], seen: Disclosure
) -> None:
    url = (
        reverse("insights_dashboard")
        + "?"
        + query
        + (f"&department={department}" if department else "")
    )
    minimum = raw["minimum"]
    row = department or "*"

    # Participation: roles and statuses of the same people, pairs by mentee department.
    shown = {
        (r["group"], r["item"]): _number(r["count"])
        for r in _csv(client, url + "&export=participation")
    }
    for key, label in ROLE_LABELS.items():
        count = sum(c[key] for c in _scope(raw["roles"], department))
        _check_count(shown["role", str(label)], count, minimum, ("role", key, department))
        seen.see(("roles", row, key), shown["role", str(label)])
    for key, label in STATUS_LABELS.items():
        count = sum(c[key] for c in _scope(raw["statuses"], department))
        _check_count(shown["status", str(label)], count, minimum, ("status", key, department))
        seen.see(("statuses", row, key), shown["status", str(label)])
    for key, label in PAIR_LABELS.items():
        count = sum(c[key] for c in _scope(raw["states"], department))
        _check_count(shown["pairs", label], count, minimum, ("pairs", key, department))
        seen.see(("pairs", row, key), shown["pairs", label])

    # Engagement: pairs that met per month, check-ins held only beside them.
    months = sorted({m for (_d, m) in raw["held"]})
    listed = {r["month"]: r for r in _csv(client, url + "&export=engagement")}
    for month in months:
        keys = [(d, month) for d in ([department] if department else DEPARTMENTS)]
        pairs = sum(len(raw["met"].get(k, ())) for k in keys)
        held = sum(raw["held"].get(k, 0) for k in keys)
        line = listed.pop(f"{month:%Y-%m}", None)
        if pairs == 0:
            assert line is None
            seen.see(("months", row, month), 0)  # a month left out had nobody
            continue
        assert line is not None, (month, department)
        _check_count(_number(line["pairs_that_met"]), pairs, minimum, ("met", month, department))
        assert (line["check_ins_held"] == "") == (line["pairs_that_met"] == "")
        if line["check_ins_held"]:
            assert int(line["check_ins_held"]) == held
        seen.see(("months", row, month), _number(line["pairs_that_met"]))
    assert not listed

    # Satisfaction: the mean rating over the busiest month's pairs, NPS beside its answers.
    figures = {r["measure"]: r for r in _csv(client, url + "&export=satisfaction")}
    depts = [department] if department else list(DEPARTMENTS)
    busiest = max(
        (sum(len(raw["rated"].get((d, m), ())) for d in depts) for m in months), default=0
    )
    total, n = sum(raw["rating_sum"][d] for d in depts), sum(raw["rating_n"][d] for d in depts)
    rating = figures["average_checkin_rating_1_5"]
    if n and busiest >= minimum:
        assert float(rating["value"]) == round(total / n, 2)
        assert int(rating["based_on"]) == busiest
    else:
        assert rating["value"] == rating["based_on"] == ""
    votes = [
        v for d, values in raw["votes"].items() if not department or d == department for v in values
    ]
    nps = figures["survey_nps"]
    _check_count(_number(nps["based_on"]), len(votes), minimum, ("nps", department))
    if nps["based_on"]:
        promoters, detractors = sum(v >= 9 for v in votes), sum(v <= 6 for v in votes)
        assert int(nps["value"]) == round(100 * (promoters - detractors) / len(votes))
    else:
        assert nps["value"] == ""
    seen.see(("nps", row, "answers"), _number(nps["based_on"]) if votes else 0)
    events = _number(figures["people_at_events"]["value"])
    _check_count(events, raw["attended"], minimum, "events")

    # Outcomes: retention and promotion with Wilson intervals, department x group.
    lines = _csv(client, url + "&export=outcomes")
    if not raw["outcomes"] or (department and department not in raw["outcomes"]):
        assert not lines
        return
    for line in lines:
        if line["group"].startswith("non-participants, same"):
            continue
        label = line["department"]
        took_part = line["group"] == "participants"
        if label == "All departments":
            assert not department
            cells = [c[took_part] for c in raw["outcomes"].values()]
            var: tuple[str, str, bool] = ("outcomes", "*", took_part)
        else:
            assert label == department or not department
            cells = [raw["outcomes"][label][took_part]]
            var = ("outcomes", label, took_part)
        n_raw = sum(c[0] for c in cells)
        k_raw = sum(c[1 if line["measure"] == "retention" else 2] for c in cells)
        people = _number(line["people"])
        _check_count(people, n_raw, minimum, (line["measure"], label, took_part))
        seen.see(var, people)
        if people:
            assert float(line["rate_percent"]) == round(100 * k_raw / n_raw, 1)
            low, high = _wilson(k_raw, n_raw)
            assert math.isclose(float(line["ci95_low"]), low, abs_tol=0.06)
            assert math.isclose(float(line["ci95_high"]), high, abs_tol=0.06)
        else:
            assert line["rate_percent"] == line["ci95_low"] == ""

    # Diversity: consenting people by gender and by ethnicity.
    consented = {d: v for d, v in raw["consented"].items() if not department or d == department}
    listed_groups = {
        (r["breakdown"], r["group"]): _number(r["people"])
        for r in _csv(client, url + "&export=diversity")
    }
    people_count = sum(len(v) for v in consented.values())
    total = listed_groups["consented", "all"]
    _check_count(total, people_count, minimum, ("consented", department))
    seen.see(("consented", row, "*"), total)
    for index, breakdown in ((1, "gender"), (2, "ethnicity")):
        counts: Counter[str] = Counter()
        for people_set in consented.values():
            for person in people_set:
                counts[person[index] or "Not described"] += 1
        for label, count in counts.items():
            shown_count = listed_groups[breakdown, label]
            _check_count(shown_count, count, minimum, (breakdown, label, department))
            seen.see((breakdown, row, label), shown_count)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("snapshot", [False, True], ids=["live", "snapshot"])
def test_every_hr_number_matches_a_count_of_the_rows_and_gives_nothing_away(
    client: Client, coordinator: User, hr: User, seed: int, snapshot: bool
) -> None:
    world = dashboard_world(seed=seed, now=NOW, coordinator=coordinator, programs=3, people=30)
    if snapshot:
        for program in world.programs:
            dashboards.snapshot_take(program=program, now=NOW)
        # HR's grouped counts of every program filter, outcomes over the default period
        # (the first period below; the others count their outcomes live).
        assert insights.insight_snapshots_take(now=NOW) == 1 + len(world.programs)
    User.objects.filter(pk=hr.pk).update(time_zone="UTC")
    client.force_login(hr)
    periods = [
        ((), dt.date(2025, 10, 1), NOW.date(), ""),
        ((), dt.date(2026, 4, 1), dt.date(2026, 8, 31), "start=2026-04&end=2026-08"),
        (
            (world.programs[0].pk,),
            dt.date(2026, 1, 1),
            NOW.date(),
            f"program={world.programs[0].pk}&start=2026-01&end=2026-09",
        ),
    ]
    for program_ids, start, end, query in periods:
        raw = expected_hr(program_ids, start, end)
        seen = Disclosure()
        departments = sorted(DEPARTMENTS)
        rows_with_all = departments
        seen.table("roles", rows_with_all, list(ROLE_LABELS), row_total="participants")
        seen.table("statuses", rows_with_all, list(STATUS_LABELS), row_total="participants")
        seen.table("pairs", rows_with_all, list(PAIR_LABELS))
        months = sorted({m for (_d, m) in raw["held"]})
        if months:
            seen.table("months", rows_with_all, months)
        seen.table("nps", [*rows_with_all, ""], ["answers"])
        seen.table("outcomes", departments, [True, False])
        genders = sorted({p[1] or "Not described" for s in raw["consented"].values() for p in s})
        ethnicities = sorted(
            {p[2] or "Not described" for s in raw["consented"].values() for p in s}
        )
        seen.table("gender", departments, genders, row_total="consented")
        seen.table("ethnicity", departments, ethnicities, row_total="consented")
        for department in ["", *departments]:
            _check_hr_view(client, query or "start=2025-10&end=2026-09", department, raw, seen)
        assert not seen.given_away(), (query, seen.given_away())
        # The organisation is big enough for both: numbers shown and small groups hidden.
        assert len(seen.known) > (40 if not program_ids else 15)
        assert seen.hidden
