"""Weights learnt from outcomes: which criteria went with pairs that worked out.

From the pairs of this program and of earlier programs that use the same criteria,
with the outcome each pair had, it estimates how much each criterion's similarity
changed the chance of a good outcome, and suggests weights in proportion. Nothing is
applied here: the coordinator previews a suggestion with "what if" and adopts it or
not (:func:`weight_suggestions_adopt`, through :func:`matching.runs.criterion_update`).

**The outcome** (one, binary, so that every estimate means the same thing):

- good: the pair completed; ended early because they reached their goals; or is
  active, has run at least ``MIN_CADENCES`` cadences and met within the last cadence
  (on track, as :class:`pairs.workspace.Health` says);
- bad: ended early because schedules did not fit, it was not the right fit, or for
  another reason; or is active, has run ``MIN_CADENCES`` cadences and has not met for
  ``Health.INACTIVE_AFTER`` cadences (inactive);
- no outcome yet, left out: active pairs younger than that or merely due or overdue,
  and pairs that ended for a reason that says nothing of the match (a change of role,
  someone leaving, a break).

Satisfaction is not used: check-in ratings are the pair's own and anonymous survey
answers cannot (and must not) be linked to a pair, so no per-pair rating exists that
could be used without breaking either promise.

**The features**: per pair and criterion, the similarity ``s`` in [0, 1] the pair had
when it was made (``exact_points / max_points`` of the stored explanation; for the
time-zone penalty ``s`` is 1 in the same zone and 0 at the full penalty). A criterion
of an earlier program counts as the same when its field, rule and mentor's field are
the same. Mandatory criteria earn no points and get no suggestion.

**The model**: a logistic regression of the outcome on every criterion's ``s`` at
once (so criteria that move together share the credit rather than each taking it
all), with a small L2 penalty, fitted by Newton's method (numpy only). A criterion's
*effect* is the average change in the chance of a good outcome from ``s = 0`` to
``s = 1`` over the pairs it applies to, others as they were; its 95% interval maps
the coefficient's Wald interval through the same average, so the interval excludes
zero exactly when the coefficient's does. A pair from a program without a criterion
takes that criterion's average ``s`` (it then tells nothing about it).

**Enough evidence**: a criterion gets a suggestion only with at least ``MIN_PAIRS``
pairs behind it, at least the minimum group size (the site's ``MIN_GROUP_SIZE``,
raised by the strictest program in the data) with high and with low similarity, and
at least that many good and bad outcomes. Below that it says "not enough evidence
yet" with the count. Only aggregates leave this module: counts of at least the
minimum, effects and intervals; never a pair.

**The suggested weight**: the weights with enough evidence keep their sum (the scale
the coordinator set), shared out in proportion to the positive effects, rounded to
0.1, at least ``LOWEST_WEIGHT``. A criterion with no positive effect gets the lowest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from matching import inputs, scoring
from matching.models import MatchCriterion
from matching.runs import criterion_update
from mentoring.models import User
from pairs.models import CheckIn, Mentorship, MentorshipStateChange
from pairs.workspace import Health
from programs.models import Program

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Fewer pairs than this behind a criterion: not enough evidence yet.
MIN_PAIRS = 30
# Similarity from which a pair counts as "high" for the group-size check.
HIGH_SIMILARITY = 0.5
# An active pair is judged once it has had this many cadences to meet.
MIN_CADENCES = 2
# The L2 penalty on the coefficients (not the intercept): keeps them finite when a
# criterion separates the outcomes perfectly, and is negligible next to 30+ pairs.
RIDGE = 1.0
Z95 = 1.959964
LOWEST_WEIGHT = Decimal("0.1")
HIGHEST_WEIGHT = Decimal("100")

EndReason = Mentorship.EndReason
# Ended early, and it says the pair worked: they reached their goals.
GOOD_END_REASONS = frozenset({EndReason.GOALS_MET})
# Ended early, and it may say something about the match.
BAD_END_REASONS = frozenset({EndReason.SCHEDULES, EndReason.FIT, EndReason.OTHER})
# Role changes, leaving and breaks say nothing about the match: no outcome.


# -- the pure part: outcomes, similarities, the fit -----------------------------------


def outcome_of(
    *,
    state: str,
    end_reason: str,
    started_at: dt.datetime,
    last_met_at: dt.datetime | None,
    cadence_days: int,
    now: dt.datetime,
) -> bool | None:
    """True for a good outcome, False for a bad one, None when there is none yet."""
    if state == Mentorship.State.COMPLETED:
        return True
    if state == Mentorship.State.ENDED:
        if end_reason in GOOD_END_REASONS:
            return True
        if end_reason in BAD_END_REASONS:
            return False
        return None
    cadence = dt.timedelta(days=cadence_days)
    if started_at > now - cadence * MIN_CADENCES:
        return None
    if last_met_at is not None and last_met_at >= now - cadence * Health.DUE_AFTER:
        return True
    if (last_met_at or started_at) < now - cadence * Health.INACTIVE_AFTER:
        return False
    return None


def similarities(
    parts: Sequence[Mapping[str, Any]], columns: Mapping[str, int]
) -> dict[int, float]:
    """Each known criterion's similarity in [0, 1] from a stored explanation, by column."""
    has_baseline = any(part.get("criterion") == scoring.BASELINE for part in parts)
    found: dict[int, float] = {}
    for part in parts:
        column = columns.get(str(part.get("criterion", "")))
        if column is None or part.get("mandatory"):
            continue
        try:
            exact, most = float(part["exact_points"]), float(part["max_points"])
        except (KeyError, TypeError, ValueError):
            continue
        if most <= 0:
            continue
        share = exact / most
        if part.get("kind") == scoring.Kind.TIME_ZONE and has_baseline:
            # The penalty on its own (-points * d): the baseline is a separate part.
            share = 1 + share
        # Otherwise a lone time-zone penalty carries the baseline (points * (1 - d)),
        # see matching.inputs.explanation_store.
        found[column] = min(1.0, max(0.0, share))
    return found


