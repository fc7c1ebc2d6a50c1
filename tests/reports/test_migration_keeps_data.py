"""Reports' models came from ``mentoring`` (migrations mentoring.0012 and reports.0001):
their tables, rows and content types are kept, on PostgreSQL and on SQLite."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from reports.models import ActivityMonth, InsightSnapshot, ProgramSnapshot
from tests.migration_moves import assert_passes_on_sqlite, historical, migrated_back_to, on_sqlite

BEFORE = [("mentoring", "0011_audit_change_actions"), ("reports", None)]
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_snapshots_written_before_the_move_are_read_after_it() -> None:
    with migrated_back_to(BEFORE) as old:
        program = historical(old, "programs", "Program").objects.create(
            name="Before the move", is_evergreen=True
        )
        snapshot = historical(old, "mentoring", "ProgramSnapshot").objects.create(
            program=program, taken_on=NOW.date(), computed_at=NOW, data={"pairs": 7}
        )
        month = historical(old, "mentoring", "ActivityMonth").objects.create(
            program=program,
            department="Sales",
            month=dt.date(2026, 10, 1),
            checkins_held=4,
            computed_at=NOW,
        )
        insight = historical(old, "mentoring", "InsightSnapshot").objects.create(
            program=None,
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 10, 31),
            computed_at=NOW,
            data={"cells": [1, 2]},
        )
        old_type = historical(old, "contenttypes", "ContentType").objects
        old_type.filter(app_label="reports").delete()  # as on a site that never had reports
        stale = old_type.get_or_create(app_label="mentoring", model="programsnapshot")[0].pk
        ids = (program.pk, snapshot.pk, month.pk, insight.pk)

    program_id, snapshot_id, month_id, insight_id = ids
    kept = ProgramSnapshot.objects.get(pk=snapshot_id)
    assert (kept.program_id, kept.taken_on, kept.data) == (program_id, NOW.date(), {"pairs": 7})
    assert ActivityMonth.objects.get(pk=month_id).checkins_held == 4
    assert InsightSnapshot.objects.get(pk=insight_id).data == {"cells": [1, 2]}
    assert kept.computed_at == NOW
    # The content type row moved with the model (permissions and admin history follow).
    assert ContentType.objects.get(pk=stale).app_label == "reports"


@pytest.mark.skipif(on_sqlite(), reason="this run is on SQLite already")
def test_the_same_move_keeps_rows_on_sqlite() -> None:
    assert_passes_on_sqlite(__file__)
