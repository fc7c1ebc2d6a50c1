"""Moving the pair models from programs to pairs keeps every row: the tables stay.

Migrates back to just before the move, writes a pair and a check-in with the models
of that time, migrates forward and reads them through pairs.models. The test is
transactional (migrations cannot run inside the test's transaction) and migrates to
the latest state again however it ends, so the tests after it find the usual schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pairs.models import CheckIn, Mentorship

# The leaf migrations before the pairs app existed.
BEFORE = [
    ("programs", "0008_profilequestion_audience_choices"),
    ("matching", "0002_criterion_rule_similar_themes"),
    ("surveys", "0002_anonymous_receipts_random"),
]
# Migrating pairs to zero also undoes what depends on it (matching and surveys 0003,
# programs 0009).
BEFORE_TARGETS = [*BEFORE, ("pairs", None)]

STARTED_AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SCHEDULED_AT = dt.datetime(2026, 3, 9, 14, 30, tzinfo=dt.UTC)


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def before_the_move() -> Iterator[MigrationExecutor]:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_TARGETS)
    try:
        yield MigrationExecutor(connection)
    finally:
        _migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_pairs_and_checkins_survive_the_move_to_the_pairs_app(
    before_the_move: MigrationExecutor,
) -> None:
    old = before_the_move.loader.project_state(BEFORE).apps
    program = old.get_model("programs", "Program").objects.create(
        name="Spring cohort", is_evergreen=True
    )
    participant = old.get_model("programs", "Participant")
    mentor = participant.objects.create(
        program=program, role="mentor", email="mentor@example.com", full_name="Mia Mentor"
    )
    mentee = participant.objects.create(
        program=program, role="mentee", email="mentee@example.com", full_name="Ned Mentee"
    )
    pair = old.get_model("programs", "Mentorship").objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        source="manual",
        score=87,
        explanation=[{"criterion": "skills", "points": 40}],
        started_at=STARTED_AT,
    )
    checkin = old.get_model("programs", "CheckIn").objects.create(
        mentorship=pair,
        status="scheduled",
        scheduled_at=SCHEDULED_AT,
        duration_minutes=30,
        location="Room 4",
        topics="First goals",
    )

    _migrate_to_latest()

    moved = Mentorship.objects.get(pk=pair.pk)
    assert (moved.program_id, moved.mentor_id, moved.mentee_id) == (
        program.pk,
        mentor.pk,
        mentee.pk,
    )
    assert (moved.state, moved.source, moved.score, moved.started_at) == (
        "active",
        "manual",
        87,
        STARTED_AT,
    )
    assert moved.explanation == [{"criterion": "skills", "points": 40}]
    moved_checkin = CheckIn.objects.get(pk=checkin.pk)
    assert moved_checkin.mentorship_id == pair.pk
    assert moved_checkin.uid == checkin.uid
    assert (
        moved_checkin.status,
        moved_checkin.scheduled_at,
        moved_checkin.duration_minutes,
        moved_checkin.location,
        moved_checkin.topics,
    ) == ("scheduled", SCHEDULED_AT, 30, "Room 4", "First goals")
    assert list(Mentorship.objects.get(pk=pair.pk).checkins.all()) == [moved_checkin]


@pytest.mark.django_db(transaction=True)
def test_the_moved_models_content_types_follow_them(
    before_the_move: MigrationExecutor,
) -> None:
    old = before_the_move.loader.project_state(BEFORE).apps
    content_type = old.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="pairs").delete()
    row, _ = content_type.objects.get_or_create(app_label="programs", model="checkin")

    _migrate_to_latest()

    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(CheckIn).pk == row.pk
    assert not ContentType.objects.filter(app_label="programs", model="checkin").exists()