@dataclass(frozen=True)
class Estimate:
    """What the outcomes say about one criterion (aggregates only)."""

    n: int  # pairs with an outcome and this criterion
    enough: bool
    effect: float | None = None  # change in the chance of a good outcome, s 0 -> 1
    low: float | None = None  # 95% interval of the effect
    high: float | None = None

    @property
    def significant(self) -> bool:
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * x)), dtype=np.float64)


def _logistic(z: FloatArray, y: FloatArray, ridge: float) -> tuple[FloatArray, FloatArray]:
    """Coefficients and their covariance (inverse penalised Hessian) by Newton's method."""
    penalty = np.full(z.shape[1], ridge)
    penalty[0] = 0.0  # the intercept is not shrunk
    beta = np.zeros(z.shape[1])
    hessian = np.eye(z.shape[1])
    for _step in range(100):
        p = _sigmoid(z @ beta)
        w = p * (1 - p)
        hessian = (z * w[:, None]).T @ z + np.diag(penalty)
        gradient = z.T @ (y - p) - penalty * beta
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if float(np.max(np.abs(step))) < 1e-9:
            break
    p = _sigmoid(z @ beta)
    hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty)
    return beta, np.linalg.inv(hessian)


def estimates_fit(
    features: FloatArray, good: BoolArray, *, minimum: int, min_pairs: int = MIN_PAIRS
) -> list[Estimate]:
    """One estimate per column of ``features`` (pairs x criteria, NaN where a pair's
    program did not have the criterion) from the pairs' outcomes ``good``."""
    n_pairs, n_criteria = features.shape
    known = ~np.isnan(features)
    result: list[Estimate | None] = [None] * n_criteria
    fitted: list[int] = []
    for k in range(n_criteria):
        mask = known[:, k]
        n = int(mask.sum())
        high = int((features[mask, k] >= HIGH_SIMILARITY).sum())
        goods = int(good[mask].sum())
        if n < min_pairs or min(high, n - high, goods, n - goods) < minimum:
            result[k] = Estimate(n=n, enough=False)
        else:
            fitted.append(k)
    if fitted:
        x = features[:, fitted].copy()
        for j in range(len(fitted)):
            column = x[:, j]
            column[np.isnan(column)] = float(np.nanmean(column))
        z = np.hstack([np.ones((n_pairs, 1)), x])
        beta, covariance = _logistic(z, good.astype(np.float64), RIDGE)
        eta = z @ beta
        for j, k in enumerate(fitted):
            mask = known[:, k]
            # Everything but this criterion, for the pairs it applies to.
            rest = eta[mask] - beta[j + 1] * x[mask, j]

            def effect(b: float, rest: FloatArray = rest) -> float:
                return float(np.mean(_sigmoid(rest + b) - _sigmoid(rest)))

            se = math.sqrt(max(float(covariance[j + 1, j + 1]), 0.0))
            b = float(beta[j + 1])
            result[k] = Estimate(
                n=int(mask.sum()),
                enough=True,
                effect=effect(b),
                low=effect(b - Z95 * se),
                high=effect(b + Z95 * se),
            )
    return [r if r is not None else Estimate(n=0, enough=False) for r in result]


