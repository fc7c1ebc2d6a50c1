"""Benchmark: scoring plus solving a generated program, three ways, side by side.

For each size (mentees x mentors; by default 1,000 x 300, 5,000 x 1,500 and
10,000 x 3,000; mentor capacities 1 to 5; ten weighted criteria, one mandatory
criterion and the hard rules on) it runs

- ``sparse``: matching.solver.solve, the exact solver (candidates, auction prices,
  a proof over every pair);
- ``dense``: matching.solver.solve_dense, scipy's linear_sum_assignment over every
  mentee x capacity slot, the reference;
- ``greedy``: matching.solver.solve_greedy, best pair first (not optimal);

each in a fresh Python process, and prints one JSON object per line, e.g.

    {"mentees": 10000, "mentors": 3000, "method": "sparse", "seconds": 1.6,
     "peak_mb": 420.1, "objective": 496616.06, "matched": 8530, ...}

``seconds`` is the wall time of building the scorer and solving (the people are
generated first and not counted; the modules are imported). ``peak_mb`` is the peak
resident memory of the whole process (``ru_maxrss``: the interpreter, numpy and
scipy, the generated people and the method), ``base_mb`` the same just before the
timed part, so ``peak_mb - base_mb`` is about what the method itself needed.
``objective`` is the total score in points; ``objective_key`` what the objective
maximises in hundredths of a point (total; or pairs, then total; or pairs, lowest
score, total) and ``same_as_dense`` compares it with the dense run of the same size.

    .venv/bin/python benchmarks/matching.py
    .venv/bin/python benchmarks/matching.py --sizes 1000x300
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
from matching.solver import Assignment, Objective, solve, solve_dense, solve_greedy  # noqa: E402

SIZES = ((1_000, 300), (5_000, 1_500), (10_000, 3_000))
METHODS = ("sparse", "dense", "greedy")

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


def run_method(population: Population, method: str, objective: Objective) -> Assignment:
    """What is timed: the scorer (features, reporting lines) and the solve."""
    scorer = Scorer(population, CRITERIA, RULES)
    capacity = population.mentors.capacity
    if method == "sparse":
        return solve(scorer, capacity=capacity, objective=objective)
    if method == "dense":
        return solve_dense(scorer, capacity=capacity, objective=objective)
    return solve_greedy(scorer, capacity=capacity)


def _max_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(mentees: int, mentors: int, method: str, objective: Objective, seed: int) -> None:
    """One method on one size, in this (fresh) process: one JSON line on stdout."""
    population = people_generate(mentees, mentors, seed)
    base_mb = _max_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    result = run_method(population, method, objective)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    value, stats = result.value, result.stats
    row: dict[str, Any] = {
        "mentees": mentees,
        "mentors": mentors,
        "method": method,
        "seconds": round(seconds, 3),
        "peak_mb": round(_max_rss_mb(), 1),
        "objective": value.total,
        "matched": value.matched,
        "objective_kind": value.objective.value,
        "objective_key": list(value.key),
        "min_score": value.min_score,
        "slots": int(population.mentors.capacity.sum()),
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
            auction_rounds=stats.auction_rounds,
            steps=dict(stats.timings),
        )
    print(json.dumps(row), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(f"{a}x{b}" for a, b in SIZES),
        help="comma-separated MENTEESxMENTORS (default: %(default)s)",
    )
    parser.add_argument("--methods", default=",".join(METHODS), help="default: %(default)s")
    parser.add_argument("--objective", default="total", choices=[o.value for o in Objective])
    parser.add_argument("--seed", type=int, default=7, help="of the generated people")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    objective = Objective(args.objective)
    sizes = [tuple(int(part) for part in size.lower().split("x")) for size in args.sizes.split(",")]
    methods = [method.strip() for method in args.methods.split(",")]
    if unknown := set(methods) - set(METHODS):
        parser.error(f"unknown methods: {', '.join(sorted(unknown))}")
    if args.worker:
        (mentees, mentors), method = sizes[0], methods[0]
        worker(mentees, mentors, method, objective, args.seed)
        return
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    for mentees, mentors in sizes:
        rows = []
        for method in methods:
            command = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--worker",
                f"--sizes={mentees}x{mentors}",
                f"--methods={method}",
                f"--objective={objective.value}",
                f"--seed={args.seed}",
            ]
            done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)  # noqa: S603
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        dense = next((row for row in rows if row["method"] == "dense"), None)
        for row in rows:
            if dense is not None:
                row["same_as_dense"] = row["objective_key"] == dense["objective_key"]
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
