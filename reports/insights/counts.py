"""HR's filters, the period and the grouped counts behind every section: counted now
or read from the nightly InsightSnapshot."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from mentoring.models import EmployeeRecord, Promotion
from pairs.models import Mentorship
from programs.models import Participant, Program
from reports import activity
from reports.dashboards import SNAPSHOT_FRESH
from reports.models import InsightSnapshot

NO_DEPARTMENT = ""  # the department key of people and records without one


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    program_ids: tuple[int, ...] = ()
    department: str = ""
    # The minimum group size once looked up (with_minimum), so that a page of five
    # sections asks for it once.
    minimum: int | None = None


def min_group_size(filters: Filters) -> int:
    """The site's minimum, raised by the strictest program in view."""
    if filters.minimum is not None:
        return filters.minimum
    programs = Program.objects.all()
    if filters.program_ids:
        programs = programs.filter(pk__in=filters.program_ids)
    strictest = max(programs.values_list("min_group_size", flat=True), default=0)
    return max(settings.MIN_GROUP_SIZE, strictest)


def with_minimum(filters: Filters) -> Filters:
    return replace(filters, minimum=min_group_size(filters))


# -- the period: whole months ------------------------------------------------------------

MONTHS_SHOWN = 12  # the default period: this month and the eleven before


