"""Survey results for coordinators, the CSV export and HR: every figure suppressed.

The page, the CSV export and the API read the same :class:`SurveyResults` (or, for HR,
:class:`surveys.hr.HrOverview`), so each shows exactly what the page shows; the survey.closed
webhook reads :func:`response_counts`, the same head. No email carries results.
The rules (mentoring.suppression):

- every count of people (respondents per role, per answer, per week) comes from a
  suppressed table or breakdown: nothing below the minimum group size is shown, nor
  anything that would give a hidden count back by subtraction, nor hidden counts
  pinned down by "zeros are shown, so a hidden count is at least 1" (an exact check
  in mentoring.suppression);
- an average or NPS is one more equation on the counts it summarises (4a + 5b = 31
  beside a + b = 7 gives a and b away), so it is shown only when every count of its
  distribution is shown: the whole question's only when no answer's count is hidden,
  a role's only when none of that role's is, a week's only beside the whole
  question's (weeks are not split by answer, so they add nothing then). Where it is
  shown it adds nothing a reader could not work out, which is what makes it safe;
- zeros are shown (nobody is described), and the checks count on a reader knowing
  that every hidden count is therefore at least 1;
- one number, one visibility: a question's count per role (or in all) that equals
  the head's shown "answered" is treated as known, stays shown and counts as shown
  in the checks; when no suppression is safe with it shown, the question's
  distribution is *withheld* (every answer's count hidden, zeros too, so a hidden
  count may then be 0). Week counts add up to a total, so they are listed only when
  that total (the head's "answered", the question's count) is shown;
- the minimum is the larger of the site's MIN_GROUP_SIZE and the program's own;
- a view filtered by role shows rows of the one suppressed table, never a table
  suppressed on its own (two differently suppressed views of the same numbers
  could be combined to recover a hidden one);
- free text: an identified survey's answers carry the respondent's name (its
  program's coordinators only); an anonymous survey's answers carry nothing, come
  in random order, and appear only once at least the minimum number of people
  answered that question. HR never sees free text.

Each survey costs a fixed handful of queries, whatever the number of answers.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from mentoring.suppression import is_small, suppress_breakdown, suppress_table
from programs.models import Participant, Program
from surveys.models import Answer, Invitation, Question, Response, Survey

ROLES = (Participant.Role.MENTOR, Participant.Role.MENTEE)
ROLE_LABELS = dict(Participant.Role.choices)
# Numbers (rating, NPS) are averaged; choices are counted.
NUMBER_KINDS = (Question.Kind.RATING, Question.Kind.NPS)


def minimum_for(program: Program) -> int:
    return max(int(settings.MIN_GROUP_SIZE), program.min_group_size)


def average_of(values: Sequence[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def nps_score(values: Sequence[int]) -> int | None:
    """Share of promoters (9-10) minus share of detractors (0-6), -100..100."""
    if not values:
        return None
    promoters = sum(1 for v in values if v >= 9)
    detractors = sum(1 for v in values if v <= 6)
    return round(100 * (promoters - detractors) / len(values))


@dataclass(frozen=True)
class Bar:
    label: str
    count: int | None  # None: hidden
    percent: int | None  # of the shown total, for the chart

    @property
    def hidden(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class RoleRow:
    role: str
    label: str
    count: int | None
    cells: tuple[int | None, ...]
    average: float | None = None
    nps: int | None = None


@dataclass(frozen=True)
class WeekRow:
    week_on: dt.date
    count: int | None
    average: float | None = None


@dataclass(frozen=True)
class TextAnswer:
    text: str
    name: str = ""  # identified surveys only


@dataclass
class QuestionResult:
    question: Question
    count: int | None  # people who answered it (None: hidden)
    bars: list[Bar] = field(default_factory=list)
    roles: list[RoleRow] = field(default_factory=list)
    weeks: list[WeekRow] = field(default_factory=list)
    average: float | None = None
    nps: int | None = None
    texts: list[TextAnswer] = field(default_factory=list)
    texts_withheld: bool = False  # anonymous free text below the minimum
    # No answer's count could be shown without giving a hidden one away (the
    # question's totals are known from the head): every count hidden, zeros too.
    withheld: bool = False

    @property
    def option_labels(self) -> list[str]:
        return [bar.label for bar in self.bars]


@dataclass
class SurveyResults:
    survey: Survey
    minimum: int
    invited: int | None
    answered: int | None
    rate: int | None  # percent
    roles: list[RoleRow]  # count: invited; cells: (answered,)
    weeks: list[WeekRow]
    questions: list[QuestionResult]
    role_filter: str = ""

    @property
    def anything_hidden(self) -> bool:
        return self.invited is None or self.answered is None


def _percent(part: int | None, whole: int | None) -> int | None:
    if part is None or not whole:
        return None
    return round(100 * part / whole)


def _option_labels(question: Question) -> list[str]:
    if question.kind in NUMBER_KINDS:
        return [str(v) for v in question.scale]
    return list(question.choices)


def _option_index(question: Question, value: Any) -> list[int]:
    labels = _option_labels(question)
    if question.kind in NUMBER_KINDS:
        return [labels.index(str(value))] if str(value) in labels else []
    if question.kind == Question.Kind.SINGLE_CHOICE:
        return [labels.index(value)] if value in labels else []
    if question.kind == Question.Kind.MULTI_CHOICE:
        return [labels.index(v) for v in value if v in labels]
    return []


def _role_rows(
    roles: Sequence[str], table_cells: Sequence[Sequence[int | None]], totals: Sequence[int | None]
) -> list[RoleRow]:
    return [
        RoleRow(role=role, label=str(ROLE_LABELS[role]), count=total, cells=tuple(cells))
        for role, cells, total in zip(roles, table_cells, totals, strict=True)
    ]


def _choice_result(
    question: Question,
    roles: Sequence[str],
    answers: list[tuple[str, dt.date, Any]],
    minimum: int,
    weeks: Sequence[dt.date],
    head: ResponseCounts | None = None,
) -> QuestionResult:
    """One question's figures. ``head`` is what the results' head shows (answered
    per role and in all): a count of this question equal to one shown there is
    known to the reader, so it stays shown and counts as shown in the checks."""
    labels = _option_labels(question)
    head_roles = {row.role: row.cells[0] for row in head.roles} if head else {}
    head_total = head.answered if head else None
    if question.kind == Question.Kind.MULTI_CHOICE:
        return _multi_choice_result(
            question, labels, answers, minimum, head_total, head_given=head is not None
        )
    counts = [[0] * len(labels) for _ in roles]
    values_by_role: dict[str, list[int]] = defaultdict(list)
    values_by_week: dict[dt.date, list[int]] = defaultdict(list)
    for role, week, value in answers:
        if role not in roles:
            continue
        for index in _option_index(question, value):
            counts[roles.index(role)][index] += 1
        if question.kind in NUMBER_KINDS:
            values_by_role[role].append(int(value))
            values_by_week[week].append(int(value))
    sizes = [sum(row) for row in counts]
    table = suppress_table(
        counts,
        minimum=minimum,
        known_row_totals=[
            head_roles.get(role) is not None and head_roles[role] == size
            for role, size in zip(roles, sizes, strict=True)
        ],
        known_grand_total=head_total is not None and head_total == sum(sizes),
    )
    total = table.grand_total
    bars = [
        Bar(label, count, _percent(count, total))
        for label, count in zip(labels, table.column_totals, strict=True)
    ]
    result = QuestionResult(question, total, bars=bars, withheld=table.withheld)
    numbers = question.kind in NUMBER_KINDS
    rows = []
    for r, role in enumerate(roles):
        # A group's average is one more equation on its counts: shown only when all
        # of them are (it then adds nothing).
        whole = bool(table.row_totals[r]) and None not in table.cells[r] and not table.withheld
        rows.append(
            RoleRow(
                role=role,
                label=str(ROLE_LABELS[role]),
                count=table.row_totals[r],
                cells=table.cells[r],
                average=average_of(values_by_role[role]) if numbers and whole else None,
                nps=nps_score(values_by_role[role])
                if whole and question.kind == Question.Kind.NPS
                else None,
            )
        )
    result.roles = rows
    whole = bool(total) and None not in table.column_totals and not table.withheld
    all_values = [v for role in roles for v in values_by_role[role]]
    if numbers and whole:
        result.average = average_of(all_values)
        result.nps = nps_score(all_values) if question.kind == Question.Kind.NPS else None
    if numbers and weeks and total is not None:
        weekly = suppress_breakdown([len(values_by_week[w]) for w in weeks], minimum=minimum)
        # Week counts add up to the question's count: shown only when it is.
        if weekly.total == total:
            result.weeks = [
                WeekRow(week, count, average_of(values_by_week[week]) if count and whole else None)
                for week, count in zip(weeks, weekly.cells, strict=True)
            ]
    return result


def _multi_choice_result(
    question: Question,
    labels: Sequence[str],
    answers: list[tuple[str, dt.date, Any]],
    minimum: int,
    head_total: int | None,
    *,
    head_given: bool,
) -> QuestionResult:
    """Each option splits the respondents in two (chose it or not), so each is its
    own breakdown with the same total. No breakdown by role: one table per option
    would hide the role totals differently from option to option."""
    chosen = Counter[int]()
    for _role, _week, value in answers:
        for index in _option_index(question, value):
            chosen[index] += 1
    people = len(answers)
    splits = [
        suppress_breakdown([chosen[index], people - chosen[index]], minimum=minimum)
        for index in range(len(labels))
    ]
    # The head's "answered" is this count when everyone answered: hidden there, so here.
    head_hides = head_total is None and head_given
    total: int | None = None if is_small(people, minimum) or head_hides else people
    if total is not None and any(split.total is None for split in splits):
        # A split that had to hide its total (two hidden 1s) while the count of people
        # is shown, here or in the head: withhold every option, zeros too.
        bars = [Bar(label, None, None) for label in labels]
        return QuestionResult(question, total, bars=bars, withheld=True)
    bars = [
        Bar(label, split.cells[0], _percent(split.cells[0], total))
        for label, split in zip(labels, splits, strict=True)
    ]
    return QuestionResult(question, total, bars=bars)


@dataclass(frozen=True)
class ResponseCounts:
    """Who was invited and how many answered, per role and in all, suppressed."""

    minimum: int
    invited: int
    answered: int | None
    rate: int | None  # percent
    roles: list[RoleRow]  # count: invited; cells: (answered,)


def response_counts(*, survey: Survey) -> ResponseCounts:
    """The head of the results page (one query); also what survey.closed announces."""
    minimum = minimum_for(survey.program)
    roles = [role for role in ROLES if role in survey.roles]
    # Invitations per role, answered or not (one query).
    invited: dict[str, tuple[int, int]] = {
        role: (n, answered)
        for role, n, answered in Invitation.objects.filter(survey=survey)
        .order_by()
        .values("role")
        .annotate(n=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .values_list("role", "n", "answered")
    }
    return response_counts_from(minimum=minimum, roles=roles, invited=invited)


def response_counts_from(
    *, minimum: int, roles: Sequence[str], invited: Mapping[str, tuple[int, int]]
) -> ResponseCounts:
    """The head from (invited, answered) per role; no queries."""
    # Who was invited is no secret to coordinators (they invited them); who answered
    # is a group of respondents, suppressed like every other.
    answered = suppress_breakdown([invited.get(role, (0, 0))[1] for role in roles], minimum=minimum)
    invited_total = sum(n for n, _answered in invited.values())
    role_rows = [
        RoleRow(
            role=role,
            label=str(ROLE_LABELS[role]),
            count=invited.get(role, (0, 0))[0],
            cells=(answered.cells[i],),
        )
        for i, role in enumerate(roles)
    ]
    return ResponseCounts(
        minimum=minimum,
        invited=invited_total,
        answered=answered.total,
        rate=_percent(answered.total, invited_total),
        roles=role_rows,
    )


def survey_results(*, survey: Survey, role_filter: str = "") -> SurveyResults:
    """Everything the results page, the CSV export and the summary cards show."""
    counts = response_counts(survey=survey)
    # Responses per week (one query).
    per_week = dict(
        Response.objects.filter(survey=survey)
        .order_by()
        .values("week_on")
        .annotate(n=Count("pk"))
        .values_list("week_on", "n")
    )
    # Every answer (one query), then free text (one query).
    questions = list(survey.questions.order_by("position", "id"))
    by_question: dict[int, list[tuple[str, dt.date, Any]]] = defaultdict(list)
    for question_id, role, week, value in (
        Answer.objects.filter(response__survey=survey)
        .exclude(question__kind=Question.Kind.TEXT)
        .values_list("question_id", "response__role", "response__week_on", "value")
    ):
        by_question[question_id].append((role, week, value))
    texts = _texts(survey, [q for q in questions if q.kind == Question.Kind.TEXT], counts.minimum)
    return survey_results_from(
        survey=survey,
        counts=counts,
        per_week=per_week,
        questions=questions,
        by_question=by_question,
        texts=texts,
        role_filter=role_filter,
    )


def survey_results_from(
    *,
    survey: Survey,
    counts: ResponseCounts,
    per_week: Mapping[dt.date, int],
    questions: Sequence[Question],
    by_question: Mapping[int, list[tuple[str, dt.date, Any]]],
    texts: Mapping[int, tuple[int, list[TextAnswer]]],
    role_filter: str = "",
) -> SurveyResults:
    """The results from the head, the responses per week and every answer (as
    (role, week, value) per question id); no queries."""
    minimum = counts.minimum
    roles = [role for role in ROLES if role in survey.roles]
    role_rows = counts.roles
    weeks = sorted(per_week)
    weekly = suppress_breakdown([per_week[w] for w in weeks], minimum=minimum) if weeks else None
    # The weeks add up to the head's "answered": shown only when it is.
    week_rows = (
        [WeekRow(w, c) for w, c in zip(weeks, weekly.cells, strict=True)]
        if weekly and weekly.total is not None and weekly.total == counts.answered
        else []
    )
    results = []
    for question in questions:
        question_roles = [role for role in roles if role in question.roles]
        if question.kind == Question.Kind.TEXT:
            count, items = texts.get(question.pk, (0, []))
            result = QuestionResult(question, count if count >= minimum else None)
            if survey.is_anonymous and count < minimum:
                result.texts_withheld = True
            else:
                result.texts = items
            results.append(result)
            continue
        results.append(
            _choice_result(
                question,
                question_roles or roles,
                by_question.get(question.pk, []),
                minimum,
                weeks,
                counts,
            )
        )
    if role_filter in roles:
        # Rows of the same suppressed tables: never a table suppressed on its own.
        role_rows = [row for row in role_rows if row.role == role_filter]
        for result in results:
            result.roles = [row for row in result.roles if row.role == role_filter]
    return SurveyResults(
        survey=survey,
        minimum=minimum,
        invited=counts.invited,
        answered=counts.answered,
        rate=counts.rate,
        roles=role_rows,
        weeks=week_rows,
        questions=results,
        role_filter=role_filter if role_filter in roles else "",
    )


def _texts(
    survey: Survey, questions: Iterable[Question], minimum: int
) -> dict[int, tuple[int, list[TextAnswer]]]:
    """Free-text answers per question: (how many, what may be shown)."""
    ids = [q.pk for q in questions]
    if not ids:
        return {}
    answers = Answer.objects.filter(response__survey=survey, question_id__in=ids)
    found: dict[int, list[TextAnswer]] = defaultdict(list)
    if survey.is_anonymous:
        # Nothing about the person or the moment; shuffled, so order says nothing either.
        for question_id, value in answers.values_list("question_id", "value"):
            found[question_id].append(TextAnswer(text=str(value)))
        shuffler = random.SystemRandom()
        for items in found.values():
            shuffler.shuffle(items)
    else:
        for question_id, value, full_name, email in answers.order_by(
            "response__participant__full_name", "response__participant__email", "id"
        ).values_list(
            "question_id",
            "value",
            "response__participant__full_name",
            "response__participant__email",
        ):
            found[question_id].append(TextAnswer(text=str(value), name=full_name or email or ""))
    return {question_id: (len(items), items) for question_id, items in found.items()}


# ------------------------------------------------------------------------------
# Survey lists
# ------------------------------------------------------------------------------


def survey_list(*, program: Program) -> QuerySet[Survey]:
    """The program's surveys with invitation and question counts (one query)."""
    return (
        Survey.objects.filter(program=program)
        .annotate(
            n_invited=Count("invitations", distinct=True),
            n_questions=Count("questions", distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def hidden_label() -> str:
    return _("fewer than the minimum, hidden")
