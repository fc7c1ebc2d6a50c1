"""Monthly activity per program and department: what HR's dashboard adds up.

Counting every check-in and survey answer of the organisation on each visit of HR's
dashboard takes seconds at scale (200,000 check-ins), so each program's snapshot
(reports.dashboards.snapshot_take, nightly and on demand) also stores its activity
as :class:`mentoring.models.ActivityMonth` rows: one per mentee department and month,
with the check-ins held, the pairs that met, the sums and counts of the 1-5 ratings
and the NPS answers as promoters, passives and detractors. HR's dashboard then sums a
few thousand rows in the database, whatever the number of check-ins.

A program without a fresh snapshot (a new site before its first nightly run, or a
worker that stopped) is counted live, with the same queries, so the numbers are never
missing, only slower to get.

Every figure stays a count or a sum; suppression happens when the rows are read
(reports.insights). Pairs are counted distinctly per month only: a pair that met in
March and April is one pair in each month, and never added up across months.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from pairs.models import CheckIn
from reports.models import ActivityMonth
from surveys.models import Answer, Question

Key = tuple[int, str, dt.date]  # (program id, department, first day of the month)


@dataclass
class Cell:
    """The activity of one program, department and month (or of a sum of them)."""

    checkins_held: int = 0
    pairs_met: int = 0
    rating_sum: int = 0
    rating_n: int = 0
    rating_pairs: int = 0
    nps_promoters: int = 0
    nps_passives: int = 0
    nps_detractors: int = 0

    def add(self, other: Cell | Mapping[str, Any]) -> None:
        for name in FIELDS:
            value = getattr(other, name) if isinstance(other, Cell) else other.get(name, 0)
            setattr(self, name, getattr(self, name) + int(value or 0))

    @property
    def nps_answers(self) -> int:
        return self.nps_promoters + self.nps_passives + self.nps_detractors


FIELDS = tuple(f.name for f in fields(Cell))


@dataclass
class Months:
    """Activity summed per (department, month), and how many programs were counted live."""

    cells: dict[tuple[str, dt.date], Cell] = field(default_factory=dict)
    live_programs: int = 0


def site_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _as_month(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.astimezone(site_zone()) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _nps_bucket(value: Any) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
        return None
    if value >= 9:
        return "nps_promoters"
    return "nps_passives" if value >= 7 else "nps_detractors"


def activity_count(*, checkins: QuerySet[CheckIn], answers: QuerySet[Answer]) -> dict[Key, Cell]:
    """The activity of the given check-ins and answers by (program, department, month).

    ``checkins`` and ``answers`` are any scope of those tables (one program, the
    programs without a snapshot, a department); the held check-ins and the NPS answers
    among them are counted. Two queries.
    """
    zone = site_zone()
    cells: dict[Key, Cell] = {}
    held = (
        checkins.filter(status=CheckIn.Status.DONE)
        .annotate(month=TruncMonth("scheduled_at", tzinfo=zone))
        .values("mentorship__program_id", "mentorship__mentee__department", "month")
        .annotate(
            checkins_held=Count("pk"),
            pairs_met=Count("mentorship", distinct=True),
            rating_sum=Sum(Coalesce("mentor_rating", 0) + Coalesce("mentee_rating", 0)),
            rating_n=Count("mentor_rating") + Count("mentee_rating"),
            rating_pairs=Count(
                "mentorship",
                distinct=True,
                filter=Q(mentor_rating__isnull=False) | Q(mentee_rating__isnull=False),
            ),
        )
        .order_by()
    )
    for row in held:
        key = (
            row["mentorship__program_id"],
            row["mentorship__mentee__department"] or "",
            _as_month(row["month"]),
        )
        cells.setdefault(key, Cell()).add(row)
    # Anonymous answers have no participant: their department is unknown ("").
    votes = (
        answers.filter(question__kind=Question.Kind.NPS)
        .annotate(
            program_id=F("response__survey__program_id"),
            department=Coalesce("response__participant__department", Value("")),
            month=TruncMonth("response__week_on"),
        )
        .values("program_id", "department", "month", "value")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for vote in votes:
        bucket = _nps_bucket(vote["value"])
        if bucket is None:
            continue
        cell = cells.setdefault(
            (vote["program_id"], vote["department"] or "", _as_month(vote["month"])), Cell()
        )
        setattr(cell, bucket, getattr(cell, bucket) + vote["n"])
    return cells


def activity_store(*, program_id: int, now: dt.datetime) -> int:
    """Replace one program's activity rows with freshly counted ones (two counting
    queries, a delete and an insert). Called by the program's snapshot."""
    cells = activity_count(
        checkins=CheckIn.objects.filter(mentorship__program_id=program_id),
        answers=Answer.objects.filter(response__survey__program_id=program_id),
    )
    with transaction.atomic():
        ActivityMonth.objects.filter(program_id=program_id).delete()
        ActivityMonth.objects.bulk_create(
            [
                ActivityMonth(
                    program_id=program,
                    department=department[:120],
                    month=month,
                    computed_at=now,
                    **{name: getattr(cell, name) for name in FIELDS},
                )
                for (program, department, month), cell in sorted(cells.items())
            ],
            batch_size=1000,
        )
    return len(cells)


def activity_months(
    *,
    fresh_programs: Iterable[int],
    stale_programs: Iterable[int],
    first: dt.date,
    last: dt.date,
) -> Months:
    """Activity per (department, month) from ``first`` to ``last`` (first days of
    months): the stored rows of the programs with a fresh snapshot (one query), plus a
    live count of the others (two more queries, only when there are any). Every
    department is returned: a view of one department shows its row of the one
    suppressed table (reports.insights)."""
    fresh, stale = sorted(set(fresh_programs)), sorted(set(stale_programs))
    result = Months(live_programs=len(stale))
    if fresh:
        rows = ActivityMonth.objects.filter(program_id__in=fresh, month__gte=first, month__lte=last)
        sums = {name: Sum(name) for name in FIELDS}
        for row in rows.values("department", "month").annotate(**sums).order_by():
            key = (row["department"], _as_month(row["month"]))
            result.cells.setdefault(key, Cell()).add(row)
    if stale:
        zone = site_zone()
        start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
        after = last.replace(day=28) + dt.timedelta(days=4)
        end = dt.datetime.combine(after.replace(day=1), dt.time(), tzinfo=zone)
        checkins = CheckIn.objects.filter(
            mentorship__program_id__in=stale, scheduled_at__gte=start, scheduled_at__lt=end
        )
        answers = Answer.objects.filter(
            response__survey__program_id__in=stale,
            response__week_on__gte=first,
            response__week_on__lt=end.date(),
        )
        for (_program, department, month), cell in activity_count(
            checkins=checkins, answers=answers
        ).items():
            result.cells.setdefault((department, month), Cell()).add(cell)
    result.cells = dict(sorted(result.cells.items()))
    return result
