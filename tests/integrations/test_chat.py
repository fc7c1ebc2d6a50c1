"""Chat notifications to Slack and Teams incoming webhooks, per person's preference."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from integrations import chat
from integrations.models import ChatChannel, ChatPreference
from integrations.webhooks import IntegrationError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def test_slack_gets_a_text_message(
    program, coordinator, receiver, django_capture_on_commit_callbacks
):
    chat.chat_channel_create(
        program=program, kind="slack", url=receiver.url, name="#m", by=coordinator
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert chat.post(program, "Your check-in is due this week.") == 1
    (request,) = receiver.requests
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {"text": "Your check-in is due this week."}


def test_teams_gets_an_adaptive_card(
    program, coordinator, receiver, django_capture_on_commit_callbacks
):
    chat.chat_channel_create(
        program=program, kind="teams", url=receiver.url, name="", by=coordinator
    )
    with django_capture_on_commit_callbacks(execute=True):
        chat.post(program, "Time to meet.")
    body = json.loads(receiver.requests[0].body)
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"] == [{"type": "TextBlock", "text": "Time to meet.", "wrap": True}]


def test_a_keyed_message_goes_out_once(
    program, coordinator, receiver, django_capture_on_commit_callbacks
):
    chat.chat_channel_create(
        program=program, kind="slack", url=receiver.url, name="", by=coordinator
    )
    with django_capture_on_commit_callbacks(execute=True):
        chat.post(program, "Reminder", key="checkin:1:2026-05-01")
        chat.post(program, "Reminder", key="checkin:1:2026-05-01")
    assert len(receiver.requests) == 1


def test_a_failed_post_is_not_recorded_so_the_retry_sends(program, coordinator, receiver):
    channel = chat.chat_channel_create(
        program=program, kind="slack", url=receiver.url, name="", by=coordinator
    )
    receiver.statuses = [500, 200]
    with pytest.raises(Exception, match="500"):
        chat.chat_message_send(channel_id=channel.pk, text="Hi", key="k")
    assert chat.chat_message_send(channel_id=channel.pk, text="Hi", key="k") is True
    assert chat.chat_message_send(channel_id=channel.pk, text="Hi", key="k") is False
    assert len(receiver.requests) == 2


def test_chat_notify_follows_the_persons_preference(
    program, coordinator, mentee, receiver, django_capture_on_commit_callbacks
):
    chat.chat_channel_create(
        program=program, kind="slack", url=receiver.url, name="", by=coordinator
    )
    person = mentee.user
    assert person is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert chat.chat_notify(person, program, "Nudge") is False
    assert receiver.requests == []
    chat.chat_preference_set(user=person, reminders_to_chat=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert chat.chat_notify(person, program, "Nudge") is True
    assert [json.loads(r.body)["text"] for r in receiver.requests] == ["Nudge"]


def test_a_program_without_a_channel_posts_nothing(program, mentee):
    assert mentee.user is not None
    chat.chat_preference_set(user=mentee.user, reminders_to_chat=True)
    assert chat.chat_notify(mentee.user, program, "Nudge") is False


def test_chat_urls_must_be_https(program, coordinator, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(IntegrationError):
        chat.chat_channel_create(
            program=program, kind="slack", url="http://hooks.slack.com/x", name="", by=coordinator
        )


def test_coordinator_adds_and_removes_a_channel(
    client: Client, coordinator, program, receiver, mentee
):
    client.force_login(coordinator)
    add = reverse("integrations:chat_channel_add", args=[program.pk])
    response = client.post(add, {"kind": "teams", "url": receiver.url, "name": "Mentoring"})
    assert response.status_code == 302
    channel = ChatChannel.objects.get()
    assert channel.kind == "teams"
    bad = client.post(add, {"kind": "slack", "url": "ftp://x"})
    assert bad.status_code == 400
    assert ChatChannel.objects.count() == 1
    # Participants may not touch it.
    assert mentee.user is not None
    client.force_login(mentee.user)
    remove = reverse("integrations:chat_channel_remove", args=[program.pk, channel.pk])
    assert client.post(remove).status_code == 403
    client.force_login(coordinator)
    assert client.post(remove).status_code == 302
    assert not ChatChannel.objects.exists()


def test_person_sets_their_chat_preference(client: Client, user):
    client.force_login(user)
    url = reverse("integrations:chat_preference")
    assert client.get(url).status_code == 200
    client.post(url, {"reminders_to_chat": "on"})
    assert ChatPreference.objects.get(user=user).reminders_to_chat is True
    client.post(url, {})
    assert ChatPreference.objects.get(user=user).reminders_to_chat is False


def _notify(person, program, kind, **options):
    from mentoring.notifications import notification_send

    return notification_send(
        to=person,
        kind=kind,
        template="mentoring/erasure_done",  # any email template: the subject is what counts
        context={"program": program},
        **options,
    )


def test_the_pipeline_posts_an_opted_in_persons_reminders_to_the_program_chat_once(
    program, coordinator, mentee, receiver, django_capture_on_commit_callbacks
):
    from django.core import mail

    from mentoring.notifications import Kind

    chat.chat_channel_create(
        program=program, kind="slack", url=receiver.url, name="", by=coordinator
    )
    person = mentee.user
    assert person is not None
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person, program, Kind.PAIR_NUDGES, once=("chat-test", "n1"))
    assert receiver.requests == []  # not asked for: email only
    chat.chat_preference_set(user=person, reminders_to_chat=True)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person, program, Kind.PAIR_NUDGES, once=("chat-test", "n2"))
        _notify(person, program, Kind.PAIR_NUDGES, once=("chat-test", "n2"))
    (posted,) = [json.loads(r.body)["text"] for r in receiver.requests]
    assert posted == f"{person.display_name}: {mail.outbox[-1].subject}"
    assert len(mail.outbox) == 2


def test_survey_links_and_log_requests_never_go_to_a_shared_chat(
    program, coordinator, mentee, receiver, django_capture_on_commit_callbacks
):
    from mentoring.notifications import Kind

    chat.chat_channel_create(
        program=program, kind="slack", url=receiver.url, name="", by=coordinator
    )
    assert mentee.user is not None
    chat.chat_preference_set(user=mentee.user, reminders_to_chat=True)
    with django_capture_on_commit_callbacks(execute=True):
        for kind in (Kind.SURVEYS, Kind.CHECKIN_LOG, Kind.MATCH_REQUESTS, Kind.PROGRESS_REPORTS):
            _notify(mentee.user, program, kind)
    assert receiver.requests == []
