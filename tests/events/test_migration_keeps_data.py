"""Events and guides came from ``programs`` (programs 0009 and 0010, events 0001, guides
0001): their tables, rows, ids and content types are kept, on PostgreSQL and SQLite."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from events.models import Event, EventRsvp
from guides.models import Resource
from tests.migration_moves import assert_passes_on_sqlite, historical, migrated_back_to, on_sqlite

BEFORE = [
    ("programs", "0008_profilequestion_audience_choices"),
    ("events", None),
    ("guides", None),
]
STARTS = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_events_rsvps_and_guides_written_before_the_move_are_read_after_it() -> None:
    with migrated_back_to(BEFORE) as old:
        user = historical(old, "mentoring", "User").objects.create(email="mover@example.org")
        program = historical(old, "programs", "Program").objects.create(
            name="Moving day", is_evergreen=True
        )
        event = historical(old, "programs", "Event").objects.create(
            program=program,
            title="Kick-off",
            starts_at=STARTS,
            ends_at=STARTS + dt.timedelta(hours=1),
            capacity=10,
        )
        rsvp = historical(old, "programs", "EventRsvp").objects.create(
            event=event, user=user, status="going", status_changed_at=STARTS
        )
        resource = historical(old, "programs", "Resource").objects.create(
            program=program, title="First meeting", body="Plan an hour."
        )
        old_type = historical(old, "contenttypes", "ContentType").objects
        # As on a site that never had the new apps.
        old_type.filter(app_label__in=["events", "guides"]).delete()
        event_type = old_type.get_or_create(app_label="programs", model="event")[0].pk
        resource_type = old_type.get_or_create(app_label="programs", model="resource")[0].pk
        ids = (user.pk, program.pk, event.pk, event.uid, rsvp.pk, resource.pk)

    user_id, program_id, event_id, uid, rsvp_id, resource_id = ids
    kept = Event.objects.get(pk=event_id)
    assert (kept.title, kept.program_id, kept.capacity, kept.uid) == (
        "Kick-off",
        program_id,
        10,
        uid,
    )
    answer = EventRsvp.objects.get(pk=rsvp_id)
    assert (answer.event_id, answer.user_id, answer.status) == (event_id, user_id, "going")
    assert list(kept.rsvps.values_list("pk", flat=True)) == [rsvp_id]
    guide = Resource.objects.get(pk=resource_id)
    assert (guide.title, guide.program_id, guide.body) == (
        "First meeting",
        program_id,
        "Plan an hour.",
    )
    # The content type rows moved with the models (permissions and admin history follow).
    assert ContentType.objects.get(pk=event_type).app_label == "events"
    assert ContentType.objects.get(pk=resource_type).app_label == "guides"
    assert not ContentType.objects.filter(
        app_label="programs", model__in=["event", "eventrsvp", "resource"]
    ).exists()


@pytest.mark.skipif(on_sqlite(), reason="this run is on SQLite already")
def test_the_same_move_keeps_rows_on_sqlite() -> None:
    assert_passes_on_sqlite(__file__)
