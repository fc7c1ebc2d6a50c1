"""Services of the programs app: the state machine, goals, invitations, joining by
link, participant statuses and profile reminders."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from mentoring.models import User
from programs import services
from programs.models import Participant, Program, ProgramGoal, ProgramStateChange
from programs.reminder_tasks import send_profile_reminders_task
from programs.services import (
    PARTICIPANT_TRANSITIONS,
    PROGRAM_TRANSITIONS,
    Invitee,
    ProgramError,
)
from programs.tasks import send_invitations_task
from tests.factories import user_create
from tests.factories.programs import participant_create, program_create

# Emails go out from Celery tasks: run them in-process, with SQLite or PostgreSQL.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
STATES = list(Program.State.values)
STATUSES = list(Participant.Status.values)


def _all_moves(transitions: dict[str, frozenset[str]], values: list[str], allowed: bool):
    return [
        pytest.param(a, b, id=f"{a}->{b}")
        for a, b in itertools.product(values, values)
        if (b in transitions[a]) is allowed
    ]


# ------------------------------------------------------------------------------
# The program state machine
# ------------------------------------------------------------------------------


@pytest.mark.parametrize(("from_state", "to_state"), _all_moves(PROGRAM_TRANSITIONS, STATES, True))
def test_an_allowed_move_changes_the_state_and_records_who_and_when(
    from_state: str, to_state: str, coordinator: User, time_machine
) -> None:
    time_machine.move_to(NOW, tick=False)
    program = program_create(state=from_state, coordinators=[coordinator])

    services.program_transition(program=program, to_state=to_state, by=coordinator)

    program.refresh_from_db()
    assert program.state == to_state
    assert program.state_changed_at == NOW
    change = ProgramStateChange.objects.get(program=program)
    assert (change.from_state, change.to_state) == (from_state, to_state)
    assert change.changed_by == coordinator
    assert change.changed_at == NOW


@pytest.mark.parametrize(("from_state", "to_state"), _all_moves(PROGRAM_TRANSITIONS, STATES, False))
def test_a_refused_move_changes_nothing_and_records_nothing(
    from_state: str, to_state: str, coordinator: User
) -> None:
    program = program_create(state=from_state, coordinators=[coordinator])

    with pytest.raises(ProgramError, match="cannot go from"):
        services.program_transition(program=program, to_state=to_state, by=coordinator)

    program.refresh_from_db()
    assert program.state == from_state
    assert not ProgramStateChange.objects.exists()


def test_an_unknown_state_is_refused(program: Program, coordinator: User) -> None:
    with pytest.raises(ProgramError, match="Unknown state"):
        services.program_transition(program=program, to_state="paused", by=coordinator)
    assert not ProgramStateChange.objects.exists()


def test_the_full_life_of_a_program_leaves_an_audit_trail(coordinator: User) -> None:
    program = services.program_create(created_by=coordinator, name="  Leaders  ", is_evergreen=True)
    for state in ("enrolling", "matching", "running", "closed"):
        services.program_transition(program=program, to_state=state, by=coordinator)
    trail = list(
        ProgramStateChange.objects.filter(program=program)
        .order_by("id")
        .values_list("from_state", "to_state")
    )
    assert trail == [
        ("draft", "enrolling"),
        ("enrolling", "matching"),
        ("matching", "running"),
        ("running", "closed"),
    ]
    assert services.program_allowed_transitions(program) == []


def test_creating_a_program_makes_its_creator_a_coordinator(coordinator: User) -> None:
    program = services.program_create(
        created_by=coordinator,
        name="  Leaders  ",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2027, 6, 30),
    )
    assert program.name == "Leaders"
    assert program.state == Program.State.DRAFT
    assert list(program.coordinators.all()) == [coordinator]


def test_a_program_needs_dates_or_to_be_evergreen(coordinator: User) -> None:
    with pytest.raises(ProgramError, match="evergreen"):
        services.program_create(created_by=coordinator, name="No dates")
    with pytest.raises(ProgramError, match="end date"):
        services.program_create(
            created_by=coordinator,
            name="Backwards",
            starts_on=dt.date(2026, 9, 1),
            ends_on=dt.date(2026, 8, 1),
        )
    assert not Program.objects.exists()


def test_closed_programs_refuse_changes(coordinator: User) -> None:
    program = program_create(state=Program.State.CLOSED, coordinators=[coordinator])

    with pytest.raises(ProgramError, match="closed"):
        services.program_update(program=program, by=coordinator, name="Renamed")
    with pytest.raises(ProgramError, match="closed"):
        services.program_goal_set(
            program=program,
            metric=ProgramGoal.Metric.COMPLETION_RATE,
            target_value=Decimal(80),
            target_on=dt.date(2027, 6, 1),
            by=coordinator,
        )
    with pytest.raises(ProgramError, match="closed"):
        services.participants_invite(
            program=program,
            invitees=[Invitee(email="new@example.org", role="mentee")],
            by=coordinator,
        )

    program.refresh_from_db()
    assert program.name != "Renamed"
    assert not program.goals.exists()
    assert not program.participants.exists()


def test_updating_a_program_saves_the_fields(program: Program, coordinator: User) -> None:
    services.program_update(
        program=program, by=coordinator, name="Renamed", checkin_cadence_days=30
    )
    program.refresh_from_db()
    assert (program.name, program.checkin_cadence_days) == ("Renamed", 30)


def test_the_last_coordinator_cannot_be_removed(program: Program, coordinator: User) -> None:
    with pytest.raises(ProgramError, match="at least one coordinator"):
        services.program_coordinator_remove(program=program, user=coordinator, by=coordinator)
    assert list(program.coordinators.all()) == [coordinator]

    helper = user_create()
    services.program_coordinator_add(program=program, user=helper, by=coordinator)
    services.program_coordinator_remove(program=program, user=coordinator, by=coordinator)
    assert list(program.coordinators.all()) == [helper]


def test_resetting_the_join_link_retires_the_old_one(program: Program, coordinator: User) -> None:
    first = services.program_join_link_enable(program=program, by=coordinator)
    second = services.program_join_link_enable(program=program, by=coordinator)
    assert first != second
    joiner = user_create()
    with pytest.raises(ProgramError, match="not valid"):
        services.participant_join_by_link(
            program=program, token=first, user=joiner, role=Participant.Role.MENTEE
        )
    services.program_join_link_disable(program=program, by=coordinator)
    program.refresh_from_db()
    assert program.join_token is None


# ------------------------------------------------------------------------------
# Goals
# ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "value", "ok"),
    [
        ("cadence_share", "0", True),
        ("cadence_share", "100", True),
        ("cadence_share", "100.01", False),
        ("completion_rate", "85.5", True),
        ("retention_rate", "101", False),
        ("promotion_rate", "-1", False),
        ("avg_satisfaction", "1", True),
        ("avg_satisfaction", "4.5", True),
        ("avg_satisfaction", "5", True),
        ("avg_satisfaction", "0.5", False),
        ("avg_satisfaction", "5.1", False),
    ],
)
def test_goal_targets_must_fit_their_metric(
    program: Program, coordinator: User, metric: str, value: str, ok: bool
) -> None:
    def set_goal() -> ProgramGoal:
        return services.program_goal_set(
            program=program,
            metric=metric,
            target_value=Decimal(value),
            target_on=dt.date(2027, 6, 1),
            by=coordinator,
        )

    if ok:
        goal = set_goal()
        assert goal.target_value == Decimal(value)
    else:
        with pytest.raises(ProgramError, match="between"):
            set_goal()
        assert not program.goals.exists()


def test_setting_a_goal_again_replaces_its_target(program: Program, coordinator: User) -> None:
    for value in ("60", "75"):
        services.program_goal_set(
            program=program,
            metric=ProgramGoal.Metric.CADENCE_SHARE,
            target_value=Decimal(value),
            target_on=dt.date(2027, 6, 1),
            by=coordinator,
        )
    goal = program.goals.get()
    assert goal.target_value == Decimal(75)


def test_an_unknown_metric_is_refused(program: Program, coordinator: User) -> None:
    with pytest.raises(ProgramError, match="Unknown metric"):
        services.program_goal_set(
            program=program,
            metric="happiness",
            target_value=Decimal(1),
            target_on=dt.date(2027, 6, 1),
            by=coordinator,
        )


# ------------------------------------------------------------------------------
# Invitations
# ------------------------------------------------------------------------------


def _invite(program: Program, coordinator: User, *emails: str, role: str = "mentee"):
    return services.participants_invite(
        program=program,
        invitees=[Invitee(email=email, role=role) for email in emails],
        by=coordinator,
    )


def test_inviting_enrols_people_and_emails_each_a_link_once_committed(
    program: Program, coordinator: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invited = _invite(program, coordinator, "Ada@Example.org", "grace@example.org")
        assert mail.outbox == []  # nothing leaves before the transaction commits

    assert sorted(p.email for p in invited) == ["ada@example.org", "grace@example.org"]
    assert all(p.status == Participant.Status.INVITED for p in invited)
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "grace@example.org"]
    for message in mail.outbox:
        assert "/programs/invitations/" in str(message.body)
        assert isinstance(message, EmailMultiAlternatives)
        assert message.alternatives  # an HTML part too
    assert Participant.objects.filter(program=program, invited_at__isnull=False).count() == 2


def test_invitations_are_all_or_nothing(
    program: Program, coordinator: User, mentee: Participant, django_capture_on_commit_callbacks
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ProgramError, match="Already in this program"),
    ):
        _invite(program, coordinator, "new@example.org", mentee.email.upper())

    assert not Participant.objects.filter(email="new@example.org").exists()
    assert mail.outbox == []


def test_a_draft_program_takes_no_invitations_until_enrolment_opens(
    coordinator: User,
) -> None:
    draft = program_create(state=Program.State.DRAFT, coordinators=[coordinator])
    with pytest.raises(ProgramError, match="Open enrolment"):
        _invite(draft, coordinator, "early@example.org")
    assert not Participant.objects.filter(program=draft).exists()

    services.program_transition(program=draft, to_state=Program.State.ENROLLING, by=coordinator)
    assert [p.email for p in _invite(draft, coordinator, "early@example.org")] == [
        "early@example.org"
    ]


def test_inviting_links_existing_accounts_by_email_in_any_case(
    program: Program, coordinator: User
) -> None:
    ada = user_create(email="ada@example.org")
    (invited,) = _invite(program, coordinator, "ADA@example.ORG")
    assert invited.user == ada


def test_a_person_can_mentor_in_one_program_and_be_mentored_in_another(
    program: Program, other_program: Program, coordinator: User, other_coordinator: User
) -> None:
    _invite(program, coordinator, "ada@example.org", role="mentor")
    _invite(other_program, other_coordinator, "ada@example.org", role="mentee")
    roles = dict(
        Participant.objects.filter(email="ada@example.org").values_list("program_id", "role")
    )
    assert roles == {program.pk: "mentor", other_program.pk: "mentee"}


def test_an_invitation_is_emailed_once_even_if_the_task_runs_twice(
    program: Program, coordinator: User
) -> None:
    # Outside on_commit capture, the enqueued task does not run: run it by hand, twice.
    (invited,) = _invite(program, coordinator, "ada@example.org")
    assert send_invitations_task(participant_ids=[invited.pk]) == 1
    assert send_invitations_task(participant_ids=[invited.pk]) == 0
    assert len(mail.outbox) == 1


def test_resending_an_invitation_retires_the_old_link(
    program: Program, coordinator: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        (invited,) = _invite(program, coordinator, "ada@example.org")
    old_token = services.invite_token_make(invited)

    with django_capture_on_commit_callbacks(execute=True):
        services.participant_invitation_resend(participant=invited, by=coordinator)

    invited.refresh_from_db()
    assert len(mail.outbox) == 2
    with pytest.raises(ProgramError, match="replaced"):
        services.invite_token_participant(old_token)
    # The emailed link carries the new token (read from the email: a token made again
    # now may carry a later signing time, so it need not be the same string).
    emailed = re.search(r"/invitations/([^/\s]+)/", str(mail.outbox[1].body))
    assert emailed is not None, mail.outbox[1].body
    assert emailed.group(1) != old_token
    assert services.invite_token_participant(emailed.group(1)) == invited


def test_only_pending_invitations_can_be_resent(mentee: Participant, coordinator: User) -> None:
    with pytest.raises(ProgramError, match="not accepted"):
        services.participant_invitation_resend(participant=mentee, by=coordinator)


def test_an_invitation_can_be_accepted_once(program: Program, coordinator: User) -> None:
    (invited,) = _invite(program, coordinator, "ada@example.org")
    token = services.invite_token_make(invited)
    ada = user_create(email="ada@example.org", full_name="")

    accepted = services.participant_invitation_accept(token=token, user=ada)

    assert accepted.user == ada
    assert accepted.status == Participant.Status.ACTIVE
    assert accepted.joined_at is not None
    assert hasattr(ada, "profile")
    with pytest.raises(ProgramError, match="already been used"):
        services.participant_invitation_accept(token=token, user=ada)


def test_an_invitation_for_another_account_is_refused(program: Program, coordinator: User) -> None:
    ada = user_create(email="ada@example.org")
    (invited,) = _invite(program, coordinator, "ada@example.org")
    assert invited.user == ada
    token = services.invite_token_make(invited)

    with pytest.raises(ProgramError, match="another account"):
        services.participant_invitation_accept(token=token, user=user_create())

    invited.refresh_from_db()
    assert invited.status == Participant.Status.INVITED


def test_a_withdrawn_invitation_link_no_longer_works(program: Program, coordinator: User) -> None:
    (invited,) = _invite(program, coordinator, "ada@example.org")
    token = services.invite_token_make(invited)

    services.participant_status_set(
        participant=invited, status=Participant.Status.WITHDRAWN, by=coordinator
    )

    with pytest.raises(ProgramError):
        services.participant_invitation_accept(token=token, user=user_create())
    invited.refresh_from_db()
    assert invited.status == Participant.Status.WITHDRAWN
    assert invited.user is None


def test_a_tampered_invitation_link_is_refused() -> None:
    with pytest.raises(ProgramError, match="not valid"):
        services.invite_token_participant("not-a-token")


# ------------------------------------------------------------------------------
# Joining with the shareable link
# ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("needs_approval", "status"),
    [(True, Participant.Status.APPLIED), (False, Participant.Status.ACTIVE)],
)
def test_joining_by_link_waits_for_approval_only_when_asked(
    program: Program, coordinator: User, needs_approval: bool, status: str
) -> None:
    program.join_requires_approval = needs_approval
    program.save()
    token = services.program_join_link_enable(program=program, by=coordinator)
    joiner = user_create(email="Joiner@Example.org")

    joined = services.participant_join_by_link(
        program=program, token=token, user=joiner, role=Participant.Role.MENTOR
    )

    assert joined.status == status
    assert joined.email == "joiner@example.org"
    assert (joined.joined_at is None) is needs_approval
    if needs_approval:
        approved = services.participant_status_set(
            participant=joined, status=Participant.Status.ACTIVE, by=coordinator
        )
        assert approved.joined_at is not None


def test_joining_by_link_twice_is_refused(program: Program, coordinator: User) -> None:
    token = services.program_join_link_enable(program=program, by=coordinator)
    joiner = user_create()
    services.participant_join_by_link(program=program, token=token, user=joiner, role="mentee")
    with pytest.raises(ProgramError, match="already in this program"):
        services.participant_join_by_link(program=program, token=token, user=joiner, role="mentor")
    assert program.participants.count() == 1


@pytest.mark.parametrize("state", [Program.State.DRAFT, Program.State.CLOSED])
def test_joining_by_link_needs_an_open_program(coordinator: User, state: str) -> None:
    program = program_create(state=state, coordinators=[coordinator])
    program.join_token = "token-123"
    program.save()
    with pytest.raises(ProgramError, match="not taking new participants"):
        services.participant_join_by_link(
            program=program, token="token-123", user=user_create(), role="mentee"
        )
    assert not program.participants.exists()


# ------------------------------------------------------------------------------
# Participant statuses
# ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_status", "to_status"), _all_moves(PARTICIPANT_TRANSITIONS, STATUSES, True)
)
def test_a_coordinator_may_make_an_allowed_status_change(
    program: Program, coordinator: User, from_status: str, to_status: str
) -> None:
    participant = participant_create(program=program, status=from_status)
    changed = services.participant_status_set(
        participant=participant, status=to_status, by=coordinator
    )
    participant.refresh_from_db()
    assert changed.status == participant.status == to_status


@pytest.mark.parametrize(
    ("from_status", "to_status"), _all_moves(PARTICIPANT_TRANSITIONS, STATUSES, False)
)
def test_a_refused_status_change_leaves_the_participant_as_they_were(
    program: Program, coordinator: User, from_status: str, to_status: str
) -> None:
    participant = participant_create(program=program, status=from_status)
    with pytest.raises(ProgramError, match="cannot go from"):
        services.participant_status_set(participant=participant, status=to_status, by=coordinator)
    participant.refresh_from_db()
    assert participant.status == from_status


def test_only_mentors_have_a_capacity(mentor: Participant, mentee: Participant) -> None:
    services.mentor_capacity_set(participant=mentor, capacity=3, by=mentor.user)  # type: ignore[arg-type]
    mentor.refresh_from_db()
    assert mentor.capacity == 3
    with pytest.raises(ProgramError, match="Only mentors"):
        services.mentor_capacity_set(participant=mentee, capacity=3, by=mentee.user)  # type: ignore[arg-type]
    with pytest.raises(ProgramError, match="between 0 and 50"):
        services.mentor_capacity_set(participant=mentor, capacity=51, by=mentor.user)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------
# Profile reminders
# ------------------------------------------------------------------------------


def _incomplete(program: Program, **fields) -> Participant:
    return participant_create(program=program, profile_completed_at=None, **fields)


def test_reminders_go_to_active_people_with_incomplete_profiles_only(
    program: Program, coordinator: User, django_capture_on_commit_callbacks, time_machine
) -> None:
    time_machine.move_to(NOW, tick=False)
    due = _incomplete(program)
    _incomplete(program, status=Participant.Status.PAUSED)
    _incomplete(program, status=Participant.Status.INVITED)
    participant_create(program=program, profile_completed_at=NOW)
    _incomplete(program, profile_reminded_at=NOW - dt.timedelta(hours=23))
    _incomplete(program_create())  # another program

    with django_capture_on_commit_callbacks(execute=True):
        count = services.profile_reminders_queue(program=program)

    assert count == 1
    assert [m.to for m in mail.outbox] == [[due.email]]
    message = mail.outbox[0]
    assert program.name in message.subject
    assert f"/programs/{program.pk}/my-profile/" in str(message.body)
    assert isinstance(message, EmailMultiAlternatives)
    assert message.alternatives
    due.refresh_from_db()
    assert due.profile_reminded_at == NOW


def test_a_person_is_reminded_at_most_once_a_day(
    program: Program, coordinator: User, django_capture_on_commit_callbacks, time_machine
) -> None:
    time_machine.move_to(NOW, tick=False)
    _incomplete(program)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.profile_reminders_queue(program=program) == 1
    time_machine.move_to(NOW + dt.timedelta(hours=12), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.profile_reminders_queue(program=program) == 0
    time_machine.move_to(NOW + dt.timedelta(hours=24), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.profile_reminders_queue(program=program) == 1
    assert len(mail.outbox) == 2


def test_a_reminder_goes_out_once_even_if_the_task_runs_twice(program: Program) -> None:
    due = _incomplete(program)
    assert send_profile_reminders_task(participant_ids=[due.pk]) == 1
    assert send_profile_reminders_task(participant_ids=[due.pk]) == 0
    assert len(mail.outbox) == 1


def test_a_failed_reminder_gives_its_claim_back_for_the_retry(program: Program) -> None:
    due = _incomplete(program)
    with (
        mock.patch(
            "mentoring.emails.EmailMultiAlternatives.send",
            side_effect=OSError("mail server down"),
        ),
        pytest.raises(OSError, match="mail server down"),
    ):
        services.profile_reminder_send(participant_id=due.pk)
    due.refresh_from_db()
    assert due.profile_reminded_at is None
    assert services.profile_reminder_send(participant_id=due.pk) is True
    assert len(mail.outbox) == 1


def test_a_closed_program_sends_no_reminders(coordinator: User) -> None:
    program = program_create(state=Program.State.CLOSED, coordinators=[coordinator])
    _incomplete(program)
    with pytest.raises(ProgramError, match="closed"):
        services.profile_reminders_queue(program=program)


def test_a_reminder_queued_before_the_program_closed_is_not_sent(
    program: Program, coordinator: User
) -> None:
    due = _incomplete(program)
    services.program_transition(program=program, to_state="closed", by=coordinator)
    assert send_profile_reminders_task(participant_ids=[due.pk]) == 0
    assert mail.outbox == []
