"""Moving events and guides out of programs keeps every row, its id and its links.

Migrates back to before the move (programs 0008, events and guides not yet there),
writes rows with the models as they were then, migrates forward, and reads them
through the new apps' models.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from events.models import Event, EventRsvp
from guides.models import Resource

PROGRAMS_BEFORE = ("programs", "0008_profilequestion_audience_choices")
BEFORE: list[tuple[str, str | None]] = [PROGRAMS_BEFORE, ("events", None), ("guides", None)]
STARTS = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_events_rsvps_and_guides_keep_their_rows_and_ids_when_they_change_app() -> None:
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(PROGRAMS_BEFORE).apps
    user = old.get_model("mentoring", "User").objects.create(email="mover@example.org")
    program = old.get_model("programs", "Program").objects.create(
        name="Moving day", is_evergreen=True
    )
    event = old.get_model("programs", "Event").objects.create(
        program=program,
        title="Kick-off",
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=1),
        capacity=10,
    )
    rsvp = old.get_model("programs", "EventRsvp").objects.create(
        event=event, user=user, status="going", status_changed_at=STARTS
    )
    resource = old.get_model("programs", "Resource").objects.create(
        program=program, title="First meeting", body="Plan an hour."
    )

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved_event = Event.objects.get(pk=event.pk)
    assert (moved_event.title, moved_event.program_id, moved_event.capacity) == (
        "Kick-off",
        program.pk,
        10,
    )
    assert moved_event.uid == event.uid
    moved_rsvp = EventRsvp.objects.get(pk=rsvp.pk)
    assert (moved_rsvp.event_id, moved_rsvp.user_id, moved_rsvp.status) == (
        event.pk,
        user.pk,
        "going",
    )
    assert list(moved_event.rsvps.values_list("pk", flat=True)) == [rsvp.pk]
    moved_resource = Resource.objects.get(pk=resource.pk)
    assert (moved_resource.title, moved_resource.program_id, moved_resource.body) == (
        "First meeting",
        program.pk,
        "Plan an hour.",
    )
    # The admin's history and permissions follow: the content types changed app.
    labels = set(
        ContentType.objects.filter(model__in=["event", "eventrsvp", "resource"]).values_list(
            "app_label", "model"
        )
    )
    assert labels >= {("events", "event"), ("events", "eventrsvp"), ("guides", "resource")}
    assert not ContentType.objects.filter(
        app_label="programs", model__in=["event", "eventrsvp", "resource"]
    ).exists()
