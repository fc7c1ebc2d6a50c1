"""Program events: access, time zones, answers and the waiting list, emails with
invitations, reminders once, attendance."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from events import notices, selectors, services
from events.models import Event, EventRsvp
from events.services import event_rsvp_set
from mentoring.audience import Audience
from mentoring.models import Delivery, User
from programs import calendar as calendar_feeds
from programs.models import Participant, Program
from programs.services import ProgramError
from tests.factories import user_create
from tests.factories.programs import participant_create, program_create

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
GOING, WAITING, MAYBE, NOT_GOING = "going", "waiting", "maybe", "not_going"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def berlin(program: Program) -> Program:
    program.time_zone = "Europe/Berlin"
    program.save(update_fields=["time_zone"])
    return program


def event_make(program: Program, **fields: Any) -> Event:
    starts = fields.pop("starts_at", NOW + dt.timedelta(days=3))
    values: dict[str, Any] = {
        "title": "Feedback workshop",
        "kind": Event.Kind.WORKSHOP,
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=2),
        "location": "Room 4.01",
    }
    values.update(fields)
    return Event.objects.create(program=program, **values)


def person(program: Program, role: str = Participant.Role.MENTEE, **fields: Any) -> Participant:
    return participant_create(program=program, role=role, **fields)


def answer(event: Event, participant: Participant, response: str) -> EventRsvp:
    return event_rsvp_set(event=event, participant=participant, response=response)


def status_of(event: Event, participant: Participant) -> str:
    return EventRsvp.objects.get(event=event, user=participant.user).status


def login(client: Client, who: User | Participant) -> None:
    user = who.user if isinstance(who, Participant) else who
    assert user is not None
    client.force_login(user)


def ics_parts(message: Any) -> list[Message]:
    parsed = message.message()
    return [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]


def ics_of(message: Any) -> Calendar:
    [part] = ics_parts(message)
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return Calendar.from_ical(payload)


def vevent(calendar: Calendar) -> Any:
    [component] = calendar.walk("VEVENT")
    return component


# -- Access: every view, with someone who may and someone who may not ----------------------


@pytest.fixture
def mentee_event(program: Program) -> Event:
    return event_make(program, title="Mentee circle", audience=Audience.MENTEES)


@pytest.fixture
def urls(program: Program, mentee_event: Event) -> dict[str, str]:
    args = [program.pk, mentee_event.pk]
    return {
        "list": reverse("events:event_list", args=[program.pk]),
        "create": reverse("events:event_create", args=[program.pk]),
        "detail": reverse("events:event_detail", args=args),
        "ics": reverse("events:event_ics", args=args),
        "edit": reverse("events:event_edit", args=args),
        "cancel": reverse("events:event_cancel", args=args),
        "attendance": reverse("events:event_attendance", args=args),
        "rsvp": reverse("events:event_rsvp", args=args),
    }


READ = ("list", "detail", "ics")
MANAGE = ("create", "edit", "cancel", "attendance")


def test_coordinators_open_every_event_page_but_do_not_answer(
    client: Client, coordinator: User, urls: dict[str, str]
) -> None:
    login(client, coordinator)
    for name in (*READ, *MANAGE):
        assert client.get(urls[name]).status_code == 200, name
    assert client.post(urls["rsvp"], {"response": GOING}).status_code == 403


def test_participants_see_and_answer_events_for_them_but_manage_nothing(
    client: Client, mentee: Participant, urls: dict[str, str]
) -> None:
    login(client, mentee)
    for name in READ:
        assert client.get(urls[name]).status_code == 200, name
    assert client.post(urls["rsvp"], {"response": GOING}).status_code == 302
    for name in MANAGE:
        assert client.get(urls[name]).status_code == 403, name
        assert client.post(urls[name]).status_code == 403, name


def test_an_event_for_the_other_role_does_not_exist_for_a_participant(
    client: Client, mentor: Participant, urls: dict[str, str]
) -> None:
    login(client, mentor)
    assert client.get(urls["list"]).status_code == 200
    assert "Mentee circle" not in client.get(urls["list"]).content.decode()
    for name in ("detail", "ics", "edit", "cancel", "attendance"):
        assert client.get(urls[name]).status_code == 404, name
    assert client.post(urls["rsvp"], {"response": GOING}).status_code == 404
    assert client.get(urls["create"]).status_code == 403


def test_hr_sees_events_and_counts_but_not_who_is_going(
    client: Client, hr: User, program: Program, mentee_event: Event, urls: dict[str, str]
) -> None:
    going = [person(program) for _n in range(2)]
    for participant in going:
        answer(mentee_event, participant, GOING)
    login(client, hr)
    for name in READ:
        assert client.get(urls[name]).status_code == 200, name
    detail = client.get(urls["detail"]).content.decode()
    listing = client.get(urls["list"]).content.decode()
    for participant in going:
        assert participant.user is not None
        assert participant.user.email not in detail
        assert participant.user.display_name not in detail
    # Two people are fewer than the program's minimum group: not shown exactly.
    assert "fewer than 5" in detail
    assert "fewer than 5" in listing
    assert client.post(urls["rsvp"], {"response": GOING}).status_code == 403
    for name in MANAGE:
        assert client.get(urls[name]).status_code == 403, name


@pytest.mark.parametrize("persona", ["outsider", "other_coordinator"])
def test_outsiders_and_other_programs_coordinators_get_404_everywhere(
    client: Client, persona: str, request: pytest.FixtureRequest, urls: dict[str, str]
) -> None:
    login(client, request.getfixturevalue(persona))
    for name in (*READ, *MANAGE):
        assert client.get(urls[name]).status_code == 404, name
    assert client.post(urls["rsvp"], {"response": GOING}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, urls: dict[str, str]) -> None:
    for name in (*READ, *MANAGE):
        response = client.get(urls[name])
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login"))


# -- Creating and editing, in the program's time zone -----------------------------------------


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Networking breakfast",
        "kind": "networking",
        "audience": "both",
        "starts_at": "2026-12-01T08:30",
        "ends_at": "2026-12-01T10:00",
        "location": "Canteen",
        "video_url": "",
        "capacity": "20",
        "description": "Meet the **other pairs**.",
    }
    data.update(overrides)
    return data


def test_times_are_entered_in_the_programs_zone_and_stored_in_utc(
    client: Client, berlin: Program, coordinator: User
) -> None:
    login(client, coordinator)  # the coordinator's own zone is Europe/London
    response = client.post(reverse("events:event_create", args=[berlin.pk]), form_data())
    event = Event.objects.get(title="Networking breakfast")
    assert response.status_code == 302
    assert response["Location"] == reverse("events:event_detail", args=[berlin.pk, event.pk])
    # 08:30 in Berlin in winter (UTC+1) is 07:30 UTC.
    assert event.starts_at == dt.datetime(2026, 12, 1, 7, 30, tzinfo=dt.UTC)
    assert event.ends_at == dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    assert event.capacity == 20
    assert event.kind == Event.Kind.NETWORKING
    # The edit form shows the same wall-clock time again.
    page = client.get(reverse("events:event_edit", args=[berlin.pk, event.pk])).content.decode()
    assert 'value="2026-12-01T08:30"' in page


def test_each_viewer_sees_times_in_their_own_zone_with_its_name(
    client: Client, berlin: Program
) -> None:
    event = event_make(berlin, starts_at=dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC))
    new_yorker = person(berlin, user=user_create(time_zone="America/New_York"))
    login(client, new_yorker)
    page = client.get(reverse("events:event_detail", args=[berlin.pk, event.pk])).content.decode()
    assert "Tue 1 Dec 2026, 12:00" in page  # 17:00 UTC is noon in New York
    assert "America/New_York" in page
    # And where the program is, for reference.
    assert "Europe/Berlin" in page
    assert "Tue 1 Dec 2026, 18:00" in page


def test_a_time_the_clocks_skip_is_refused(
    client: Client, berlin: Program, coordinator: User
) -> None:
    login(client, coordinator)
    response = client.post(
        reverse("events:event_create", args=[berlin.pk]),
        form_data(starts_at="2027-03-28T02:30", ends_at="2027-03-28T04:00"),
    )
    assert response.status_code == 200
    assert "does not exist in Europe/Berlin" in response.content.decode()
    assert not Event.objects.exists()


def test_the_viewers_own_clock_changes_do_not_matter(client: Client, berlin: Program) -> None:
    # 02:30 on 14 March 2027 does not exist in New York (clocks go forward) but does in
    # Berlin, where the program is: the coordinator in New York may still enter it.
    new_yorker = user_create(time_zone="America/New_York")
    berlin.coordinators.add(new_yorker)
    client.force_login(new_yorker)
    response = client.post(
        reverse("events:event_create", args=[berlin.pk]),
        form_data(starts_at="2027-03-14T02:30", ends_at="2027-03-14T03:30"),
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.starts_at == dt.datetime(2027, 3, 14, 1, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "2026-12-01T08:00"}, "The end must be after the start."),
        (
            {"starts_at": "2026-10-01T08:00", "ends_at": "2026-10-01T09:00"},
            "Choose a time in the future.",
        ),
        ({"capacity": "0"}, "greater than or equal to 1"),
        ({"video_url": "javascript:alert(1)"}, "Enter a valid URL."),
    ],
)
def test_event_form_checks(
    client: Client, program: Program, coordinator: User, overrides: dict[str, str], message: str
) -> None:
    login(client, coordinator)
    response = client.post(
        reverse("events:event_create", args=[program.pk]), form_data(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Event.objects.exists()


def test_a_closed_program_takes_no_new_events(program: Program, coordinator: User) -> None:
    Program.objects.filter(pk=program.pk).update(state=Program.State.CLOSED)
    program.refresh_from_db()
    with pytest.raises(ProgramError):
        services.event_create(
            program=program,
            by=coordinator,
            title="Late",
            kind="workshop",
            audience="both",
            starts_at=NOW + dt.timedelta(days=1),
            ends_at=NOW + dt.timedelta(days=1, hours=1),
            location="",
            video_url="",
            capacity=None,
            description="",
        )


# -- Answers and the waiting list --------------------------------------------------------------


def test_a_full_event_puts_people_on_the_waiting_list_in_order(program: Program) -> None:
    event = event_make(program, capacity=2)
    people = [person(program) for _n in range(4)]
    for participant in people:
        answer(event, participant, GOING)
    assert [status_of(event, p) for p in people] == [GOING, GOING, WAITING, WAITING]
    third, fourth = (EventRsvp.objects.get(event=event, user=p.user) for p in people[2:])
    assert selectors.waiting_position(third) == 1
    assert selectors.waiting_position(fourth) == 2
    # Saying "going" again changes nothing: no second place, no jumping the queue.
    answer(event, people[3], GOING)
    assert status_of(event, people[3]) == WAITING


def test_a_freed_place_goes_to_the_first_person_waiting(program: Program) -> None:
    event = event_make(program, capacity=1)
    first, second, third = (person(program) for _n in range(3))
    for participant in (first, second, third):
        answer(event, participant, GOING)
    answer(event, first, NOT_GOING)
    assert [status_of(event, p) for p in (first, second, third)] == [NOT_GOING, GOING, WAITING]
    assert selectors.waiting_position(EventRsvp.objects.get(event=event, user=third.user)) == 1
    # "Maybe" also frees the place.
    answer(event, second, MAYBE)
    assert status_of(event, third) == GOING
    # Someone coming back joins the end of the queue.
    answer(event, first, GOING)
    assert status_of(event, first) == WAITING


def test_more_places_promote_people_from_the_waiting_list(
    program: Program, coordinator: User
) -> None:
    event = event_make(program, capacity=1)
    people = [person(program) for _n in range(4)]
    for participant in people:
        answer(event, participant, GOING)
    services.event_update(event=event, by=coordinator, capacity=3)
    assert [status_of(event, p) for p in people] == [GOING, GOING, GOING, WAITING]
    services.event_update(event=event, by=coordinator, capacity=None)
    assert status_of(event, people[3]) == GOING


def test_fewer_places_keep_the_people_already_going(program: Program, coordinator: User) -> None:
    event = event_make(program, capacity=3)
    people = [person(program) for _n in range(3)]
    for participant in people:
        answer(event, participant, GOING)
    services.event_update(event=event, by=coordinator, capacity=1)
    assert [status_of(event, p) for p in people] == [GOING, GOING, GOING]
    newcomer = person(program)
    answer(event, newcomer, GOING)
    assert status_of(event, newcomer) == WAITING


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("started", "has started"),
        ("cancelled", "cancelled"),
        ("applied", "confirmed your place"),
        ("closed", "has closed"),
        ("other_role", "for another group"),
    ],
)
def test_answers_are_refused_when_they_make_no_sense(
    program: Program, setup: str, message: str, frozen: time_machine.Traveller
) -> None:
    event = event_make(program, audience=Audience.MENTEES)
    participant = person(program)
    if setup == "started":
        frozen.move_to(event.starts_at + dt.timedelta(minutes=1))
    elif setup == "cancelled":
        Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    elif setup == "applied":
        Participant.objects.filter(pk=participant.pk).update(status=Participant.Status.APPLIED)
        participant.refresh_from_db()
    elif setup == "closed":
        Program.objects.filter(pk=program.pk).update(state=Program.State.CLOSED)
    else:
        participant = person(program, role=Participant.Role.MENTOR)
    event.refresh_from_db()
    with pytest.raises(ProgramError, match=message):
        answer(event, participant, GOING)
    assert not EventRsvp.objects.exists()


def test_answering_on_the_page(client: Client, program: Program, mentee: Participant) -> None:
    event = event_make(program, capacity=1)
    answer(event, person(program), GOING)
    login(client, mentee)
    url = reverse("events:event_rsvp", args=[program.pk, event.pk])
    response = client.post(url, {"response": GOING}, follow=True)
    page = response.content.decode()
    assert "on the waiting list at number 1" in page
    assert "You are number 1 on the waiting list" in page
    assert status_of(event, mentee) == WAITING
    # htmx gets the answer box only, with the messages out of band.
    response = client.post(url, {"response": MAYBE}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="rsvp"' in body
    assert "<html" not in body
    assert 'hx-swap-oob="innerHTML"' in body
    assert status_of(event, mentee) == MAYBE
    # Nonsense answers change nothing.
    client.post(url, {"response": WAITING})
    assert status_of(event, mentee) == MAYBE


# -- Emails with invitations -------------------------------------------------------------------


@pytest.fixture
def send_now(eager_celery: None, django_capture_on_commit_callbacks) -> Any:
    """Run what a change enqueues after commit, and its tasks, at once."""

    def run(action: Any, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def test_going_sends_a_confirmation_with_an_ics_invitation(program: Program, send_now: Any) -> None:
    event = event_make(program)
    participant = person(program)
    send_now(answer, event, participant, GOING)
    [message] = mail.outbox
    assert participant.user is not None
    assert message.to == [participant.user.email]
    assert "You're going: Feedback workshop" in message.subject
    assert "Your place at Feedback workshop" in message.body
    [part] = ics_parts(message)
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invite.ics"
    calendar = ics_of(message)
    assert calendar["METHOD"] == "REQUEST"
    component = vevent(calendar)
    assert str(component["UID"]) == f"event-{event.uid}@localhost"
    assert component["SEQUENCE"] == 0
    assert component.decoded("DTSTART") == event.starts_at
    assert "mailto:" + participant.user.email in str(component["ATTENDEE"])
    # The same answer again sends nothing more.
    send_now(answer, event, participant, GOING)
    assert len(mail.outbox) == 1


def test_emails_show_times_in_the_recipients_own_zone(program: Program, send_now: Any) -> None:
    event = event_make(program, starts_at=dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC))
    participant = person(program, user=user_create(time_zone="Asia/Tokyo"))
    send_now(answer, event, participant, GOING)
    [message] = mail.outbox
    assert "Wednesday 2 December 2026, 02:00" in message.body
    assert "(Asia/Tokyo)" in message.body


def test_waiting_promotion_and_leaving_each_send_the_right_email(
    program: Program, send_now: Any
) -> None:
    event = event_make(program, capacity=1)
    first, second = person(program), person(program)
    send_now(answer, event, first, GOING)
    send_now(answer, event, second, GOING)
    waiting_mail = mail.outbox[-1]
    assert "Waiting list" in waiting_mail.subject
    assert "waiting list at number 1" in waiting_mail.body
    assert ics_parts(waiting_mail) == []
    mail.outbox.clear()
    send_now(answer, event, first, NOT_GOING)
    by_person = {m.to[0]: m for m in mail.outbox}
    assert first.user is not None
    assert second.user is not None
    assert set(by_person) == {first.user.email, second.user.email}
    left, promoted = by_person[first.user.email], by_person[second.user.email]
    assert "Not going" in left.subject
    assert ics_of(left)["METHOD"] == "CANCEL"
    assert "A place is yours" in promoted.subject
    assert ics_of(promoted)["METHOD"] == "REQUEST"


def test_a_notice_about_an_answer_changed_since_is_not_sent(program: Program) -> None:
    event = event_make(program)
    participant = person(program)
    rsvp = answer(event, participant, GOING)
    stamp = rsvp.status_changed_at.isoformat()
    answer(event, participant, NOT_GOING)
    assert not notices.event_rsvp_notice_send(rsvp_id=rsvp.pk, notice="going", stamp=stamp)
    assert mail.outbox == []


def test_an_answer_notice_goes_out_once_even_if_its_task_runs_twice(program: Program) -> None:
    event = event_make(program)
    rsvp = answer(event, person(program), GOING)
    stamp = rsvp.status_changed_at.isoformat()
    assert notices.event_rsvp_notice_send(rsvp_id=rsvp.pk, notice="going", stamp=stamp)
    assert not notices.event_rsvp_notice_send(rsvp_id=rsvp.pk, notice="going", stamp=stamp)
    assert len(mail.outbox) == 1


def test_a_change_sends_updated_invitations_with_a_higher_sequence(
    program: Program, coordinator: User, send_now: Any
) -> None:
    event = event_make(program, capacity=1)
    going, waiting, maybe, not_going = (person(program) for _n in range(4))
    answer(event, going, GOING)
    answer(event, waiting, GOING)
    answer(event, maybe, MAYBE)
    answer(event, not_going, NOT_GOING)
    EventRsvp.objects.update(reminded_at=NOW)
    later = event.starts_at + dt.timedelta(days=1)
    send_now(
        services.event_update,
        event=event,
        by=coordinator,
        starts_at=later,
        ends_at=later + dt.timedelta(hours=2),
    )
    event.refresh_from_db()
    assert event.sequence == 1
    by_person = {m.to[0]: m for m in mail.outbox}
    assert going.user is not None
    assert waiting.user is not None
    assert set(by_person) == {going.user.email, waiting.user.email}
    update = by_person[going.user.email]
    assert "Updated: Feedback workshop" in update.subject
    component = vevent(ics_of(update))
    assert component["SEQUENCE"] == 1
    assert component.decoded("DTSTART") == later
    assert str(component["UID"]) == f"event-{event.uid}@localhost"
    assert ics_parts(by_person[waiting.user.email]) == []
    # A reminder for the old date says nothing about the new one.
    assert not EventRsvp.objects.filter(reminded_at__isnull=False).exists()


def test_a_started_event_cannot_be_cancelled(
    program: Program, coordinator: User, frozen: time_machine.Traveller
) -> None:
    event = event_make(program)
    frozen.move_to(event.starts_at + dt.timedelta(minutes=5))
    with pytest.raises(ProgramError, match="has started"):
        services.event_cancel(event=event, by=coordinator)


def test_correcting_a_past_event_sends_no_news(
    program: Program, coordinator: User, send_now: Any, frozen: time_machine.Traveller
) -> None:
    event = event_make(program)
    answer(event, person(program), GOING)
    frozen.move_to(event.ends_at + dt.timedelta(days=1))
    send_now(services.event_update, event=event, by=coordinator, title="Feedback workshop (2026)")
    assert [m for m in mail.outbox if "Updated" in m.subject] == []


def test_changing_only_the_places_sends_no_update(
    program: Program, coordinator: User, send_now: Any
) -> None:
    event = event_make(program, capacity=5)
    answer(event, person(program), GOING)
    send_now(services.event_update, event=event, by=coordinator, capacity=10)
    event.refresh_from_db()
    assert event.sequence == 0
    assert mail.outbox == []


def test_change_notices_go_out_once_and_only_for_the_latest_version(
    program: Program, coordinator: User
) -> None:
    event = event_make(program)
    answer(event, person(program), GOING)
    services.event_update(event=event, by=coordinator, location="Room 1")
    services.event_update(event=event, by=coordinator, location="Room 2")
    assert notices.event_change_notices_send(event_id=event.pk, sequence=1) == 0  # outdated
    assert notices.event_change_notices_send(event_id=event.pk, sequence=2) == 1
    assert notices.event_change_notices_send(event_id=event.pk, sequence=2) == 0
    assert len(mail.outbox) == 1
    assert "Room 2" in mail.outbox[0].body


def test_cancelling_tells_everyone_going_or_waiting_with_a_cancel_ics(
    client: Client, program: Program, coordinator: User, eager_celery: None,
    django_capture_on_commit_callbacks,
) -> None:  # fmt: skip
    event = event_make(program, capacity=1)
    going, waiting, maybe = person(program), person(program), person(program)
    answer(event, going, GOING)
    answer(event, waiting, GOING)
    answer(event, maybe, MAYBE)
    login(client, coordinator)
    url = reverse("events:event_cancel", args=[program.pk, event.pk])
    assert "1 person going or waiting" not in client.get(url).content.decode()
    assert "2 people going or waiting" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    event.refresh_from_db()
    assert event.is_cancelled
    assert event.sequence == 1
    by_person = {m.to[0]: m for m in mail.outbox}
    assert going.user is not None
    assert waiting.user is not None
    assert set(by_person) == {going.user.email, waiting.user.email}
    calendar = ics_of(by_person[going.user.email])
    assert calendar["METHOD"] == "CANCEL"
    assert vevent(calendar)["STATUS"] == "CANCELLED"
    assert vevent(calendar)["SEQUENCE"] == 1
    assert "Cancelled: Feedback workshop" in by_person[waiting.user.email].subject
    page = client.get(reverse("events:event_detail", args=[program.pk, event.pk]))
    assert "This event is cancelled" in page.content.decode()
    with pytest.raises(ProgramError, match="cancelled"):
        answer(event, person(program), GOING)


def test_the_add_to_calendar_file(client: Client, program: Program, mentee: Participant) -> None:
    event = event_make(program, title="Speed mentoring!")
    login(client, mentee)
    response = client.get(reverse("events:event_ics", args=[program.pk, event.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="speed-mentoring.ics"'
    calendar = Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "PUBLISH"
    component = vevent(calendar)
    assert component["SUMMARY"] == "Speed mentoring!"
    assert "DTSTART:20261105T090000Z" in response.content.decode()
    page = client.get(reverse("events:event_detail", args=[program.pk, event.pk]))
    assert "Add to calendar (.ics)" in page.content.decode()


# -- Reminders the day before, exactly once ---------------------------------------------------


def reminders_sent() -> list[str]:
    return [m.to[0] for m in mail.outbox if "Reminder:" in m.subject]


def test_the_sweep_reminds_each_person_going_once(
    program: Program, frozen: time_machine.Traveller
) -> None:
    soon = event_make(program, title="Soon", starts_at=NOW + dt.timedelta(hours=20))
    later = event_make(program, title="Later", starts_at=NOW + dt.timedelta(hours=30))
    going, maybe, not_going, waiting, later_going = (person(program) for _n in range(5))
    answer(soon, going, GOING)
    answer(soon, maybe, MAYBE)
    answer(soon, not_going, NOT_GOING)
    Event.objects.filter(pk=soon.pk).update(capacity=1)
    soon.refresh_from_db()
    answer(soon, waiting, GOING)
    answer(later, later_going, GOING)
    assert status_of(soon, waiting) == WAITING

    assert notices.event_reminders_send() == 1
    assert going.user is not None
    assert reminders_sent() == [going.user.email]
    assert "Reminder: Soon is coming up" in mail.outbox[0].subject
    # The second sweep, and a third, find nothing to send.
    assert notices.event_reminders_send() == 0
    assert notices.event_reminders_send() == 0
    assert reminders_sent() == [going.user.email]

    # Eight hours later the other event is within a day.
    frozen.move_to(NOW + dt.timedelta(hours=8))
    assert notices.event_reminders_send() == 1
    assert later_going.user is not None
    assert reminders_sent() == [going.user.email, later_going.user.email]


def test_someone_who_answers_after_the_sweep_is_reminded_at_the_next(
    program: Program, frozen: time_machine.Traveller
) -> None:
    event = event_make(program, starts_at=NOW + dt.timedelta(hours=10))
    early, late = person(program), person(program)
    answer(event, early, GOING)
    assert notices.event_reminders_send() == 1
    frozen.move_to(NOW + dt.timedelta(hours=2))
    answer(event, late, GOING)
    assert notices.event_reminders_send() == 1
    assert early.user is not None
    assert late.user is not None
    assert reminders_sent() == [early.user.email, late.user.email]
    # Once the event has started, no one else is reminded.
    newcomer = person(program)
    answer(event, newcomer, GOING)
    frozen.move_to(event.starts_at + dt.timedelta(minutes=1))
    assert notices.event_reminders_send() == 0


def test_a_redelivered_sweep_finds_the_delivery_record_and_sends_nothing(
    program: Program,
) -> None:
    event = event_make(program, starts_at=NOW + dt.timedelta(hours=5))
    participant = person(program)
    answer(event, participant, GOING)
    assert notices.event_reminders_send() == 1
    assert Delivery.objects.filter(kind="event-reminder").count() == 1
    # As if the row's own mark were lost (a crash after the send, a going/not going/going
    # round trip): the delivery record alone stops a second email.
    answer(event, participant, NOT_GOING)
    answer(event, participant, GOING)
    EventRsvp.objects.update(reminded_at=None)
    assert notices.event_reminders_send() == 0
    assert len(reminders_sent()) == 1
    assert EventRsvp.objects.get().reminded_at is not None


def test_a_moved_event_earns_a_reminder_for_its_new_date(
    program: Program, coordinator: User, frozen: time_machine.Traveller
) -> None:
    event = event_make(program, starts_at=NOW + dt.timedelta(hours=5))
    answer(event, person(program), GOING)
    assert notices.event_reminders_send() == 1
    new_start = NOW + dt.timedelta(days=3)
    services.event_update(
        event=event, by=coordinator, starts_at=new_start, ends_at=new_start + dt.timedelta(hours=1)
    )
    assert notices.event_reminders_send() == 0  # not yet within a day
    frozen.move_to(new_start - dt.timedelta(hours=20))  # 13:00 the day before
    assert notices.event_reminders_send() == 1
    assert len(reminders_sent()) == 2


def test_a_reminder_waits_out_the_night_unless_the_event_starts_before_morning(
    program: Program, frozen: time_machine.Traveller
) -> None:
    late = event_make(program, starts_at=NOW + dt.timedelta(hours=13))  # 22:00 UTC
    early = event_make(program, starts_at=NOW + dt.timedelta(hours=21, minutes=30))  # 06:30
    answer(late, person(program), GOING)
    answer(early, person(program), GOING)
    frozen.move_to(NOW + dt.timedelta(hours=14))  # 23:00 in UTC, people's zone here
    # The 06:30 event cannot wait for 08:00: its reminder goes in the night.
    assert notices.event_reminders_send() == 1
    frozen.move_to(NOW + dt.timedelta(days=1))  # 09:00 the next morning
    assert len(reminders_sent()) == 1  # the late event began, nothing more is due


def test_a_reminder_due_in_the_night_goes_the_next_morning(
    program: Program, frozen: time_machine.Traveller
) -> None:
    event = event_make(program, starts_at=NOW + dt.timedelta(days=1, hours=6))  # 15:00
    answer(event, person(program), GOING)
    frozen.move_to(NOW + dt.timedelta(hours=14))  # 23:00: due, but night
    assert notices.event_reminders_send() == 0
    frozen.move_to(NOW + dt.timedelta(hours=23))  # 08:00
    assert notices.event_reminders_send() == 1
    assert len(reminders_sent()) == 1


def test_cancelled_events_and_closed_programs_send_no_reminders(program: Program) -> None:
    cancelled = event_make(program, starts_at=NOW + dt.timedelta(hours=5))
    answer(cancelled, person(program), GOING)
    Event.objects.filter(pk=cancelled.pk).update(status=Event.Status.CANCELLED)
    other = program_create(name="Closing")
    still = event_make(other, starts_at=NOW + dt.timedelta(hours=5))
    answer(still, person(other), GOING)
    Program.objects.filter(pk=other.pk).update(state=Program.State.CLOSED)
    assert notices.event_reminders_send() == 0
    assert mail.outbox == []


def test_a_failed_send_is_retried_at_the_next_sweep_without_stopping_others(
    program: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = event_make(program, starts_at=NOW + dt.timedelta(hours=5))
    unlucky, lucky = person(program), person(program)
    answer(event, unlucky, GOING)
    answer(event, lucky, GOING)
    real = notices._reminder_email

    def flaky(rsvp: EventRsvp, *, now: dt.datetime) -> bool:
        if rsvp.user_id == unlucky.user_id:
            raise ConnectionError("mail server down")
        return real(rsvp, now=now)

    monkeypatch.setattr(notices, "_reminder_email", flaky)
    assert notices.event_reminders_send() == 1
    assert not Delivery.objects.filter(key__contains=f":{unlucky.user_id}:").exists()
    monkeypatch.setattr(notices, "_reminder_email", real)
    assert notices.event_reminders_send() == 1
    assert unlucky.user is not None
    assert lucky.user is not None
    assert sorted(reminders_sent()) == sorted([unlucky.user.email, lucky.user.email])


def test_the_sweep_works_in_bounded_batches(
    program: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notices, "REMINDER_BATCH", 2)
    monkeypatch.setattr(notices, "REMINDER_BATCHES_PER_SWEEP", 2)
    event = event_make(program, starts_at=NOW + dt.timedelta(hours=5))
    for _n in range(5):
        answer(event, person(program), GOING)
    assert notices.event_reminders_send() == 4  # two batches of two
    assert notices.event_reminders_send() == 1


def test_beat_runs_the_reminder_task_and_it_sweeps(program: Program, eager_celery: None) -> None:
    from events.tasks import send_event_reminders_task

    entry = settings.CELERY_BEAT_SCHEDULE["send-event-reminders"]
    assert entry["task"] == send_event_reminders_task.name
    assert send_event_reminders_task.name == "programs.tasks.send_event_reminders_task"
    assert send_event_reminders_task.acks_late
    event = event_make(program, starts_at=NOW + dt.timedelta(hours=5))
    answer(event, person(program), GOING)
    assert send_event_reminders_task.delay().get() == 1
    assert send_event_reminders_task.delay().get() == 0


# -- Attendance --------------------------------------------------------------------------------


def test_coordinators_mark_attendance_in_one_go(
    client: Client, program: Program, coordinator: User, frozen: time_machine.Traveller
) -> None:
    event = event_make(program)
    came, stayed_away, maybe = person(program), person(program), person(program)
    answer(event, came, GOING)
    answer(event, stayed_away, GOING)
    answer(event, maybe, MAYBE)
    login(client, coordinator)
    url = reverse("events:event_attendance", args=[program.pk, event.pk])
    assert "once the event has started" in client.get(url).content.decode()
    frozen.move_to(event.ends_at + dt.timedelta(hours=1))
    page = client.get(url).content.decode()
    assert came.user is not None
    assert maybe.user is not None
    assert came.user.display_name in page
    rows = {r.user_id: r.pk for r in EventRsvp.objects.all()}
    response = client.post(
        url, {"attended": [rows[came.user.pk], rows[maybe.user.pk]]}, follow=True
    )
    assert "2 people attended" in response.content.decode()
    attended = dict(EventRsvp.objects.values_list("user_id", "attended"))
    assert attended == {came.user_id: True, stayed_away.user_id: False, maybe.user_id: True}
    # Saving again with fewer ticks unmarks the others.
    client.post(url, {"attended": [rows[came.user.pk]]})
    assert EventRsvp.objects.filter(attended=True).count() == 1
    summary = selectors.event_attendance_summary(program_ids=[program.pk])[program.pk]
    assert (summary.events_held, summary.going, summary.attended, summary.people) == (1, 2, 1, 1)
    assert summary.attendance_rate == 0.5


def test_attendance_is_not_marked_before_the_event(program: Program, coordinator: User) -> None:
    event = event_make(program)
    rsvp = answer(event, person(program), GOING)
    with pytest.raises(ProgramError, match="once the event has started"):
        services.event_attendance_set(event=event, attended_rsvp_ids=[rsvp.pk], by=coordinator)


def test_attendance_summary_per_program(
    program: Program, other_program: Program, coordinator: User, frozen: time_machine.Traveller
) -> None:
    past = event_make(program, starts_at=NOW - dt.timedelta(days=2))
    upcoming = event_make(program)
    a, b = person(program), person(program)
    for event in (past, upcoming):
        for participant in (a, b):
            assert participant.user is not None
            EventRsvp.objects.create(
                event=event, user=participant.user, status=GOING, status_changed_at=NOW
            )
    EventRsvp.objects.filter(event=past, user=a.user).update(attended=True)
    summary = selectors.event_attendance_summary(program_ids=[program.pk, other_program.pk])
    assert summary[program.pk].events_held == 1
    assert summary[program.pk].going == 2
    assert summary[program.pk].attended == 1
    assert summary[other_program.pk].events_held == 0
    assert summary[other_program.pk].attendance_rate is None


# -- Pages: lists, counts, empty states, home --------------------------------------------------


def test_the_event_list_splits_upcoming_and_past(
    client: Client, program: Program, mentee: Participant
) -> None:
    event_make(program, title="Next week", starts_at=NOW + dt.timedelta(days=7))
    event_make(program, title="Last week", starts_at=NOW - dt.timedelta(days=7))
    login(client, mentee)
    url = reverse("events:event_list", args=[program.pk])
    upcoming = client.get(url).content.decode()
    past = client.get(url + "?when=past").content.decode()
    assert "Next week" in upcoming
    assert "Last week" not in upcoming
    assert "Last week" in past
    assert "Next week" not in past
    assert "Times are shown in your time zone, Europe/London." in upcoming


def test_empty_states_say_what_to_do(
    client: Client, program: Program, coordinator: User, mentee: Participant
) -> None:
    url = reverse("events:event_list", args=[program.pk])
    login(client, coordinator)
    assert "Plan a workshop" in client.get(url).content.decode()
    login(client, mentee)
    assert "When the coordinators plan an event for you" in client.get(url).content.decode()


def test_the_event_list_costs_the_same_queries_for_many_events(
    client: Client, program: Program, mentee: Participant, django_assert_max_num_queries
) -> None:
    others = [person(program) for _n in range(3)]
    for n in range(20):
        event = event_make(program, title=f"Event {n}", capacity=2)
        for participant in others:
            answer(event, participant, GOING)
    login(client, mentee)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("events:event_list", args=[program.pk])).content.decode()
    assert page.count("2 of 2 places taken") == 20
    assert page.count("Full") >= 20


def test_the_coordinators_event_page_costs_the_same_with_many_answers(
    client: Client, program: Program, coordinator: User, django_assert_max_num_queries
) -> None:
    event = event_make(program, capacity=5)
    for _n in range(30):
        answer(event, person(program), GOING)
    login(client, coordinator)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("events:event_detail", args=[program.pk, event.pk]))
    body = page.content.decode()
    assert "Going: 5" in body
    assert "Waiting: 25" in body
    assert body.count('class="person__name"') == 30


def test_participants_see_upcoming_events_on_their_home_page(
    client: Client, program: Program, mentee: Participant
) -> None:
    answered = event_make(program, title="Answered event")
    event_make(program, title="Open event", starts_at=NOW + dt.timedelta(days=5))
    event_make(program, title="Mentor event", audience=Audience.MENTORS)
    event_make(program, title="Past event", starts_at=NOW - dt.timedelta(days=5))
    answer(answered, mentee, GOING)
    login(client, mentee)
    page = client.get(reverse("home")).content.decode()
    assert "Upcoming events" in page
    assert "Answered event" in page
    assert "Open event" in page
    assert "Mentor event" not in page
    assert "Past event" not in page
    assert re.search(r"Answered event.*?Going", page, re.S)
    assert "Not answered" in page


def test_the_home_page_costs_the_same_with_many_events(client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    someone = user_create()

    def home_queries() -> int:
        client.force_login(someone)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("home"))
        return len(queries)

    first = program_create()
    participant_create(program=first, user=someone)
    event_make(first)
    few = home_queries()
    for _n in range(5):
        other = program_create()
        participant = participant_create(program=other, user=someone)
        for _m in range(3):
            answer(event_make(other), participant, GOING)
    assert home_queries() == few


def test_the_admin_lists_guides_events_and_feeds_without_showing_tokens(
    client: Client, staff: User, program: Program, mentee: Participant
) -> None:
    from guides.models import Resource

    event = event_make(program)
    answer(event, mentee, GOING)
    resource = Resource.objects.create(program=program, title="Guide")
    assert mentee.user is not None
    feed = calendar_feeds.calendar_feed_get(user=mentee.user)
    client.force_login(staff)
    for url in (
        reverse("admin:events_event_changelist"),
        reverse("admin:events_event_change", args=[event.pk]),
        reverse("admin:guides_resource_changelist"),
        reverse("admin:guides_resource_change", args=[resource.pk]),
        reverse("admin:programs_calendarfeed_changelist"),
        reverse("admin:programs_calendarfeed_change", args=[feed.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert feed.token not in response.content.decode()
