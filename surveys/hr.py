"""Survey figures across programs, for HR: responses per role and satisfaction.

Aggregates only, suppressed as one table (mentoring.suppression); HR never sees
free text or a single survey's answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count

from mentoring.suppression import suppress_table
from programs.models import Program
from surveys.models import Answer, Question, Response
from surveys.results import NUMBER_KINDS, ROLE_LABELS, ROLES, average_of, nps_score


@dataclass(frozen=True)
class HrRow:
    program: Program
    cells: tuple[int | None, ...]  # responses per role
    total: int | None
    average: float | None  # all 1-5 ratings
    nps: int | None


@dataclass(frozen=True)
class HrOverview:
    minimum: int
    roles: list[tuple[str, str]]
    rows: list[HrRow]
    column_totals: tuple[int | None, ...]
    grand_total: int | None
    average: float | None
    nps: int | None


def hr_overview(*, programs: Iterable[Program]) -> HrOverview:
    """Responses and satisfaction across programs, for HR: aggregates only.

    One minimum for the whole table, the largest any of its programs asks for.
    Three queries, whatever the number of programs and answers.
    """
    programs = [p for p in programs if p.state != Program.State.DRAFT]
    minimum = max([int(settings.MIN_GROUP_SIZE), *(p.min_group_size for p in programs)])
    ids = [p.pk for p in programs]
    counts: dict[tuple[int, str], int] = {
        (row["survey__program_id"], row["role"]): row["n"]
        for row in Response.objects.filter(survey__program_id__in=ids)
        .order_by()
        .values("survey__program_id", "role")
        .annotate(n=Count("pk"))
    }
    numbers: dict[tuple[int, str], list[int]] = defaultdict(list)
    for program_id, kind, value in Answer.objects.filter(
        response__survey__program_id__in=ids, question__kind__in=NUMBER_KINDS
    ).values_list("response__survey__program_id", "question__kind", "value"):
        numbers[(program_id, kind)].append(int(value))
    rows: list[HrRow] = []
    if programs:
        table = suppress_table(
            [[counts.get((p.pk, role), 0) for role in ROLES] for p in programs], minimum=minimum
        )
        for i, program in enumerate(programs):
            shown = bool(table.row_totals[i])
            ratings = numbers[(program.pk, Question.Kind.RATING)]
            nps_values = numbers[(program.pk, Question.Kind.NPS)]
            rows.append(
                HrRow(
                    program=program,
                    cells=table.cells[i],
                    total=table.row_totals[i],
                    average=average_of(ratings) if shown and len(ratings) >= minimum else None,
                    nps=nps_score(nps_values) if shown and len(nps_values) >= minimum else None,
                )
            )
        column_totals, grand = table.column_totals, table.grand_total
    else:
        column_totals, grand = (0, 0), 0
    all_ratings = [
        v for (_p, kind), vs in numbers.items() if kind == Question.Kind.RATING for v in vs
    ]
    all_nps = [v for (_p, kind), vs in numbers.items() if kind == Question.Kind.NPS for v in vs]
    return HrOverview(
        minimum=minimum,
        roles=[(role, str(ROLE_LABELS[role])) for role in ROLES],
        rows=rows,
        column_totals=tuple(column_totals),
        grand_total=grand,
        average=average_of(all_ratings) if grand and len(all_ratings) >= minimum else None,
        nps=nps_score(all_nps) if grand and len(all_nps) >= minimum else None,
    )
