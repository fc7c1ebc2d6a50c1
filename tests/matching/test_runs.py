"""Match runs: criteria, drafts nobody is told about, edits, what-if, publishing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching import inputs, runs
from matching.models import MatchCriterion, MatchProposal, MatchRun, PairRule
from mentoring.models import Delivery, User
from pairs.models import Mentorship
from programs.models import Participant, Profile, Program
from programs.services import ProgramError
from tests.factories import user_create
from tests.factories.programs import mentorship_make, participant_create

pytestmark = pytest.mark.usefixtures("eager_celery")


def _person(program: Program, name: str, role: str, **profile: Any) -> Participant:
    manager = profile.pop("manager_email", "")
    capacity = profile.pop("capacity", None)
    user = user_create(full_name=name, email=f"{name.split()[0].lower()}@example.org")
    Profile.objects.create(user=user, **profile)
    return participant_create(
        program=program, user=user, role=role, manager_email=manager, capacity=capacity
    )


@pytest.fixture
def people(program: Program) -> dict[str, Participant]:
    """Two mentees and two mentors whose best pairing is clear from their profiles."""
    mentee = Participant.Role.MENTEE
    mentor = Participant.Role.MENTOR
    return {
        "ana": _person(
            program, "Ana Mentee", mentee, interests=["Negotiation", "Python"], seniority=2
        ),
        "ben": _person(program, "Ben Mentee", mentee, interests=["Design"], seniority=2),
        "cat": _person(
            program, "Cat Mentor", mentor, skills=["negotiation", "python"], seniority=5, capacity=1
        ),
        "dan": _person(program, "Dan Mentor", mentor, skills=["design"], seniority=5, capacity=1),
    }


@pytest.fixture
def criteria(program: Program, coordinator: User) -> None:
    runs.criterion_add(
        program=program,
        by=coordinator,
        field="interests",
        mentor_field="skills",
        rule="complementary",
        weight="high",
        custom_weight=None,
        min_gap=1,
        max_hours=8,
    )
    runs.criterion_add(
        program=program,
        by=coordinator,
        field="seniority",
        rule="seniority_gap",
        weight="low",
        custom_weight=None,
        min_gap=2,
        max_hours=8,
    )


def _run(program: Program, coordinator: User) -> MatchRun:
    """Start a run and do the worker's part (the task runs after commit)."""
    run = runs.match_run_start(program=program, by=coordinator)
    runs.match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def _pairs(run: MatchRun) -> dict[str, str | None]:
    return {
        p.mentee.full_name: (p.mentor.full_name if p.mentor else None)
        for p in MatchProposal.objects.filter(run=run).select_related("mentee", "mentor")
    }


def test_a_run_proposes_the_best_pairs_as_a_draft_and_tells_nobody(
    program: Program, coordinator: User, people: dict[str, Participant], criteria: None
) -> None:
    run = _run(program, coordinator)
    assert run.status == MatchRun.Status.DRAFT
    assert _pairs(run) == {"Ana Mentee": "Cat Mentor", "Ben Mentee": "Dan Mentor"}
    assert run.summary["matched"] == 2
    assert not Mentorship.objects.exists()
    assert mail.outbox == []


def test_explanations_add_up_to_the_score_and_name_the_shared_items(
    program: Program, coordinator: User, people: dict[str, Participant], criteria: None
) -> None:
    run = _run(program, coordinator)
    proposal = MatchProposal.objects.get(run=run, mentee=people["ana"])
    assert proposal.score == 100
    assert sum(part["points"] for part in proposal.explanation) == proposal.score
    texts = " | ".join(part["text"] for part in proposal.explanation)
    assert "Negotiation" in texts
    assert "Python" in texts
    assert "3 levels more senior" in texts


def test_unmatched_mentees_get_a_reason(
    program: Program, coordinator: User, people: dict[str, Participant], criteria: None
) -> None:
    extra = _person(program, "Eve Mentee", Participant.Role.MENTEE, interests=["Design"])
    run = _run(program, coordinator)
    proposal = MatchProposal.objects.get(run=run, mentee=extra)
    assert proposal.mentor is None
    assert proposal.unmatched_reason == MatchProposal.Unmatched.CAPACITY


def test_the_reporting_line_is_never_paired(
    program: Program, coordinator: User, people: dict[str, Participant], criteria: None
) -> None:
    Participant.objects.filter(pk=people["ana"].pk).update(manager_email="cat@example.org")
    run = _run(program, coordinator)
    assert _pairs(run)["Ana Mentee"] != "Cat Mentor"


