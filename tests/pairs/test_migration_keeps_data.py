"""The pair models came from ``programs`` (migrations pairs.0001, matching.0003,
surveys.0003, programs.0009 and pairs.0002): their tables, rows and content types are
kept, on PostgreSQL and on SQLite."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from pairs.models import CheckIn, Mentorship
from tests.migration_moves import assert_passes_on_sqlite, historical, migrated_back_to, on_sqlite

# The leaf migrations before the pairs app existed. Taking pairs to zero also undoes
# what depends on it (matching.0003, surveys.0003, programs.0009).
BEFORE = [
    ("programs", "0011_guides_moved"),
    ("matching", "0002_criterion_rule_similar_themes"),
    ("surveys", "0002_anonymous_receipts_random"),
    ("pairs", None),
]
STARTED_AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SCHEDULED_AT = dt.datetime(2026, 3, 9, 14, 30, tzinfo=dt.UTC)
EXPLANATION = [{"criterion": "skills", "points": 40}]


@pytest.mark.django_db(transaction=True)
def test_pairs_and_checkins_written_before_the_move_are_read_after_it() -> None:
    with migrated_back_to(BEFORE) as old:
        program = historical(old, "programs", "Program").objects.create(
            name="Spring cohort", is_evergreen=True
        )
        participant = historical(old, "programs", "Participant").objects
        mentor = participant.create(
            program=program, role="mentor", email="mentor@example.com", full_name="Mia Mentor"
        )
        mentee = participant.create(
            program=program, role="mentee", email="mentee@example.com", full_name="Ned Mentee"
        )
        pair = historical(old, "programs", "Mentorship").objects.create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            source="manual",
            score=87,
            explanation=EXPLANATION,
            started_at=STARTED_AT,
        )
        checkin = historical(old, "programs", "CheckIn").objects.create(
            mentorship=pair,
            status="scheduled",
            scheduled_at=SCHEDULED_AT,
            duration_minutes=30,
            location="Room 4",
            topics="First goals",
        )
        old_type = historical(old, "contenttypes", "ContentType").objects
        old_type.filter(app_label="pairs").delete()  # as on a site that never had pairs
        stale = old_type.get_or_create(app_label="programs", model="checkin")[0].pk
        ids = (program.pk, mentor.pk, mentee.pk, pair.pk, checkin.pk, checkin.uid)

    program_id, mentor_id, mentee_id, pair_id, checkin_id, uid = ids
    moved = Mentorship.objects.get(pk=pair_id)
    assert (moved.program_id, moved.mentor_id, moved.mentee_id) == (
        program_id,
        mentor_id,
        mentee_id,
    )
    assert (moved.state, moved.source, moved.score, moved.started_at) == (
        "active",
        "manual",
        87,
        STARTED_AT,
    )
    assert moved.explanation == EXPLANATION
    moved_checkin = CheckIn.objects.get(pk=checkin_id)
    assert (moved_checkin.mentorship_id, moved_checkin.uid) == (pair_id, uid)
    assert (
        moved_checkin.status,
        moved_checkin.scheduled_at,
        moved_checkin.duration_minutes,
        moved_checkin.location,
        moved_checkin.topics,
    ) == ("scheduled", SCHEDULED_AT, 30, "Room 4", "First goals")
    assert list(moved.checkins.all()) == [moved_checkin]
    # The content type row moved with the model (permissions and admin history follow).
    ContentType.objects.clear_cache()
    assert ContentType.objects.get(pk=stale).app_label == "pairs"
    assert ContentType.objects.get_for_model(CheckIn).pk == stale


@pytest.mark.skipif(on_sqlite(), reason="this run is on SQLite already")
def test_the_same_move_keeps_rows_on_sqlite() -> None:
    assert_passes_on_sqlite(__file__)
