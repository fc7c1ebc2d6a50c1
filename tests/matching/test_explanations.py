"""Explanations are true: every reason shown agrees with both profiles as shown.

A person reads "Why you were matched" on the workspace, in the introduction email
and on the self-match pages. Each sentence there must be a fact about the two
profiles the page shows (the partner's card shows ``Profile`` fields and the
user's own time zone), never a criterion that earned nothing ("no shared skills")
and never a distance worked out from another record than the one shown.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import runs
from matching.models import MatchProposal, MatchRun
from mentoring.models import User
from pairs.mentorships import explanation_reasons
from pairs.models import Mentorship
from programs.models import Participant, Profile, Program
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.factories.programs import participant_create

pytestmark = pytest.mark.usefixtures("eager_celery")

MENTEE = Participant.Role.MENTEE
MENTOR = Participant.Role.MENTOR


def _person(
    program: Program,
    name: str,
    role: str,
    *,
    user_zone: str = "UTC",
    participant_zone: str = "",
    capacity: int | None = None,
    **profile: Any,
) -> Participant:
    user = user_create(
        full_name=name, email=f"{name.split()[0].lower()}@example.org", time_zone=user_zone
    )
    Profile.objects.create(user=user, **profile)
    return participant_create(
        program=program, user=user, role=role, time_zone=participant_zone, capacity=capacity
    )


def _criterion(program: Program, by: User, field: str, rule: str, **extra: Any) -> None:
    runs.criterion_add(
        program=program,
        by=by,
        field=field,
        mentor_field=extra.get("mentor_field", ""),
        rule=rule,
        weight=extra.get("weight", "medium"),
        custom_weight=None,
        min_gap=extra.get("min_gap", 1),
        max_hours=extra.get("max_hours", 12),
    )


def _run(program: Program, by: User) -> MatchRun:
    run = runs.match_run_start(program=program, by=by)
    runs.match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def _hours_apart(zone_a: str, zone_b: str, at: dt.datetime) -> int:
    """Hours between two zones' UTC offsets at ``at``, around the clock (at most 12)."""
    a = at.astimezone(zoneinfo.ZoneInfo(zone_a)).utcoffset()
    b = at.astimezone(zoneinfo.ZoneInfo(zone_b)).utcoffset()
    assert a is not None
    assert b is not None
    minutes = abs(int((a - b).total_seconds() // 60)) % (24 * 60)
    return round(min(minutes, 24 * 60 - minutes) / 60)


def test_the_time_zone_reason_uses_the_time_zones_the_profiles_show(
    program: Program, coordinator: User
) -> None:
    # The participants' records still carry the zone the import gave them; the
    # people set their own since, and that is what every page shows.
    mentee = _person(
        program,
        "Lucas Mentee",
        MENTEE,
        user_zone="America/Los_Angeles",
        participant_zone="Europe/London",
    )
    _person(
        program,
        "Ade Mentor",
        MENTOR,
        user_zone="Africa/Lagos",
        participant_zone="Europe/London",
        capacity=1,
    )
    _criterion(program, coordinator, "time_zone", "time_zone", max_hours=12)
    run = _run(program, coordinator)
    proposal = MatchProposal.objects.get(run=run, mentee=mentee)
    zone = next(p for p in proposal.explanation if p["kind"] == "time_zone")
    expected = _hours_apart("America/Los_Angeles", "Africa/Lagos", timezone.now())
    assert round(zone["hours"]) == expected
    assert zone["text"] == f"{expected} hours apart"


@pytest.fixture
def pair_without_shared_skills(program: Program, coordinator: User) -> Mentorship:
    """A published pair that shares no skill but meets the seniority rule."""
    _person(program, "Mia Mentee", MENTEE, skills=["Design"], seniority=1)
    _person(program, "Max Mentor", MENTOR, skills=["Finance"], seniority=4, capacity=1)
    _criterion(program, coordinator, "skills", "similar", weight="high")
    _criterion(program, coordinator, "seniority", "seniority_gap", weight="low", min_gap=2)
    run = _run(program, coordinator)
    runs.match_run_publish(run=run, by=coordinator)
    return Mentorship.objects.select_related("mentee__user").get()


def test_a_criterion_that_earned_nothing_is_not_a_reason(
    pair_without_shared_skills: Mentorship,
) -> None:
    mentorship = pair_without_shared_skills
    texts = [p["text"] for p in mentorship.explanation]
    assert "no shared skills" in texts  # the coordinator's review still shows it
    assert [p["text"] for p in explanation_reasons(mentorship.explanation)] == [
        "mentor is 3 levels more senior"
    ]
    client = Client()
    assert mentorship.mentee.user is not None
    client.login(email=mentorship.mentee.user.email, password=DEFAULT_PASSWORD)
    page = client.get(reverse("pairs:workspace", args=[mentorship.pk])).content.decode()
    why = page.split('id="why-title"', 1)[1].split("</section>", 1)[0]
    assert "Mentor is 3 levels more senior" in why
    assert "shared skills" not in why.lower()
    assert "as worked out when you were matched" in why.lower()
    mail.outbox.clear()
    assert runs.match_introduction_send(mentorship_id=mentorship.pk) == 2
    assert mail.outbox
    for message in mail.outbox:
        assert "no shared skills" not in message.body
        assert "3 levels more senior" in message.body


def test_the_workspace_says_when_a_profile_changed_since_matching(
    pair_without_shared_skills: Mentorship,
) -> None:
    mentorship = pair_without_shared_skills
    assert mentorship.mentee.user is not None
    client = Client()
    client.login(email=mentorship.mentee.user.email, password=DEFAULT_PASSWORD)
    url = reverse("pairs:workspace", args=[mentorship.pk])
    assert "changed since" not in client.get(url).content.decode()
    Mentorship.objects.filter(pk=mentorship.pk).update(
        started_at=timezone.now() - dt.timedelta(days=3)
    )
    mentor_profile = Profile.objects.get(user__participations__role=MENTOR)
    mentor_profile.skills = ["Design"]
    mentor_profile.save()
    page = client.get(url).content.decode()
    assert "changed since" in page


# -- The property: over generated profiles, every shown reason is a fact -----------

ZONES = ["UTC", "America/Los_Angeles", "Africa/Lagos", "Asia/Kolkata", "Europe/Berlin"]
SKILLS = ["Python", "Design", "Finance", "Sales", "Negotiation"]
DEPARTMENTS = ["", "Sales", "Engineering", "Legal"]

profiles = st.fixed_dictionaries(
    {
        "skills": st.lists(st.sampled_from(SKILLS), unique=True, max_size=3),
        "department": st.sampled_from(DEPARTMENTS),
        "seniority": st.integers(min_value=0, max_value=6),
        "user_zone": st.sampled_from(ZONES),
        "participant_zone": st.sampled_from(["", *ZONES]),
    }
)


def _check_reason(part: dict[str, Any], mentee: Participant, mentor: Participant) -> None:
    """Fail unless the shown reason is true of the two profiles as pages show them."""
    assert mentee.user is not None
    assert mentor.user is not None
    mine, theirs = mentee.user.profile, mentor.user.profile
    kind, text = part["kind"], part["text"]
    assert part["points"] > 0 or part.get("satisfied"), text
    if kind == "similar":
        assert part["items"], text
        for item in part["items"]:
            assert item.casefold() in {s.casefold() for s in mine.skills}, text
            assert item.casefold() in {s.casefold() for s in theirs.skills}, text
    elif kind == "same_or_different":
        assert mine.department, text
        assert theirs.department, text
        assert (mine.department == theirs.department) == part["same"], text
        assert mine.department in text, text
        assert theirs.department in text, text
    elif kind == "seniority_gap":
        assert mine.seniority, text
        assert theirs.seniority, text
        assert theirs.seniority - mine.seniority == part["gap"] > 0, text
    elif kind == "time_zone":
        hours = _hours_apart(mentee.user.time_zone, mentor.user.time_zone, timezone.now())
        assert round(part["hours"]) == hours, text
        assert text == ("same time zone" if hours == 0 else f"{hours} hours apart") or (
            hours == 1 and text == "1 hour apart"
        ), text


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    mentee_profiles=st.lists(profiles, min_size=1, max_size=3),
    mentor_profiles=st.lists(profiles, min_size=1, max_size=3),
)
def test_every_reason_shown_is_true_of_both_profiles(
    program: Program,
    coordinator: User,
    mentee_profiles: list[dict[str, Any]],
    mentor_profiles: list[dict[str, Any]],
) -> None:
    with transaction.atomic():
        people: dict[int, Participant] = {}
        for role, drawn in ((MENTEE, mentee_profiles), (MENTOR, mentor_profiles)):
            for n, fields in enumerate(drawn):
                fields = dict(fields)
                person = _person(
                    program,
                    f"{role.title()}{n} Person",
                    role,
                    capacity=2 if role == MENTOR else None,
                    **fields,
                )
                people[person.pk] = person
        _criterion(program, coordinator, "skills", "similar", weight="high")
        _criterion(program, coordinator, "department", "same", weight="low")
        _criterion(program, coordinator, "seniority", "seniority_gap", weight="low", min_gap=1)
        _criterion(program, coordinator, "time_zone", "time_zone", max_hours=10)
        run = _run(program, coordinator)
        proposals = MatchProposal.objects.filter(run=run, mentor__isnull=False)
        for proposal in proposals.select_related("mentee__user__profile", "mentor__user__profile"):
            for part in explanation_reasons(proposal.explanation):
                assert proposal.mentor is not None
                _check_reason(part, proposal.mentee, proposal.mentor)
        transaction.set_rollback(True)