def test_pins_and_blocks_are_kept(
    program: Program, coordinator: User, people: dict[str, Participant], criteria: None
) -> None:
    runs.pair_rule_set(
        program=program,
        mentee_id=people["ana"].pk,
        mentor_id=people["dan"].pk,
        kind="pin",
        by=coordinator,
    )
    run = _run(program, coordinator)
    assert _pairs(run) == {"Ana Mentee": "Dan Mentor", "Ben Mentee": "Cat Mentor"}
    PairRule.objects.all().delete()
    runs.pair_rule_set(
        program=program,
        mentee_id=people["ben"].pk,
        mentor_id=people["dan"].pk,
        kind="block",
        by=coordinator,
    )
    MatchRun.objects.update(status=MatchRun.Status.DISCARDED)
    run = _run(program, coordinator)
    assert _pairs(run)["Ben Mentee"] != "Dan Mentor"


def test_a_criterion_must_fit_its_field(program: Program, coordinator: User) -> None:
    with pytest.raises(ProgramError):
        runs.criterion_add(
            program=program,
            by=coordinator,
            field="department",
            mentor_field="",
            rule="similar",
            weight="high",
            custom_weight=None,
            min_gap=1,
            max_hours=8,
        )
    assert not MatchCriterion.objects.exists()


def test_a_run_needs_criteria(program: Program, coordinator: User) -> None:
    with pytest.raises(ProgramError):
        runs.match_run_start(program=program, by=coordinator)
    assert not MatchRun.objects.exists()


def test_swap_rescores_and_diff_counts_the_change(
    program: Program, coordinator: User, people: dict[str, Participant], criteria: None
) -> None:
    run = _run(program, coordinator)
    runs.proposal_swap(
        run=run, mentee_a=people["ana"].pk, mentee_b=people["ben"].pk, by=coordinator
    )
    assert _pairs(run) == {"Ana Mentee": "Dan Mentor", "Ben Mentee": "Cat Mentor"}
    swapped = MatchProposal.objects.get(run=run, mentee=people["ana"])
    assert swapped.edited
    assert swapped.score is not None
    assert swapped.score < 100
    assert sum(p["points"] for p in swapped.explanation) == swapped.score
    run.refresh_from_db()
    assert run.summary["edited"] is True
    second = _run(program, coordinator)
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DISCARDED  # one draft at a time
    diff = runs.run_diff(run=second, previous=run)
    assert diff is not None
    assert diff.changed == 2
    assert diff.same == 0


def test_assign_refuses_a_full_mentor(
    program: Program, coordinator: User, people: dict[str, Participant], criteria: None
) -> None:
    run = _run(program, coordinator)
    with pytest.raises(ProgramError, match="no free place"):
        runs.proposal_assign(
            run=run, mentee_id=people["ana"].pk, mentor_id=people["dan"].pk, by=coordinator
        )
    assert _pairs(run)["Ana Mentee"] == "Cat Mentor"


def test_whatif_changes_nothing_saved(
    program: Program, coordinator: User, people: dict[str, Participant], criteria: None
) -> None:
    run = _run(program, coordinator)
    keys = [row["key"] for row in run.config["criteria"]]
    result = runs.match_whatif(run=run, criteria_weights={keys[0]: {"weight": "low"}})
    assert result.summary["matched"] == 2
    assert result.diff.same == 2
    assert MatchCriterion.objects.get(field="interests").weight == "high"


def test_whatif_preview_counts_pairs_against_this_draft_in_words(
    client: Client,
    program: Program,
    coordinator: User,
    people: dict[str, Participant],
    criteria: None,
) -> None:
    run = _run(program, coordinator)
    # The draft keeps one pair; the preview would pair both mentees again.
    runs.proposal_remove(run=run, mentee_id=people["ben"].pk, by=coordinator)
    client.force_login(coordinator)
    text = client.get(
        reverse("matching:run_whatif", args=[program.pk, run.pk]), {"objective": "fairness"}
    ).content.decode()
    assert "(now" not in text
    assert "2 pairs" in text
    assert "1 in this draft, +1" in text
    assert 'data-announce="Preview: 2 pairs, 1 in this draft."' in text


def test_whatif_of_a_draft_with_as_many_pairs_says_no_change(
    client: Client,
    program: Program,
    coordinator: User,
    people: dict[str, Participant],
    criteria: None,
) -> None:
    run = _run(program, coordinator)
    client.force_login(coordinator)
    text = client.get(
        reverse("matching:run_whatif", args=[program.pk, run.pk]), {"objective": "fairness"}
    ).content.decode()
    assert "2 in this draft, no change" in text


