"""What a reader can work out from a survey's shown results: an exact integer solver.

Given a :class:`surveys.results.SurveyResults` and one of its questions, it writes
down everything the results show about that question as linear constraints on the
unknown counts (people per role and answer, per week and answer), and asks an
integer program (scipy's ``milp``, exact on integers) for the smallest and largest
value each hidden count can take. A hidden count is *determined* when the two agree.

What the reader is assumed to know, and so what the constraints are:

- every shown count, and that every line adds up (a role's answers to its count,
  an answer's roles to the answer's count, everything to the question's count);
- zeros are always shown, so a hidden count is at least 1 (at least 0 when the
  question's distribution is withheld as a whole, zeros included);
- the question was answered by everyone who answered the survey (the strongest
  assumption: its counts then equal the head's answered per role and per week);
- every shown average and NPS, rounded as shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from surveys.models import Question
from surveys.results import NUMBER_KINDS, QuestionResult, SurveyResults, average_of, nps_score

Expr = dict[int, float]  # variable index -> coefficient


@dataclass
class _Model:
    n: int = 0
    rows: list[tuple[Expr, float, float]] = field(default_factory=list)
    # (what it is, its expression, its true value) for every hidden count.
    hidden: list[tuple[str, Expr, int | None]] = field(default_factory=list)

    def var(self) -> int:
        self.n += 1
        return self.n - 1

    def equal(self, expr: Expr, value: float) -> None:
        self.rows.append((expr, value, value))

    def between(self, expr: Expr, low: float, high: float) -> None:
        self.rows.append((expr, low, high))

    def count(self, name: str, expr: Expr, shown: int | None, *, floor: int) -> None:
        """A count the page shows (an equation) or hides (at least ``floor``)."""
        if shown is None:
            self.between(expr, floor, np.inf)
            self.hidden.append((name, expr, None))
        else:
            self.equal(expr, shown)

    def _solve(self, objective: Expr) -> float:
        c = np.zeros(self.n)
        for i, k in objective.items():
            c[i] = k
        a = np.zeros((len(self.rows), self.n))
        for j, (expr, _low, _high) in enumerate(self.rows):
            for i, k in expr.items():
                a[j, i] += k
        low = np.array([row[1] for row in self.rows])
        high = np.array([row[2] for row in self.rows])
        found = milp(
            c,
            integrality=np.ones(self.n),
            bounds=Bounds(0, 60),  # far above any test's counts: a cap only makes it stricter
            constraints=LinearConstraint(a, low, high),
        )
        assert found.status == 0, f"the true answers must fit what is shown: {found.message}"
        return float(found.fun)

    def determined(self) -> list[str]:
        out = []
        for name, expr, _true in self.hidden:
            low = self._solve(expr)
            high = -self._solve({i: -k for i, k in expr.items()})
            if round(high - low) == 0:
                out.append(f"{name} = {round(low)}")
        return out


def _sum(*exprs: Expr) -> Expr:
    out: Expr = {}
    for expr in exprs:
        for i, k in expr.items():
            out[i] = out.get(i, 0.0) + k
    return out


def _weighted(exprs: Sequence[Expr], weights: Sequence[float]) -> Expr:
    return _sum(*({i: k * w for i, k in e.items()} for e, w in zip(exprs, weights, strict=True)))


def _rounded_mean(model: _Model, total: Expr, n: Expr, n_shown: int | None, shown: float) -> None:
    """total / n rounds to ``shown`` (one decimal)."""
    if n_shown:
        fits = [
            s for s in range(0, 11 * n_shown + 1) if average_of([s] + [0] * (n_shown - 1)) == shown
        ]
        model.between(total, min(fits), max(fits))
    else:  # strictly inside the rounding interval: fewer solutions, so a stricter check
        model.between(_sum(total, {i: -(shown - 0.05) * k for i, k in n.items()}), 0.01, np.inf)
        model.between(_sum(total, {i: -(shown + 0.05) * k for i, k in n.items()}), -np.inf, -0.01)


def _rounded_nps(model: _Model, diff: Expr, n: Expr, n_shown: int | None, shown: int) -> None:
    """100 * diff / n rounds to ``shown``."""
    if n_shown:
        fits = [
            d
            for d in range(-n_shown, n_shown + 1)
            if nps_score([10] * max(d, 0) + [0] * max(-d, 0) + [7] * (n_shown - abs(d))) == shown
        ]
        model.between(diff, min(fits), max(fits))
    else:
        model.between(
            _sum(
                {i: 100 * k for i, k in diff.items()}, {i: -(shown - 0.5) * k for i, k in n.items()}
            ),
            0.1,
            np.inf,
        )
        model.between(
            _sum(
                {i: 100 * k for i, k in diff.items()}, {i: -(shown + 0.5) * k for i, k in n.items()}
            ),
            -np.inf,
            -0.1,
        )


def _group_figures(
    model: _Model,
    question: Question,
    cells: Sequence[Expr],
    n: Expr,
    n_shown: int | None,
    average: float | None,
    nps: int | None,
) -> None:
    if average is not None:
        _rounded_mean(model, _weighted(cells, question.scale), n, n_shown, average)
    if nps is not None:
        signs = [1.0 if v >= 9 else -1.0 if v <= 6 else 0.0 for v in question.scale]
        _rounded_nps(model, _weighted(cells, signs), n, n_shown, nps)


def determined_counts(results: SurveyResults, item: QuestionResult) -> list[str]:
    """The hidden counts of one question that what is shown pins to a single value."""
    model = _Model()
    question = item.question
    if question.kind == Question.Kind.MULTI_CHOICE:
        return _multi_choice(model, results, item)
    floor = 0 if item.withheld else 1
    labels = item.option_labels
    head = {row.role: row.cells[0] for row in results.roles}
    x = [[{model.var(): 1.0} for _label in labels] for _row in item.roles]
    for r, row in enumerate(item.roles):
        for c, label in enumerate(labels):
            model.count(f"{row.role} '{label}'", x[r][c], row.cells[c], floor=floor)
        total = _sum(*x[r])
        model.count(f"{row.role} answered", total, row.count, floor=floor)
        if row.role in head:  # the head's count of the role is this one too
            model.count(f"head: {row.role} answered", total, head[row.role], floor=1)
        _group_figures(model, question, x[r], total, row.count, row.average, row.nps)
    if results.role_filter:  # the other roles' answers are in the bars, unseen
        x.append([{model.var(): 1.0} for _label in labels])
    columns = [_sum(*(row[c] for row in x)) for c in range(len(labels))]
    for c, bar in enumerate(item.bars):
        model.count(f"everyone '{bar.label}'", columns[c], bar.count, floor=floor)
    everyone = _sum(*columns)
    model.count("everyone answered", everyone, item.count, floor=floor)
    model.count("head: answered", everyone, results.answered, floor=1)
    _group_figures(model, question, columns, everyone, item.count, item.average, item.nps)
    # Weeks: the question's counts per week (and averages), the survey's per week.
    if item.weeks:
        survey_weeks = {week.week_on: week.count for week in results.weeks}
        averages = any(week.average is not None for week in item.weeks)
        if averages:  # answers per week and option, adding up to the bars
            y = [[{model.var(): 1.0} for _label in labels] for _week in item.weeks]
            for c in range(len(labels)):
                weekly = _sum(*(y[w][c] for w in range(len(item.weeks))))
                model.equal(_sum(weekly, {i: -k for i, k in columns[c].items()}), 0)
            sizes = [_sum(*row) for row in y]
        else:  # answers per week, adding up to the question's count
            sizes = [{model.var(): 1.0} for _week in item.weeks]
            model.equal(_sum(*sizes, {i: -k for i, k in everyone.items()}), 0)
        for w, week in enumerate(item.weeks):
            model.count(f"week {week.week_on}", sizes[w], week.count, floor=1)
            if week.week_on in survey_weeks:
                model.count(
                    f"head: week {week.week_on}", sizes[w], survey_weeks[week.week_on], floor=1
                )
            if averages and question.kind in NUMBER_KINDS:
                _group_figures(model, question, y[w], sizes[w], week.count, week.average, None)
    return model.determined()


def _multi_choice(model: _Model, results: SurveyResults, item: QuestionResult) -> list[str]:
    people = {model.var(): 1.0}
    floor = 0 if item.withheld else 1
    model.count("answered", people, item.count, floor=floor)
    model.count("head: answered", people, results.answered, floor=1)
    for bar in item.bars:
        chose = {model.var(): 1.0}
        model.count(f"chose '{bar.label}'", chose, bar.count, floor=floor)
        if bar.count is None:  # the ones who did not choose it are hidden too
            model.between(_sum(people, {i: -k for i, k in chose.items()}), floor, np.inf)
        else:
            model.between(_sum(people, {i: -k for i, k in chose.items()}), 0, np.inf)
    return model.determined()