def weights_suggest(
    current: Sequence[float], estimates: Sequence[Estimate]
) -> list[Decimal | None]:
    """Suggested weights: the current sum of the criteria with enough evidence, shared
    in proportion to their positive effects (None where there is not enough)."""
    chosen = [n for n, e in enumerate(estimates) if e.enough and e.effect is not None]
    total = sum(current[n] for n in chosen)
    positive = {n: max(estimates[n].effect or 0.0, 0.0) for n in chosen}
    share = sum(positive.values())
    result: list[Decimal | None] = [None] * len(estimates)
    for n in chosen:
        raw = total * positive[n] / share if share > 0 else current[n]
        weight = Decimal(str(round(raw, 1)))
        result[n] = min(HIGHEST_WEIGHT, max(LOWEST_WEIGHT, weight))
    return result


# -- the program's data -------------------------------------------------------------


def _signature(field: str, rule: str, mentor_field: str) -> tuple[str, str, str]:
    return field, rule, mentor_field if rule in inputs.MENTOR_FIELD_KIND else ""


@dataclass(frozen=True)
class Suggestion:
    """One criterion's row: its weight now, what the outcomes suggest, and why."""

    criterion: MatchCriterion
    current_weight: float
    estimate: Estimate
    suggested_weight: Decimal | None

    @property
    def enough(self) -> bool:
        return self.estimate.enough

    @property
    def key(self) -> str:
        return f"c{self.criterion.pk}"


@dataclass(frozen=True)
class Suggestions:
    rows: list[Suggestion]
    pairs: int  # pairs with an outcome behind the fit
    programs: int  # programs they come from, this one included
    minimum: int  # the group size every count shown is at least
    min_pairs: int

    @property
    def any_enough(self) -> bool:
        return any(row.suggested_weight is not None for row in self.rows)

    def whatif_weights(self) -> dict[str, dict[str, Any]]:
        """The suggestions in the form :func:`matching.runs.match_whatif` takes."""
        return {
            row.key: {"weight": MatchCriterion.Weight.CUSTOM, "custom_weight": float(weight)}
            for row in self.rows
            if (weight := row.suggested_weight) is not None
        }


def _history(
    program: Program, criteria: Sequence[MatchCriterion], now: dt.datetime
) -> tuple[FloatArray, BoolArray, int, int]:
    """Features and outcomes of the pairs of this and earlier programs sharing criteria;
    with the number of programs and their strictest minimum group size."""
    column_of = {_signature(c.field, c.rule, c.mentor_field): n for n, c in enumerate(criteria)}
    fields = {field for field, _rule, _mentor in column_of}
    shared = MatchCriterion.objects.filter(
        mandatory_free(), field__in=fields, program__created_at__lte=program.created_at
    ).values_list("pk", "program_id", "field", "rule", "mentor_field")
    keys: dict[int, dict[str, int]] = {}
    for pk, program_id, field, rule, mentor_field in shared:
        column = column_of.get(_signature(field, rule, mentor_field))
        if column is not None:
            keys.setdefault(program_id, {})[f"c{pk}"] = column
    keys.setdefault(program.pk, {}).update({f"c{c.pk}": n for n, c in enumerate(criteria)})
    minimum = max(
        Program.objects.filter(pk__in=keys).values_list("min_group_size", flat=True), default=0
    )
    # Reading every pair's explanation and last meeting is the slow part (1.8 s at
    # 10,000 pairs); what it gives changes only when a pair, a state change or a
    # check-in does, or the day turns (outcomes count cadences up to today). So it
    # is kept in the cache under a fingerprint of those, a few aggregate queries.
    pairs = Mentorship.objects.filter(program_id__in=keys)
    checkins = CheckIn.objects.filter(mentorship__program_id__in=keys)
    fingerprint = (
        sorted((k, sorted(v.items())) for k, v in keys.items()),
        pairs.aggregate(
            n=Count("pk"),
            last=Max("pk"),
            ended=Max("ended_at"),
            active=Count("pk", filter=Q(state=Mentorship.State.ACTIVE)),
            completed=Count("pk", filter=Q(state=Mentorship.State.COMPLETED)),
        ),
        MentorshipStateChange.objects.filter(mentorship__program_id__in=keys).aggregate(
            last=Max("pk")
        ),
        checkins.aggregate(n=Count("pk"), last=Max("updated_at")),
        timezone.localdate(now).isoformat(),
    )
    cache_key = "matching:history:" + hashlib.sha256(repr(fingerprint).encode()).hexdigest()
    cached = cache.get(cache_key)
    if cached is not None:
        features_cached, good_cached = cached
        return features_cached, good_cached, len(keys), int(minimum)
    features, good = _history_rows(pairs, keys, len(criteria), now)
    cache.set(cache_key, (features, good), HISTORY_CACHE_SECONDS)
    return features, good, len(keys), int(minimum)