def months_before(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months before ``month`` (after, if negative)."""
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return months_before(month, -1) - dt.timedelta(days=1)


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve months, this one until today."""
    return months_before(today.replace(day=1), MONTHS_SHOWN - 1), today


# -- grouped counts: counted now, or read from the nightly snapshot ----------------------


@dataclass
class Counts:
    """Grouped counts before suppression: each section suppresses them as it shows
    them, whether they were counted now or read from an InsightSnapshot. Rows are
    lists (they go through JSON): people [department, role, status, n]; pairs
    [department, state, n]; consenting [department, gender, ethnicity, n]; outcomes
    [department, took part, employed on the first day, still employed on the last,
    promoted] for the period ``start`` .. ``end``."""

    people: list[list[Any]]
    pairs: list[list[Any]]
    programs: int
    consenting: list[list[Any]]
    outcomes: list[list[Any]]
    start: dt.date
    end: dt.date
    departments: list[str] = field(default_factory=list)
    computed_at: dt.datetime | None = None  # None: counted now

    def outcomes_for(self, filters: Filters) -> list[list[Any]] | None:
        """The outcome cells, when they cover the filters' period."""
        return self.outcomes if (self.start, self.end) == (filters.start, filters.end) else None


def _scoped(queryset: QuerySet[Any], filters: Filters, field_name: str) -> QuerySet[Any]:
    if filters.program_ids:
        return queryset.filter(**{f"{field_name}__in": filters.program_ids})
    return queryset


def people_rows(filters: Filters) -> list[list[Any]]:
    people = _scoped(Participant.objects.all(), filters, "program_id")
    return [
        [department or NO_DEPARTMENT, role, status, n]
        for department, role, status, n in people.values_list("department", "role", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ]


def pair_rows(filters: Filters) -> list[list[Any]]:
    pairs = _scoped(Mentorship.objects.all(), filters, "program_id")
    return [
        [department or NO_DEPARTMENT, state, n]
        for department, state, n in pairs.values_list("mentee__department", "state")
        .annotate(n=Count("pk"))
        .order_by()
    ]


def program_count(filters: Filters) -> int:
    programs = Program.objects.exclude(state=Program.State.DRAFT)
    return _scoped(programs, filters, "pk").count()


def consenting_rows(filters: Filters) -> list[list[Any]]:
    """Consenting people by (department, gender, ethnicity), each person once per
    department however many programs they joined."""
    people = Participant.objects.filter(
        joined_at__isnull=False, user__profile__demographics_consent_at__isnull=False
    )
    return [
        [department or NO_DEPARTMENT, gender, ethnicity, n]
        for department, gender, ethnicity, n in _scoped(people, filters, "program_id")
        .values_list("department", "user__profile__gender", "user__profile__ethnicity")
        .annotate(n=Count("user", distinct=True))
        .order_by()
    ]


def outcome_rows(filters: Filters) -> list[list[Any]]:
    """HR's file by department and whether the person took part, over the period."""
    base = EmployeeRecord.objects.filter(
        Q(hired_on__isnull=True) | Q(hired_on__lte=filters.start),
        Q(left_on__isnull=True) | Q(left_on__gt=filters.start),
    )
    promoted = Promotion.objects.filter(
        promoted_on__gte=filters.start, promoted_on__lte=filters.end
    ).values("employee_id")
    rows = (
        base.annotate(took_part=took_part(filters))
        .values("department", "took_part")
        .annotate(
            n=Count("pk"),
            stayed=Count("pk", filter=Q(left_on__isnull=True) | Q(left_on__gt=filters.end)),
            promoted_n=Count("pk", filter=Q(pk__in=promoted)),
        )
        .order_by()
    )
    return [
        [
            row["department"] or NO_DEPARTMENT,
            bool(row["took_part"]),
            row["n"],
            row["stayed"],
            int(row["promoted_n"] or 0),
        ]
        for row in rows
    ]


def department_names() -> list[str]:
    """Every department named in HR's file or by a participant, to filter by."""
    # Each side made distinct first: a dozen names to merge, not 40,000 rows.
    records = (
        EmployeeRecord.objects.exclude(department="")
        .order_by()
        .values_list("department")
        .distinct()
    )
    people = (
        Participant.objects.exclude(department="").order_by().values_list("department").distinct()
    )
    return sorted(d for (d,) in records.union(people))


def counts_compute(filters: Filters, *, departments: bool = False) -> Counts:
    """Every grouped count of the filters' program scope, now: six or seven queries."""
    return Counts(
        people=people_rows(filters),
        pairs=pair_rows(filters),
        programs=program_count(filters),
        consenting=consenting_rows(filters),
        outcomes=outcome_rows(filters),
        start=filters.start,
        end=filters.end,
        departments=department_names() if departments else [],
    )


def insight_snapshots_take(*, now: dt.datetime | None = None) -> int:
    """Store HR's grouped counts for every program filter (every program together,
    and each program that is not a draft), outcomes over the default period; replaces
    every earlier snapshot. A few queries per program."""
    now = now or timezone.now()
    start, end = default_period(timezone.localdate(now))
    scopes: list[int | None] = [
        None,
        *Program.objects.exclude(state=Program.State.DRAFT).values_list("pk", flat=True),
    ]
    rows = []
    for program_id in scopes:
        filters = Filters(start, end, (program_id,) if program_id else ())
        counts = counts_compute(filters, departments=program_id is None)
        data = asdict(counts)
        for key in ("start", "end", "computed_at"):
            data.pop(key)
        rows.append(
            InsightSnapshot(program_id=program_id, start=start, end=end, computed_at=now, data=data)
        )
    with transaction.atomic():
        InsightSnapshot.objects.all().delete()
        InsightSnapshot.objects.bulk_create(rows)
    return len(rows)


def insight_snapshot_get(
    *, program_id: int | None, now: dt.datetime | None = None
) -> Counts | None:
    """The grouped counts of a fresh snapshot of this program filter, if there is one."""
    now = now or timezone.now()
    snapshots = InsightSnapshot.objects.filter(computed_at__gte=now - SNAPSHOT_FRESH)
    if program_id is None:
        snapshots = snapshots.filter(program__isnull=True)
    else:
        snapshots = snapshots.filter(program_id=program_id)
    snapshot = snapshots.order_by("-computed_at").first()
    if snapshot is None:
        return None
    return Counts(
        **snapshot.data,
        start=snapshot.start,
        end=snapshot.end,
        computed_at=snapshot.computed_at,
    )


def took_part(filters: Filters) -> ExpressionWrapper:
    """Whether an employee record's email is a participant's who had joined by the end.

    An uncorrelated ``IN (subquery)``: the database hashes the participants' emails
    once, where a correlated EXISTS looked them up again for every employee.
    """
    # Joined before the end day was over, in the site's time zone (a range on the
    # column, not a date conversion of every row).
    after_end = dt.datetime.combine(
        filters.end + dt.timedelta(days=1), dt.time(), activity.site_zone()
    )
    people = Participant.objects.filter(joined_at__isnull=False, joined_at__lt=after_end)
    if filters.program_ids:
        people = people.filter(program_id__in=filters.program_ids)
    emails = people.annotate(key=Lower("email")).values("key")
    return ExpressionWrapper(Q(email__in=emails), output_field=BooleanField())
