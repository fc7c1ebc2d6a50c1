"""Participant pages: the list with its filters and row actions, inviting by email,
and profile reminders. Coordinators only: HR and participants 403, outsiders 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.models import User
from programs.models import Participant, Profile, Program
from programs.services import invite_token_make
from tests.factories import user_create
from tests.factories.programs import participant_create

# Emails go out from Celery tasks: run them in-process, with SQLite or PostgreSQL.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _login(client: Client, user: User | None) -> Client:
    assert user is not None
    client.force_login(user)
    return client


def _html(response) -> str:
    return response.content.decode()


def _list_url(program: Program) -> str:
    return reverse("programs:participant_list", args=[program.pk])


# ------------------------------------------------------------------------------
# The list
# ------------------------------------------------------------------------------


def test_a_coordinator_sees_everyone_with_status_department_and_profile(
    client: Client, coordinator: User, program: Program, mentee: Participant, mentor: Participant
) -> None:
    assert mentor.user is not None
    Profile.objects.create(user=mentor.user, department="Research")
    mentee.profile_completed_at = NOW
    mentee.save()

    response = _login(client, coordinator).get(_list_url(program))

    html = _html(response)
    assert response.status_code == 200
    assert "Mia Mentee" in html
    assert mentee.email in html
    assert "Max Mentor" in html
    assert "Research" in html  # the person's own profile wins over the invitation's
    assert "Complete" in html
    assert "Incomplete" in html
    assert reverse("programs:participant_status", args=[program.pk, mentor.pk]) in html
    assert html.count("<h1") == 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"role": "mentor"}, {"Max Mentor"}),
        ({"status": "paused"}, {"Pat Paused"}),
        ({"profile": "incomplete"}, {"Max Mentor", "Pat Paused"}),
        ({"profile": "complete"}, {"Mia Mentee"}),
        ({"q": "mia"}, {"Mia Mentee"}),
        ({"q": "PAUSED@EXAMPLE"}, {"Pat Paused"}),
        ({"role": "nonsense"}, {"Mia Mentee", "Max Mentor", "Pat Paused"}),
    ],
)
def test_the_list_filters_by_role_status_profile_and_search(
    client: Client,
    coordinator: User,
    program: Program,
    mentee: Participant,
    mentor: Participant,
    params: dict[str, str],
    expected: set[str],
) -> None:
    mentee.profile_completed_at = NOW
    mentee.save()
    participant_create(
        program=program,
        user=user_create(full_name="Pat Paused", email="paused@example.org"),
        status=Participant.Status.PAUSED,
    )

    response = _login(client, coordinator).get(_list_url(program), params)

    shown = {p.user.display_name for p in response.context["page"].object_list}
    assert shown == expected


def test_filtering_with_htmx_returns_only_the_table(
    client: Client, coordinator: User, program: Program, mentee: Participant, mentor: Participant
) -> None:
    response = _login(client, coordinator).get(
        _list_url(program), {"role": "mentee"}, headers={"HX-Request": "true"}
    )
    html = _html(response)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="participant-table"')
    assert "<html" not in html
    assert "Mia Mentee" in html
    assert "Max Mentor" not in html


def test_the_filter_form_updates_the_table_in_place(
    client: Client, coordinator: User, program: Program
) -> None:
    html = _html(_login(client, coordinator).get(_list_url(program)))
    assert 'hx-target="#participant-table"' in html
    assert 'hx-push-url="true"' in html


def test_an_empty_program_suggests_inviting_people(
    client: Client, coordinator: User, program: Program
) -> None:
    html = _html(_login(client, coordinator).get(_list_url(program)))
    assert "No participants yet" in html
    assert reverse("programs:participant_invite", args=[program.pk]) in html


def _enrol_many(program: Program, count: int, start: int = 0) -> None:
    """Enrol people quickly, half of them with a profile of their own."""
    users = User.objects.bulk_create(
        User(email=f"bulk{n}@example.org", full_name=f"Bulk Person {n:04d}")
        for n in range(start, start + count)
    )
    Profile.objects.bulk_create(Profile(user=u, department="Sales") for u in users[::2])
    Participant.objects.bulk_create(
        Participant(
            program=program,
            user=u,
            email=u.email,
            full_name=u.full_name,
            role=Participant.Role.MENTOR if i % 3 else Participant.Role.MENTEE,
            status=Participant.Status.ACTIVE,
            department="Engineering",
            invited_at=NOW,
            joined_at=NOW,
        )
        for i, u in enumerate(users)
    )


def test_the_list_costs_the_same_number_of_queries_for_5_and_500_people_and_paginates(
    client: Client, coordinator: User, program: Program
) -> None:
    def count_queries(**params: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_list_url(program), params)
        assert response.status_code == 200
        return len(queries)

    _login(client, coordinator)
    _enrol_many(program, 5)
    five = count_queries()
    five_filtered = count_queries(q="bulk", role="mentor")

    _enrol_many(program, 495, start=5)
    assert count_queries() == five
    assert count_queries(q="bulk", role="mentor") == five_filtered

    first = client.get(_list_url(program))
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.num_pages == 10
    assert "Page 1 of 10" in _html(first)
    assert "Showing 1\N{EN DASH}50 of 500 participants" in _html(first)
    last = client.get(_list_url(program), {"page": 10})
    assert len(last.context["page"].object_list) == 50
    assert "Bulk Person 0499" in _html(last)


def test_the_participant_list_is_for_coordinators_only(
    client: Client,
    program: Program,
    hr: User,
    staff: User,
    mentee: Participant,
    outsider: User,
    other_coordinator: User,
) -> None:
    url = _list_url(program)
    assert _login(client, hr).get(url).status_code == 403
    assert _login(client, staff).get(url).status_code == 403
    assert _login(client, mentee.user).get(url).status_code == 403
    assert _login(client, outsider).get(url).status_code == 404
    assert _login(client, other_coordinator).get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# ------------------------------------------------------------------------------
# Row actions
# ------------------------------------------------------------------------------


def _status_url(participant: Participant) -> str:
    return reverse("programs:participant_status", args=[participant.program_id, participant.pk])


def test_a_coordinator_approves_pauses_resumes_and_withdraws(
    client: Client, coordinator: User, program: Program
) -> None:
    person = participant_create(program=program, status=Participant.Status.APPLIED)
    _login(client, coordinator)
    for status in ("active", "paused", "active", "withdrawn"):
        response = client.post(_status_url(person), {"status": status})
        assert response.status_code == 302
        person.refresh_from_db()
        assert person.status == status
    assert person.joined_at is not None


def test_an_illegal_status_change_is_explained(
    client: Client, coordinator: User, mentee: Participant
) -> None:
    response = _login(client, coordinator).post(
        _status_url(mentee), {"status": "invited"}, follow=True
    )
    assert "cannot go from Active to Invited" in _html(response)
    mentee.refresh_from_db()
    assert mentee.status == Participant.Status.ACTIVE


def test_a_row_action_returns_to_the_filtered_list_but_never_elsewhere(
    client: Client, coordinator: User, mentee: Participant
) -> None:
    _login(client, coordinator)
    back = _list_url(mentee.program) + "?role=mentee&page=1"
    response = client.post(_status_url(mentee), {"status": "paused", "next": back})
    assert response["Location"] == back
    response = client.post(
        _status_url(mentee), {"status": "active", "next": "https://evil.example/"}
    )
    assert response["Location"] == _list_url(mentee.program)


def test_a_row_action_with_htmx_returns_the_refreshed_table(
    client: Client, coordinator: User, mentee: Participant, mentor: Participant
) -> None:
    back = _list_url(mentee.program) + "?role=mentee"
    response = _login(client, coordinator).post(
        _status_url(mentee),
        {"status": "paused", "next": back},
        headers={"HX-Request": "true"},
    )
    html = _html(response)
    assert response.status_code == 200
    assert 'id="participant-table"' in html
    assert "Mia Mentee is paused." in html  # the message rides along out of band
    assert "Max Mentor" not in html  # the filter of the page it came from still applies


def test_a_participant_of_another_program_cannot_be_changed_through_this_one(
    client: Client, coordinator: User, program: Program, other_program: Program
) -> None:
    stranger = participant_create(program=other_program)
    url = reverse("programs:participant_status", args=[program.pk, stranger.pk])
    assert _login(client, coordinator).post(url, {"status": "paused"}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.status == Participant.Status.ACTIVE


def test_only_coordinators_change_statuses(
    client: Client, mentee: Participant, mentor: Participant, hr: User, outsider: User
) -> None:
    url = _status_url(mentee)
    assert _login(client, hr).post(url, {"status": "paused"}).status_code == 403
    assert _login(client, mentee.user).post(url, {"status": "withdrawn"}).status_code == 403
    assert _login(client, mentor.user).post(url, {"status": "paused"}).status_code == 403
    assert _login(client, outsider).post(url, {"status": "paused"}).status_code == 404
    assert client.get(url).status_code == 405
    mentee.refresh_from_db()
    assert mentee.status == Participant.Status.ACTIVE


def test_resending_an_invitation_sends_a_new_link(
    client: Client, coordinator: User, program: Program, django_capture_on_commit_callbacks
) -> None:
    invited = participant_create(
        program=program, user=None, email="ada@example.org", status="invited"
    )
    invited.invite_nonce = "old-nonce"
    invited.save()
    old_token = invite_token_make(invited)
    url = reverse("programs:participant_resend", args=[program.pk, invited.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = _login(client, coordinator).post(url, follow=True)

    assert "A new invitation is on its way to ada@example.org" in _html(response)
    invited.refresh_from_db()
    assert invited.invite_nonce not in ("", "old-nonce")
    assert len(mail.outbox) == 1
    assert old_token not in str(mail.outbox[0].body)
    assert invite_token_make(invited) in str(mail.outbox[0].body)


def test_resending_is_limited_per_invitee_and_per_coordinator(
    client: Client,
    coordinator: User,
    program: Program,
    settings,
    django_capture_on_commit_callbacks,
) -> None:
    settings.INVITATION_RESENDS_PER_INVITEE_PER_HOUR = 3
    settings.INVITATION_RESENDS_PER_COORDINATOR_PER_HOUR = 5
    people = [
        participant_create(program=program, user=None, email=f"p{i}@example.org", status="invited")
        for i in range(3)
    ]
    _login(client, coordinator)

    def resend(person: Participant) -> str:
        url = reverse("programs:participant_resend", args=[program.pk, person.pk])
        with django_capture_on_commit_callbacks(execute=True):
            return _html(client.post(url, follow=True))

    # Hammering one person: three go out, the rest are refused with the reason.
    for _ in range(3):
        assert "A new invitation is on its way" in resend(people[0])
    refused = resend(people[0])
    assert "already been sent 3 invitations in the last hour" in refused
    assert len(mail.outbox) == 3
    # Across people, the coordinator's own hourly limit applies.
    assert "A new invitation is on its way" in resend(people[1])
    assert "A new invitation is on its way" in resend(people[1])
    assert "You have resent 5 invitations in the last hour" in resend(people[2])
    assert len(mail.outbox) == 5
    # A refused resend changed nothing: the person's current link still works.
    token = invite_token_make(people[2])
    people[2].refresh_from_db()
    assert invite_token_make(people[2]) == token


def test_resending_to_someone_who_already_joined_is_refused(
    client: Client, coordinator: User, mentee: Participant, hr: User
) -> None:
    url = reverse("programs:participant_resend", args=[mentee.program_id, mentee.pk])
    response = _login(client, coordinator).post(url, follow=True)
    assert "Only people who have not accepted yet" in _html(response)
    assert mail.outbox == []
    assert _login(client, hr).post(url).status_code == 403


# ------------------------------------------------------------------------------
# Inviting by email
# ------------------------------------------------------------------------------


def _invite_url(program: Program) -> str:
    return reverse("programs:participant_invite", args=[program.pk])


def test_a_coordinator_invites_a_pasted_list(
    client: Client, coordinator: User, program: Program, django_capture_on_commit_callbacks
) -> None:
    existing = user_create(email="grace@example.org")
    pasted = (
        "ada@example.org\nGrace Hopper <Grace@Example.org>; alan@example.org,\n\nada@example.org"
    )
    _login(client, coordinator)
    assert client.get(_invite_url(program)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_invite_url(program), {"emails": pasted, "role": "mentor"})

    assert response.status_code == 302
    assert response["Location"] == _list_url(program)
    invited = {p.email: p for p in program.participants.all()}
    assert set(invited) == {"ada@example.org", "grace@example.org", "alan@example.org"}
    assert all(p.role == "mentor" and p.status == "invited" for p in invited.values())
    assert invited["grace@example.org"].full_name == "Grace Hopper"
    assert invited["grace@example.org"].user == existing
    assert sorted(m.to[0] for m in mail.outbox) == sorted(invited)


def test_a_bad_list_invites_nobody_and_names_each_bad_line(
    client: Client, coordinator: User, program: Program, mentee: Participant
) -> None:
    pasted = f"ada@example.org\nnot-an-address\nGrace <grace@>\n{mentee.email.upper()}"

    response = _login(client, coordinator).post(
        _invite_url(program), {"emails": pasted, "role": "mentee"}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["emails"]
    assert any(e.startswith("Line 2:") and "not-an-address" in e for e in errors)
    assert any(e.startswith("Line 3:") for e in errors)
    assert any(e.startswith("Line 4:") and "already in this program" in e for e in errors)
    assert not any(e.startswith("Line 1:") for e in errors)
    assert "Nobody was invited" in _html(response)
    assert list(program.participants.all()) == [mentee]
    assert mail.outbox == []


def test_the_invite_page_links_to_the_csv_import(
    client: Client, coordinator: User, program: Program
) -> None:
    html = _html(_login(client, coordinator).get(_invite_url(program)))
    assert reverse("programs:import_upload", args=[program.pk]) in html


def test_only_coordinators_invite(
    client: Client, program: Program, hr: User, mentee: Participant, outsider: User
) -> None:
    data = {"emails": "ada@example.org", "role": "mentee"}
    assert _login(client, hr).post(_invite_url(program), data).status_code == 403
    assert _login(client, mentee.user).get(_invite_url(program)).status_code == 403
    assert _login(client, outsider).post(_invite_url(program), data).status_code == 404
    assert not Participant.objects.filter(email="ada@example.org").exists()


# ------------------------------------------------------------------------------
# Profile reminders
# ------------------------------------------------------------------------------


def _remind_url(program: Program) -> str:
    return reverse("programs:profile_reminders_send", args=[program.pk])


def test_a_coordinator_reminds_people_with_incomplete_profiles_once_a_day(
    client: Client,
    coordinator: User,
    program: Program,
    mentee: Participant,
    mentor: Participant,
    django_capture_on_commit_callbacks,
    time_machine,
) -> None:
    time_machine.move_to(NOW, tick=False)
    mentor.profile_completed_at = NOW
    mentor.save()
    _login(client, coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_remind_url(program), follow=True)

    assert "A reminder is on its way to 1 person" in _html(response)
    assert [m.to for m in mail.outbox] == [[mentee.user.email]]  # type: ignore[union-attr]
    link = reverse("programs:participant_profile", args=[program.pk])
    assert link in str(mail.outbox[0].body)
    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert link in str(message.alternatives[0][0])
    mentee.refresh_from_db()
    assert mentee.profile_reminded_at == NOW

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_remind_url(program), follow=True)
    assert "No one to remind" in _html(response)
    assert len(mail.outbox) == 1


def test_reminders_are_post_only_and_for_coordinators_only(
    client: Client,
    program: Program,
    coordinator: User,
    hr: User,
    mentee: Participant,
    outsider: User,
    django_capture_on_commit_callbacks,
) -> None:
    url = _remind_url(program)
    with django_capture_on_commit_callbacks(execute=True):
        assert _login(client, coordinator).get(url).status_code == 405
        assert _login(client, hr).post(url).status_code == 403
        assert _login(client, mentee.user).post(url).status_code == 403
        assert _login(client, outsider).post(url).status_code == 404
    assert mail.outbox == []