def test_a_pinned_pair_offers_unpin_which_drops_the_pin_and_audits_it(
    client: Client,
    program: Program,
    coordinator: User,
    people: dict[str, Participant],
    criteria: None,
) -> None:
    from mentoring.models import AuditEvent

    run = _run(program, coordinator)
    client.force_login(coordinator)
    detail = reverse("matching:run_detail", args=[program.pk, run.pk])
    edit = reverse("matching:run_edit", args=[program.pk, run.pk])
    ana, cat = people["ana"], people["cat"]
    pair = {"mentee": ana.pk, "mentor": cat.pk}
    client.post(edit, {"action": "pin", **pair})
    assert PairRule.objects.filter(mentee=ana, mentor=cat, kind="pin").exists()
    text = client.get(detail).content.decode()
    # Ana's row, pinned, offers Unpin and not Pin; Ben's row still offers Pin.
    assert text.count('value="unpin"') == 1
    assert text.count('value="pin"') == 1
    assert 'Unpin<span class="visually-hidden"> Ana Mentee</span>' in text
    response = client.post(edit, {"action": "unpin", **pair})
    assert response.status_code == 302
    assert not PairRule.objects.filter(mentee=ana).exists()
    assert not MatchProposal.objects.get(run=run, mentee=ana).pinned
    # The pair itself stays in the draft; only the rule is gone.
    assert _pairs(run)["Ana Mentee"] == "Cat Mentor"
    changes = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.MATCHING_CHANGE)
        .order_by("pk")
        .values_list("detail__change", flat=True)
    )
    assert changes[-2:] == ["pair_rule_set", "pair_rule_delete"]
    assert client.get(detail).content.decode().count('value="pin"') == 2


