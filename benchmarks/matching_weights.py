"""Benchmark: fitting the weight suggestions (matching.learning) on the large seed.

Runs on the configured database (DATABASE_URL; SQLite when unset) inside a throwaway
database it creates and destroys. Seeds it with the large demo (``demo_large_seed``:
50 programs, 10,000 pairs, 200,000 check-ins at ``--scale 1``), gives every program
the recommended six criteria and every pair an explanation with random similarities
and an outcome (completed, or ended early for a bad reason) drawn from a hidden
model in which two criteria matter, then times
:func:`matching.learning.weight_suggestions` for the newest program: it reads every
program's pairs (they all share the criteria), their check-ins and explanations, and
fits. Prints one JSON object per line:

    {"measure": "seed", "seconds": 48.1, "pairs": 10000, ...}
    {"measure": "fit_weight_suggestions", "pairs": 10000, "criteria": 6,
     "seconds": 0.9, "database": "sqlite", ...}
    {"measure": "fit_only", "pairs": 10000, "criteria": 6, "seconds": 0.01, ...}

``fit_weight_suggestions`` is the whole call (the median of ``--repeat`` runs): the
query and the fit. ``fit_only`` is just the logistic regression on the same arrays.

    .venv/bin/python benchmarks/matching_weights.py
    .venv/bin/python benchmarks/matching_weights.py --scale 0.2
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings.test")

# The hidden model: log-odds of a good outcome from the similarities (by field).
TRUE_EFFECTS = {"interests": 2.5, "time_zone": 1.0}
INTERCEPT = -1.0


def outcomes_add(*, seed: int = 5) -> dict[str, Any]:
    """Criteria for every program; an explanation and an outcome for every pair."""
    from matching import inputs
    from matching.models import MatchCriterion
    from pairs.models import Mentorship
    from programs.models import Program

    rng = random.Random(seed)  # noqa: S311  # nosec B311 - benchmark data
    started = time.perf_counter()
    criteria = MatchCriterion.objects.bulk_create(
        MatchCriterion(program=program, position=n, **{"mentor_field": "", **spec})
        for program in Program.objects.all()
        for n, spec in enumerate(inputs.RECOMMENDED)
    )
    by_program: dict[int, list[MatchCriterion]] = {}
    for criterion in criteria:
        by_program.setdefault(criterion.program_id, []).append(criterion)
    pairs = list(Mentorship.objects.only("pk", "program_id", "started_at"))
    now = dt.datetime.now(dt.UTC)
    for pair in pairs:
        parts = []
        logit = INTERCEPT
        for criterion in by_program[pair.program_id]:
            share = rng.random()
            logit += TRUE_EFFECTS.get(criterion.field, 0.0) * share
            points = 100.0 / len(inputs.RECOMMENDED)
            parts.append(
                {
                    "criterion": f"c{criterion.pk}",
                    "kind": criterion.rule,
                    "points": round(points * share),
                    "exact_points": points * share,
                    "max_points": points,
                }
            )
        pair.explanation = parts
        good = rng.random() < 1 / (1 + math.exp(-logit))
        pair.state = Mentorship.State.COMPLETED if good else Mentorship.State.ENDED
        pair.end_reason = "" if good else Mentorship.EndReason.FIT
        pair.ended_at = now
    Mentorship.objects.bulk_update(
        pairs, ["explanation", "state", "end_reason", "ended_at"], batch_size=2000
    )
    return {
        "measure": "outcomes_added",
        "pairs": len(pairs),
        "criteria": len(criteria),
        "seconds": round(time.perf_counter() - started, 1),
    }


def run(*, scale: float, repeat: int) -> None:
    from django.db import connection

    from demo.large import demo_large_seed
    from matching import learning
    from matching.models import MatchCriterion
    from programs.models import Program

    started = time.perf_counter()
    counts = demo_large_seed(scale=scale)
    print(
        json.dumps(
            {
                "measure": "seed",
                "seconds": round(time.perf_counter() - started, 1),
                "programs": counts.programs,
                "pairs": counts.mentorships,
                "checkins": counts.checkins,
            }
        ),
        flush=True,
    )
    print(json.dumps(outcomes_add()), flush=True)
    program = Program.objects.order_by("-created_at", "-pk")[0]
    timings = []
    for _n in range(repeat - 1):
        began = time.perf_counter()
        learning.weight_suggestions(program=program)
        timings.append(time.perf_counter() - began)
    began = time.perf_counter()
    found = learning.weight_suggestions(program=program)
    timings.append(time.perf_counter() - began)
    criteria = list(MatchCriterion.objects.filter(learning.mandatory_free(), program=program))
    print(
        json.dumps(
            {
                "measure": "fit_weight_suggestions",
                "pairs": found.pairs,
                "criteria": len(found.rows),
                "programs": found.programs,
                "seconds": round(statistics.median(timings), 3),
                "repeat": repeat,
                "database": connection.vendor,
                "effects": {
                    row.criterion.field: round(row.estimate.effect, 3)
                    for row in found.rows
                    if row.estimate.effect is not None
                },
                "suggested": {row.criterion.field: str(row.suggested_weight) for row in found.rows},
            }
        ),
        flush=True,
    )
    features, good, _programs, minimum = learning._history(
        program, criteria, dt.datetime.now(dt.UTC)
    )
    began = time.perf_counter()
    learning.estimates_fit(features, good, minimum=minimum)
    print(
        json.dumps(
            {
                "measure": "fit_only",
                "pairs": len(good),
                "criteria": features.shape[1],
                "seconds": round(time.perf_counter() - began, 4),
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the large seed")
    parser.add_argument("--repeat", type=int, default=5, help="timed calls (the median is shown)")
    args = parser.parse_args()

    import django

    django.setup()
    from benchmarks.support.database import throwaway_database

    with throwaway_database("matching_weights"):
        run(scale=args.scale, repeat=args.repeat)


if __name__ == "__main__":
    main()
