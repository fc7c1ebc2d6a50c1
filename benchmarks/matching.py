"""Benchmark: scoring plus solving a generated program, three ways, side by side.

For each shape of scores and each size (mentees x mentors; by default 1,000 x 300,
10,000 x 3,000 and 30,000 x 9,000; mentor capacities 1 to 5; the hard rules on) it
runs

- ``sparse``: matching.solver.solve, the exact solver (candidates, a min-cost flow,
  a proof over every pair);
- ``dense``: matching.solver.solve_dense, scipy's linear_sum_assignment over every
  mentee x capacity slot, the reference;
- ``greedy``: matching.solver.solve_greedy, best pair first (not optimal);

each in a fresh Python process, and prints one JSON object per line, e.g.

    {"shape": "varied", "mentees": 10000, "mentors": 3000, "objective_kind": "total",
     "method": "sparse", "seconds": 1.6, "peak_mb": 220.1, "objective": 496616.06,
     "matched": 8530, "proven": true, ...}

The shapes (``SHAPES``; every one but "levels" and "equal" is the project's Scorer):

- ``varied``: ten weighted criteria and a mandatory one (scores of every value);
- ``levels``: five score levels (0, 25, 50, 75, 100) drawn per pair;
- ``equal``: every allowed pair scores 50;
- ``categorical``: two categorical criteria only (department, location);
- ``clustered``: 20 clusters, a pair across clusters is not allowed (a mandatory
  criterion), department, location and format inside;
- ``scarce``: the ten criteria with one place per mentor.

The dense reference runs only where its matrices fit in memory (``DENSE_MAX_CELLS``
mentees x places); ``dense_ratio`` is its time over the sparse solver's, measured in
the same run.

``seconds`` is the wall time of building the scorer and solving (the people are
generated first and not counted; the modules are imported). ``peak_mb`` is the peak
resident memory of the whole process (``ru_maxrss``: the interpreter, numpy and
scipy, the generated people and the method), ``base_mb`` the same just before the
timed part, so ``peak_mb - base_mb`` is about what the method itself needed.
``objective`` is the total score in points; ``objective_key`` what the objective
maximises in hundredths of a point (total; or pairs, then total; or pairs, lowest
score, total) and ``same_as_dense`` compares it with the dense run of the same size.

    .venv/bin/python benchmarks/matching.py
    BENCH_QUICK=1 .venv/bin/python benchmarks/matching.py   # 1,000 x 300 only
    .venv/bin/python benchmarks/matching.py --sizes 1000x300 --shapes levels,equal
    .venv/bin/python benchmarks/matching.py --sizes 10000x3000 --methods sparse,greedy
    .venv/bin/python benchmarks/matching.py --sizes 5000x1500 --objective fairness
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matching.scoring import (  # noqa: E402
    HIGH,
    LOW,
    MEDIUM,
    Criterion,
    Kind,
    Person,
    Population,
    Rules,
    Scorer,
    population_build,
)
from matching.solver import (  # noqa: E402
    Assignment,
    BoolArray,
    FloatArray,
    IntArray,
    Objective,
    solve,
    solve_dense,
    solve_greedy,
)

SIZES = ((1_000, 300), (10_000, 3_000), (30_000, 9_000))
QUICK_SIZES = ((1_000, 300),)
METHODS = ("sparse", "dense", "greedy")
SHAPES = ("varied", "levels", "equal", "categorical", "clustered", "scarce")
# The dense reference keeps a few float64 (mentees x places) matrices: beyond this
# many cells it would not fit in memory.
DENSE_MAX_CELLS = 120_000_000

SKILLS = [f"skill {n}" for n in range(150)]
TOPICS = [f"topic {n}" for n in range(60)]
INTERESTS = [f"interest {n}" for n in range(50)]
LANGUAGES = ["English", "French", "German", "Spanish", "Portuguese", "Dutch", "Italian", "Polish"]
DEPARTMENTS = [f"Department {n}" for n in range(15)]
LOCATIONS = [f"Office {n}" for n in range(25)]
OFFSETS = [-480, -420, -360, -300, -240, -180, 0, 0, 60, 60, 60, 120, 180, 330, 480, 540, 600]
FORMATS = ["video", "in person", "either", "chat"]
GOALS = [f"goal {n}" for n in range(10)]

# Ten weighted criteria and one mandatory one.
CRITERIA = (
    Criterion("skills", Kind.SIMILAR, HIGH, field="skills"),
    Criterion("interests", Kind.SIMILAR, MEDIUM, field="interests"),
    Criterion("languages", Kind.SIMILAR, LOW, field="languages", measure="mentee_share"),
    Criterion("growth", Kind.COMPLEMENTARY, HIGH, field="wants", mentor_field="offers"),
    Criterion("seniority", Kind.SENIORITY_GAP, MEDIUM, min_gap=2),
    Criterion("senior_enough", Kind.SENIORITY_GAP, mandatory=True, min_gap=1),
    Criterion("department", Kind.SAME_OR_DIFFERENT, MEDIUM, field="department", prefer="different"),
    Criterion("location", Kind.SAME_OR_DIFFERENT, LOW, field="location"),
    Criterion("time_zone", Kind.TIME_ZONE, MEDIUM, max_hours=9),
    Criterion("format", Kind.SAME_OR_DIFFERENT, LOW, field="format"),
    Criterion("goals", Kind.SIMILAR, MEDIUM, field="goals"),
)
RULES = Rules(reporting_line=True, shared_language=True)
CATEGORICAL = (
    Criterion("department", Kind.SAME_OR_DIFFERENT, MEDIUM, field="department", prefer="different"),
    Criterion("location", Kind.SAME_OR_DIFFERENT, LOW, field="location"),
)
CLUSTERS = 20
CLUSTERED = (
    Criterion("cluster", Kind.SAME_OR_DIFFERENT, mandatory=True, field="cluster"),
    *CATEGORICAL,
    Criterion("format", Kind.SAME_OR_DIFFERENT, LOW, field="format"),
)
# The hard rules alone, for the shapes whose scores are drawn per pair.
RULES_ONLY = (Criterion("senior_enough", Kind.SENIORITY_GAP, mandatory=True, min_gap=1),)


class DrawnScores:
    """The hard rules of a Scorer, with scores drawn per pair: ``levels`` five values
    (0, 25, 50, 75, 100), looked up from two random 16-bit numbers of the pair's
    mentee and mentor, or one value everywhere."""

    def __init__(self, scorer: Scorer, *, levels: bool) -> None:
        self.scorer = scorer
        self.levels = levels
        self.n_mentees, self.n_mentors = scorer.n_mentees, scorer.n_mentors
        self.max_score = 100.0
        rng = np.random.default_rng(11)
        self._rows = rng.integers(0, 2**16, self.n_mentees, dtype=np.uint16)
        self._cols = rng.integers(0, 2**16, self.n_mentors, dtype=np.uint16)
        self._lookup = 25.0 * rng.integers(0, 5, 2**16)

    def _scores(self, rows: IntArray, cols: IntArray) -> FloatArray:
        if not self.levels:
            return np.full(np.broadcast_shapes(rows.shape, cols.shape), 50.0)
        return self._lookup[self._rows[rows] ^ self._cols[cols]]

    def exact_block(self, rows: IntArray) -> tuple[FloatArray, BoolArray]:
        cols = np.arange(self.n_mentors, dtype=np.int64)
        return self._scores(rows[:, None], cols[None, :]), self.scorer.exact_block(rows)[1]

    def exact(self, rows: IntArray, cols: IntArray) -> FloatArray:
        return self._scores(np.asarray(rows), np.asarray(cols))


def people_generate(mentees: int, mentors: int, seed: int = 7) -> Population:
    """A plausible organisation: teams under managers, mentors more senior."""
    # Reproducible test data, not secrets.
    rnd = random.Random(seed)  # noqa: S311
    managers = max(1, (mentees + mentors) // 8)

    def languages() -> list[str]:
        extra = rnd.sample(LANGUAGES[1:], rnd.choice([0, 0, 1, 1, 2]))
        return (["English"] if rnd.random() < 0.9 else []) + extra or [rnd.choice(LANGUAGES)]

    def person(n: int, mentor: bool) -> Person:
        seniority = rnd.randint(3, 7) if mentor else rnd.randint(1, 5)
        return Person(
            id=n,
            email=f"person{n}@example.com",
            manager_email=f"person{rnd.randrange(managers) * 8}@example.com",
            seniority=seniority if rnd.random() < 0.95 else None,
            utc_offset_minutes=rnd.choice(OFFSETS) if rnd.random() < 0.97 else None,
            capacity=rnd.randint(1, 5),
            categories={
                "department": rnd.choice(DEPARTMENTS),
                "location": rnd.choice(LOCATIONS),
                "format": rnd.choice(FORMATS),
                # From the number, so that the other fields stay as they were.
                "cluster": f"cluster {n * 7919 % CLUSTERS}",
            },
            sets={
                "skills": rnd.sample(SKILLS, rnd.randint(2, 8)),
                "interests": rnd.sample(INTERESTS, rnd.randint(1, 5)),
                "languages": languages(),
                "wants": rnd.sample(TOPICS, rnd.randint(1, 4)) if not mentor else [],
                "offers": rnd.sample(TOPICS, rnd.randint(2, 7)) if mentor else [],
                "goals": rnd.sample(GOALS, rnd.randint(1, 3)),
            },
        )

    return population_build(
        mentees=[person(n, False) for n in range(mentees)],
        mentors=[person(mentees + n, True) for n in range(mentors)],
    )


def shape_capacity(population: Population, shape: str) -> IntArray:
    """Capacities 1 to 5; one place each when places are scarce."""
    capacity = population.mentors.capacity
    return np.ones_like(capacity) if shape == "scarce" else capacity


def run_method(population: Population, shape: str, method: str, objective: Objective) -> Assignment:
    """What is timed: the scorer (features, reporting lines) and the solve."""
    capacity = shape_capacity(population, shape)
    source: Any
    if shape in ("varied", "scarce"):
        source = Scorer(population, CRITERIA, RULES)
    elif shape == "categorical":
        source = Scorer(population, CATEGORICAL, RULES)
    elif shape == "clustered":
        source = Scorer(population, CLUSTERED, RULES)
    else:
        source = DrawnScores(Scorer(population, RULES_ONLY, RULES), levels=shape == "levels")
    if method == "sparse":
        return solve(source, capacity=capacity, objective=objective)
    if method == "dense":
        return solve_dense(source, capacity=capacity, objective=objective)
    return solve_greedy(source, capacity=capacity)


def _max_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(
    shape: str, mentees: int, mentors: int, method: str, objective: Objective, seed: int
) -> None:
    """One method on one shape and size, in this (fresh) process: one JSON line."""
    population = people_generate(mentees, mentors, seed)
    base_mb = _max_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    result = run_method(population, shape, method, objective)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    value, stats = result.value, result.stats
    row: dict[str, Any] = {
        "shape": shape,
        "mentees": mentees,
        "mentors": mentors,
        "method": method,
        "seconds": round(seconds, 3),
        "peak_mb": round(_max_rss_mb(), 1),
        "objective_kind": value.objective.value,
        "objective": value.total,
        "matched": value.matched,
        "objective_key": list(value.key),
        "min_score": value.min_score,
        "slots": int(shape_capacity(population, shape).sum()),
        "base_mb": round(base_mb, 1),
        "cpu_seconds": round(cpu, 3),
        "memory": "ru_maxrss of a fresh process",
        "proven": stats.proven,
    }
    if method == "sparse":
        row.update(
            candidates=stats.candidates,
            core=stats.core,
            gap_units=stats.gap_units,
            exact_solves=stats.exact_solves,
            pricing_rounds=stats.pricing_rounds,
            steps=dict(stats.timings),
        )
    print(json.dumps(row), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    parser.add_argument(
        "--sizes",
        default=",".join(f"{a}x{b}" for a, b in (QUICK_SIZES if quick else SIZES)),
        help="comma-separated MENTEESxMENTORS (default: %(default)s; BENCH_QUICK=1: small only)",
    )
    parser.add_argument("--shapes", default=",".join(SHAPES), help="default: %(default)s")
    parser.add_argument("--methods", default=",".join(METHODS), help="default: %(default)s")
    parser.add_argument("--objective", default="total", choices=[o.value for o in Objective])
    parser.add_argument("--seed", type=int, default=7, help="of the generated people")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    objective = Objective(args.objective)
    sizes = [tuple(int(part) for part in size.lower().split("x")) for size in args.sizes.split(",")]
    methods = [method.strip() for method in args.methods.split(",")]
    shapes = [shape.strip() for shape in args.shapes.split(",")]
    if unknown := set(methods) - set(METHODS):
        parser.error(f"unknown methods: {', '.join(sorted(unknown))}")
    if unknown := set(shapes) - set(SHAPES):
        parser.error(f"unknown shapes: {', '.join(sorted(unknown))}")
    if args.worker:
        (mentees, mentors), method = sizes[0], methods[0]
        worker(shapes[0], mentees, mentors, method, objective, args.seed)
        return
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    for mentees, mentors in sizes:
        for shape in shapes:
            rows = []
            # About 3 places per mentor (capacities 1 to 5), one when scarce.
            places = mentors * (1 if shape == "scarce" else 3)
            for method in methods:
                if method == "dense" and mentees * places > DENSE_MAX_CELLS:
                    continue
                command = [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--worker",
                    f"--shapes={shape}",
                    f"--sizes={mentees}x{mentors}",
                    f"--methods={method}",
                    f"--objective={objective.value}",
                    f"--seed={args.seed}",
                ]
                done = subprocess.run(  # noqa: S603
                    command, capture_output=True, text=True, env=env, check=True
                )
                rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
            dense = next((row for row in rows if row["method"] == "dense"), None)
            for row in rows:
                if dense is not None:
                    row["same_as_dense"] = row["objective_key"] == dense["objective_key"]
                    row["dense_ratio"] = round(dense["seconds"] / max(row["seconds"], 1e-9), 2)
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