# How long a program's outcome history stays in the cache (its key changes with the data).
HISTORY_CACHE_SECONDS = 6 * 3600


def _history_rows(
    pairs: QuerySet[Mentorship],
    keys: Mapping[int, Mapping[str, int]],
    n_criteria: int,
    now: dt.datetime,
) -> tuple[FloatArray, BoolArray]:
    rows = pairs.annotate(
        last_met_at=Max("checkins__scheduled_at", filter=Q(checkins__status=CheckIn.Status.DONE))
    ).values_list(
        "program_id",
        "state",
        "end_reason",
        "started_at",
        "last_met_at",
        "program__checkin_cadence_days",
        "explanation",
    )
    features: list[list[float]] = []
    good: list[bool] = []
    for program_id, state, end_reason, started_at, last_met_at, cadence, explanation in rows:
        if not explanation:
            continue
        outcome = outcome_of(
            state=state,
            end_reason=end_reason,
            started_at=started_at,
            last_met_at=last_met_at,
            cadence_days=cadence,
            now=now,
        )
        if outcome is None:
            continue
        found = similarities(explanation, keys[program_id])
        if not found:
            continue
        features.append([found.get(n, math.nan) for n in range(n_criteria)])
        good.append(outcome)
    array = np.array(features, dtype=np.float64).reshape(len(features), n_criteria)
    return array, np.array(good, dtype=np.bool_)


def mandatory_free() -> Q:
    return ~Q(weight=MatchCriterion.Weight.MANDATORY)


def weight_suggestions(*, program: Program, now: dt.datetime | None = None) -> Suggestions:
    """What this program's and earlier programs' outcomes suggest for its weights."""
    now = now or timezone.now()
    criteria = list(MatchCriterion.objects.filter(mandatory_free(), program=program))
    features, good, programs, strictest = _history(program, criteria, now)
    minimum = max(int(settings.MIN_GROUP_SIZE), strictest)
    estimates = estimates_fit(features, good, minimum=minimum)
    current = [inputs.criterion_weight(inputs.criterion_row(c))[0] for c in criteria]
    suggested = weights_suggest(current, estimates)
    return Suggestions(
        rows=[
            Suggestion(c, w, e, s)
            for c, w, e, s in zip(criteria, current, estimates, suggested, strict=True)
        ],
        pairs=len(good),
        programs=programs,
        minimum=minimum,
        min_pairs=MIN_PAIRS,
    )


@transaction.atomic
def weight_suggestions_adopt(
    *, program: Program, by: User, criterion_id: int | None = None, now: dt.datetime | None = None
) -> int:
    """Set the suggested weights (all of them, or one criterion's) as the program's
    weights, through the criterion service. Recomputed here, so what is saved is
    what the outcomes say now. Returns how many weights were set."""
    changed = 0
    for row in weight_suggestions(program=program, now=now).rows:
        if row.suggested_weight is None:
            continue
        if criterion_id is not None and row.criterion.pk != criterion_id:
            continue
        criterion_update(
            criterion=row.criterion,
            by=by,
            weight=MatchCriterion.Weight.CUSTOM,
            custom_weight=row.suggested_weight,
        )
        changed += 1
    return changed
