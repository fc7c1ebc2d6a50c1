"""Benchmark: the similar-themes criterion (tf-idf and cosine) on generated free text.

For each size (mentees x mentors, by default 10,000 x 3,000) it generates career
aspirations and mentor bios the way people write them (a few sentences around 1 to
3 of 110 themes, the common ones more often, and a long tail of rarer words; 5% left
empty), then, in a fresh Python process, times

- ``import_seconds``: importing scikit-learn (paid once per process: a worker that
  has scored once does not pay it again);
- ``fit_seconds``: the tf-idf fit on every text of both sides (matching.themes);
- ``scan_seconds``: every pair's score, in blocks of 256 mentees as the solver's
  first scan reads them (``Scorer.exact_block``);
- ``seconds``: building the Scorer (which fits) plus the scan, the part a run adds
  (``cpu_seconds``: the same in the process's own CPU time);

and prints one JSON object per line, e.g.

    {"measure": "themes_score", "mentees": 10000, "mentors": 3000, "seconds": 1.4,
     "fit_seconds": 0.9, "scan_seconds": 0.5, "peak_mb": 300.0, ...}

``peak_mb`` is the peak resident memory of the whole process (``ru_maxrss``), and
``base_mb`` the same just before the timed part (scikit-learn imported, texts made).
With ``--solve`` it also solves the themes-only problem (``solve_seconds``).

    .venv/bin/python benchmarks/matching_themes.py
    .venv/bin/python benchmarks/matching_themes.py --sizes 1000x300,10000x3000 --solve
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

_THEMES_TEXT = (
    "product strategy, public speaking, stakeholder management, people management, "
    "data science, machine learning, career change, technical leadership, system design, "
    "negotiation, executive presence, personal branding, product management, user research, "
    "design thinking, financial planning, budget management, project management, agile "
    "delivery, team building, conflict resolution, change management, sales strategy, "
    "customer success, marketing analytics, brand strategy, content strategy, cloud "
    "architecture, security engineering, site reliability, mobile development, frontend "
    "engineering, backend engineering, data engineering, business analysis, operations "
    "management, supply chain, procurement, legal compliance, risk management, internal "
    "audit, corporate finance, investor relations, mergers and acquisitions, diversity and "
    "inclusion, employee engagement, talent acquisition, learning and development, coaching "
    "skills, giving feedback, time management, work life balance, remote leadership, cross "
    "functional collaboration, strategic thinking, decision making, emotional intelligence, "
    "writing skills, presentation skills, storytelling, pricing strategy, go to market, "
    "growth marketing, platform engineering, open source, quality assurance, test "
    "automation, accessibility, ux writing, service design, innovation management, "
    "entrepreneurship, startup funding, board governance, international expansion, public "
    "policy, sustainability, esg reporting, health and safety, manufacturing excellence, "
    "lean six sigma, customer experience, community building, partnership development, "
    "account management, vendor management, contract negotiation, career growth, first time "
    "manager, scaling teams, hiring interviews, performance reviews, mentoring juniors, "
    "architecture reviews, technical writing, api design, distributed systems, data "
    "visualisation, statistics, experimentation, product discovery, roadmap planning, okr "
    "setting, portfolio management, resilience, public sector, nonprofit boards, mental "
    "health, parental leave, returning to work, relocation"
)
THEMES = _THEMES_TEXT.split(", ")
MENTEE_SENTENCES = (
    "I want to get better at {a} and {b}.",
    "Looking to grow in {a}; curious about {b} and {c}.",
    "My goal is to move into {a} within two years.",
    "I would like help with {a}, especially {b}.",
    "Hoping to learn {a} and build confidence in {b}.",
    "Next step: {a}. I also struggle with {b}.",
)
MENTOR_SENTENCES = (
    "I coach {a}; ten years of {b}.",
    "Background in {a} and {b}, happy to help with {c}.",
    "I lead a team working on {a}. Ask me about {b}.",
    "Former consultant, now focused on {a} and {c}.",
    "Twenty years in {a}; I enjoy mentoring on {b} and {c}.",
)


def texts_make(
    n: int, sentences: tuple[str, ...], rng: random.Random, tail: list[str]
) -> list[str]:
    theme_weights = [1.0 / (k + 1) ** 0.6 for k in range(len(THEMES))]
    tail_weights = [1.0 / (k + 1) for k in range(len(tail))]
    out = []
    for _ in range(n):
        if rng.random() < 0.05:
            out.append("")
            continue
        parts = []
        for _ in range(rng.randint(1, 3)):
            a, b, c = rng.choices(THEMES, theme_weights, k=3)
            parts.append(rng.choice(sentences).format(a=a, b=b, c=c))
        # Words of their own: tools, places, teams (a long tail, as real text has).
        parts.append(" ".join(rng.choices(tail, tail_weights, k=rng.randint(0, 8))) + ".")
        out.append(" ".join(parts))
    return out


def _max_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(mentees: int, mentors: int, seed: int, with_solve: bool) -> None:
    import numpy as np

    from matching import scoring, solver

    rng = random.Random(seed)  # noqa: S311  # nosec B311 - benchmark data
    letters = "abcdefghijklmnopqrstuvwxyz"
    tail = ["".join(rng.choices(letters, k=rng.randint(4, 9))) for _ in range(3000)]
    aspirations = texts_make(mentees, MENTEE_SENTENCES, rng, tail)
    bios = texts_make(mentors, MENTOR_SENTENCES, rng, tail)
    population = scoring.population_build(
        mentees=[
            scoring.Person(id=n, email=f"e{n}@example.org", texts={"career_aspirations": t})
            for n, t in enumerate(aspirations)
        ],
        mentors=[
            scoring.Person(
                id=n, email=f"o{n}@example.org", capacity=rng.randint(1, 5), texts={"bio": t}
            )
            for n, t in enumerate(bios)
        ],
    )
    started = time.perf_counter()
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: F401

    import_seconds = time.perf_counter() - started
    from matching import themes

    base_mb = _max_rss_mb()
    started = time.perf_counter()
    vectors = themes.texts_vectorise(aspirations, bios)
    fit_seconds = time.perf_counter() - started

    started = time.perf_counter()
    cpu_started = time.process_time()
    criterion = scoring.Criterion(
        key="themes", kind=scoring.Kind.THEMES, field="career_aspirations", mentor_field="bio"
    )
    scorer = scoring.Scorer(population, [criterion])
    built = time.perf_counter()
    nonzero = 0
    for start in range(0, mentees, 256):
        scores, _feasible = scorer.exact_block(np.arange(start, min(mentees, start + 256)))
        nonzero += int(np.count_nonzero(scores))
    finished = time.perf_counter()
    cpu_seconds = time.process_time() - cpu_started
    result: dict[str, object] = {
        "measure": "themes_score",
        "mentees": mentees,
        "mentors": mentors,
        "seconds": round(finished - started, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "import_seconds": round(import_seconds, 3),
        "fit_seconds": round(fit_seconds, 3),
        "build_seconds": round(built - started, 3),
        "scan_seconds": round(finished - built, 3),
        "terms_shared": len(vectors.terms),
        "pairs_sharing_a_term": round(nonzero / (mentees * mentors), 3),
        "peak_mb": round(_max_rss_mb(), 1),
        "base_mb": round(base_mb, 1),
    }
    if with_solve:
        started = time.perf_counter()
        assignment = solver.solve(scorer, capacity=population.mentors.capacity)
        result["solve_seconds"] = round(time.perf_counter() - started, 3)
        result["matched"] = len(assignment.mentees)
        result["proven"] = bool(assignment.stats.proven)
        result["peak_mb"] = round(_max_rss_mb(), 1)
    print(json.dumps(result), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="10000x3000", help="mentees x mentors, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--solve", action="store_true", help="also solve the themes-only problem")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = [tuple(int(v) for v in size.split("x")) for size in args.sizes.split(",")]
    if args.worker:
        ((mentees, mentors),) = sizes
        worker(mentees, mentors, args.seed, args.solve)
        return
    for mentees, mentors in sizes:
        command = [sys.executable, __file__, "--worker", "--sizes", f"{mentees}x{mentors}"]
        command += ["--seed", str(args.seed)] + (["--solve"] if args.solve else [])
        subprocess.run(command, check=True)  # noqa: S603


if __name__ == "__main__":
    main()