def test_publish_creates_every_pair_and_introduces_them_once(
    program: Program,
    coordinator: User,
    people: dict[str, Participant],
    criteria: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    run = _run(program, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        assert runs.match_run_publish(run=run, by=coordinator) == 2
    run.refresh_from_db()
    assert run.status == MatchRun.Status.PUBLISHED
    pairs = {
        (m.mentee.full_name, m.mentor.full_name)
        for m in Mentorship.objects.select_related("mentee", "mentor")
    }
    assert pairs == {("Ana Mentee", "Cat Mentor"), ("Ben Mentee", "Dan Mentor")}
    assert len(mail.outbox) == 4
    ana_mail = next(m for m in mail.outbox if m.to == ["ana@example.org"])
    assert "Cat Mentor" in ana_mail.subject
    assert "Negotiation" in ana_mail.body
    assert isinstance(ana_mail, EmailMultiAlternatives)
    assert "Negotiation" in str(ana_mail.alternatives[0][0])
    # A second publish, or a re-delivered introduction task, sends nothing more.
    assert runs.match_run_publish(run=run, by=coordinator) == 0
    for mentorship in Mentorship.objects.all():
        assert runs.match_introduction_send(mentorship_id=mentorship.pk) == 0
    assert len(mail.outbox) == 4


def test_publish_is_all_or_nothing_when_a_mentor_filled_up(
    program: Program, coordinator: User, people: dict[str, Participant], criteria: None
) -> None:
    run = _run(program, coordinator)
    # Meanwhile Dan took a mentee through another way: the draft no longer fits.
    other = _person(program, "Zoe Mentee", Participant.Role.MENTEE)
    from pairs.mentorships import mentorship_create

    mentorship_create(
        program=program, mentor=people["dan"], mentee=other, source="manual", by=coordinator
    )
    with pytest.raises(ProgramError, match="no longer has room"):
        runs.match_run_publish(run=run, by=coordinator)
    assert Mentorship.objects.count() == 1
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DRAFT


# -- views ---------------------------------------------------------------------------


def test_coordinator_sets_criteria_runs_and_reviews(
    client: Client,
    program: Program,
    coordinator: User,
    people: dict[str, Participant],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(coordinator)
    url = reverse("matching:criteria", args=[program.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "recommended"})
    assert response.status_code == 302
    assert MatchCriterion.objects.filter(program=program).count() == len(inputs.RECOMMENDED)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:run_start", args=[program.pk]))
    run = MatchRun.objects.get()
    detail = reverse("matching:run_detail", args=[program.pk, run.pk])
    assert response["Location"] == detail
    page = client.get(detail)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ana Mentee" in html
    assert "Cat Mentor" in html
    assert "Score distribution" in html


def test_bad_criterion_shows_a_field_error(
    client: Client, program: Program, coordinator: User
) -> None:
    client.force_login(coordinator)
    url = reverse("matching:criteria", args=[program.pk])
    response = client.post(
        url,
        {
            "action": "criterion",
            "criterion-field": "department",
            "criterion-rule": "similar",
            "criterion-weight": "high",
            "criterion-min_gap": "1",
            "criterion-max_hours": "8",
        },
    )
    assert response.status_code == 200
    assert "does not apply to" in response.content.decode()
    assert not MatchCriterion.objects.exists()


def test_views_edit_and_publish(
    client: Client,
    program: Program,
    coordinator: User,
    people: dict[str, Participant],
    criteria: None,
) -> None:
    run = _run(program, coordinator)
    client.force_login(coordinator)
    edit = reverse("matching:run_edit", args=[program.pk, run.pk])
    response = client.post(
        edit, {"action": "swap", "mentee_a": people["ana"].pk, "mentee_b": people["ben"].pk}
    )
    assert response.status_code == 302
    assert _pairs(run)["Ana Mentee"] == "Dan Mentor"
    response = client.post(edit, {"action": "swap", "mentee_a": "x", "mentee_b": ""})
    assert response.status_code == 302
    whatif = client.get(
        reverse("matching:run_whatif", args=[program.pk, run.pk]), {"objective": "fairness"}
    )
    assert whatif.status_code == 200
    assert "Nothing was saved" in whatif.content.decode()
    response = client.post(reverse("matching:run_publish", args=[program.pk, run.pk]))
    assert response.status_code == 302
    assert Mentorship.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("criteria", "get"),
        ("run_start", "post"),
        ("run_detail", "get"),
        ("run_edit", "post"),
        ("run_whatif", "get"),
        ("run_publish", "post"),
    ],
)
def test_only_the_programs_coordinators_reach_matching(
    client: Client,
    program: Program,
    coordinator: User,
    other_coordinator: User,
    hr: User,
    people: dict[str, Participant],
    criteria: None,
    name: str,
    method: str,
) -> None:
    run = _run(program, coordinator)
    args = [program.pk] if name in ("criteria", "run_start") else [program.pk, run.pk]
    url = reverse(f"matching:{name}", args=args)
    expected = {other_coordinator: 404, hr: 403, people["ana"].user: 403}
    for user, status in expected.items():
        assert user is not None
        client.force_login(user)
        response = getattr(client, method)(url)
        assert response.status_code == status, (user, name)
    client.logout()
    assert getattr(client, method)(url).status_code == 302  # to the login page
    assert MatchRun.objects.count() == 1
    assert not Mentorship.objects.exists()


def test_review_page_costs_the_same_queries_with_more_pairs(
    client: Client,
    program: Program,
    coordinator: User,
    people: dict[str, Participant],
    criteria: None,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(30):
        _person(program, f"Extra{n} Mentee", Participant.Role.MENTEE, interests=["Design"])
        _person(
            program, f"Helper{n} Mentor", Participant.Role.MENTOR, skills=["design"], capacity=1
        )
    run = _run(program, coordinator)
    client.force_login(coordinator)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("matching:run_detail", args=[program.pk, run.pk]))
    assert response.status_code == 200
    assert run.summary["matched"] == 32


def test_time_zone_reasons_read_as_one_line_that_still_adds_up(
    program: Program, coordinator: User, people: dict[str, Participant], criteria: None
) -> None:
    runs.criterion_add(
        program=program,
        by=coordinator,
        field="time_zone",
        mentor_field="",
        rule="time_zone",
        weight="medium",
        custom_weight=None,
        min_gap=1,
        max_hours=8,
    )
    # A person's own time zone (what every page shows) is the one matched on.
    for name, zone in (("ana", "Europe/Berlin"), ("cat", "America/New_York")):
        Participant.objects.filter(pk=people[name].pk).update(time_zone=zone)
        User.objects.filter(participations=people[name]).update(time_zone=zone)
    run = _run(program, coordinator)
    proposal = MatchProposal.objects.get(run=run, mentee=people["ana"])
    assert proposal.mentor_id == people["cat"].pk
    kinds = [part["kind"] for part in proposal.explanation]
    assert "baseline" not in kinds
    zone = next(part for part in proposal.explanation if part["kind"] == "time_zone")
    assert zone["text"] == "6 hours apart"
    # 6 of 8 hours: a quarter of the time-zone points are left.
    assert 0 < zone["points"] < zone["max_points"]
    assert sum(part["points"] for part in proposal.explanation) == proposal.score


def test_publishing_matches_is_audited_once(
    program: Program, coordinator: User, people: dict[str, Participant], criteria: None
) -> None:
    from mentoring.models import AuditEvent

    run = _run(program, coordinator)
    runs.match_run_publish(run=run, by=coordinator)
    runs.match_run_publish(run=run, by=coordinator)  # already published: nothing happens

    event = AuditEvent.objects.get(action=AuditEvent.Action.MATCH_PUBLISH)
    assert event.actor_email == coordinator.email
    assert (event.target_type, event.target_id) == ("matching.matchrun", str(run.pk))
    assert event.detail == {"program_id": program.pk, "pairs": 2}


def test_a_mentee_waiting_for_a_new_mentor_is_matched_first(
    program: Program, coordinator: User, people: dict[str, Participant], criteria: None
) -> None:
    # Eve fits Dan less well than Ben does, but her mentorship ended and she asked for
    # a new mentor: she gets Dan's only place, and the draft does not call it a pin.
    eve = _person(program, "Eve Mentee", Participant.Role.MENTEE, interests=["Cooking"])
    Participant.objects.filter(pk=eve.pk).update(rematch_requested_at=timezone.now())
    run = _run(program, coordinator)
    pairs = _pairs(run)
    assert pairs["Eve Mentee"] is not None
    assert list(pairs.values()).count(None) == 1
    proposal = MatchProposal.objects.get(run=run, mentee=eve)
    assert not proposal.pinned
    # Without the request, the better-fitting mentees keep both places.
    Participant.objects.filter(pk=eve.pk).update(rematch_requested_at=None)
    again = _run(program, coordinator)
    assert _pairs(again)["Eve Mentee"] is None


# -- introductions whose tasks were lost -----------------------------------------------


def test_pairs_whose_introduction_tasks_were_lost_are_introduced_once_by_the_sweep(
    program: Program, coordinator: User, people: dict[str, Participant], criteria: None
) -> None:
    run = _run(program, coordinator)
    # No on_commit capture: the introduction tasks are queued nowhere, as if lost.
    assert runs.match_run_publish(run=run, by=coordinator) == 2
    assert mail.outbox == []

    assert runs.match_introductions_send() == 4
    assert runs.match_introductions_send() == 0
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(p.user.email for p in people.values() if p.user)
    assert not Mentorship.objects.filter(introduced_at__isnull=True).exists()


def test_a_pair_half_introduced_when_its_sender_died_gets_only_the_missing_email(
    program: Program, coordinator: User, people: dict[str, Participant], criteria: None
) -> None:
    run = _run(program, coordinator)
    runs.match_run_publish(run=run, by=coordinator)
    pair = Mentorship.objects.select_related("mentee__user").get(mentee=people["ana"])
    # The dead sender committed the mentee's email and died before the mentor's.
    Delivery.objects.create(
        kind="match-introduction", key=f"{pair.pk}:{pair.mentee_id}", sent_at=timezone.now()
    )

    assert runs.match_introductions_send() == 3
    assert "ana@example.org" not in [m.to[0] for m in mail.outbox]
    assert runs.match_introductions_send() == 0


def test_pairs_made_by_hand_get_no_introduction_from_the_sweep(program: Program) -> None:
    mentorship_make(program=program)
    assert runs.match_introductions_send() == 0
    assert mail.outbox == []


def test_beat_runs_the_introduction_sweep() -> None:
    from django.conf import settings

    from mentoring.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["send-match-introductions"]
    assert entry["task"] in app.tasks
    assert float(entry["schedule"]) <= 60  # type: ignore[arg-type]


def test_a_draft_without_new_pairs_keeps_publish_focusable_and_says_why(
    client: Client, program: Program, coordinator: User
) -> None:
    run = MatchRun.objects.create(
        program=program,
        status=MatchRun.Status.DRAFT,
        objective="total",
        config=inputs.config_from_program(program),
        summary={"matched": 0, "unmatched": 0, "total": 0},
    )
    client.force_login(coordinator)

    html = client.get(reverse("matching:run_detail", args=[program.pk, run.pk])).content.decode()

    assert (
        '<button type="button" class="btn btn--primary" aria-disabled="true" '
        'aria-describedby="publish-why">'
    ) in html
    assert 'id="publish-why">Nothing to publish: this draft has no new pairs' in html
