"""Benchmark: coordinators, mentors, mentees and HR viewers against gunicorn and PostgreSQL.

Creates a throwaway PostgreSQL database, migrates it, seeds it (``seed_demo --size
large``: 50 programs, 20,000 participants, 200,000 check-ins, 100,000 survey answers,
plus the demo programs), collects static files and starts gunicorn on a free loopback
port with production settings (``mentoring.settings.base``, DEBUG off, whitenoise's
compressed manifest storage, Redis for cache and broker when it answers). Then drives
``--users`` virtual users for ``--seconds`` from threads in this process, each with its
own session, cookies and think time (1 to 5 seconds between pages, as locust's usual
``between(1, 5)``; ``--think 0.5 2`` for a harder run), in a mix of personas:

- coordinators (20%): program list, a large program's dashboard, its pairs page and the
  htmx health filter of it, its participants, and a matching draft to review;
- mentors and mentees (35% each): home, their pair's workspace, proposing a check-in
  and logging one (POSTs with CSRF, answered by a redirect);
- HR viewers (10%): insights, insights filtered by program and department, the
  outcomes CSV.

Signing in is not part of the run: each virtual user gets a session written straight
into the database (as Django's login would), so allauth's sign-in rate limits do not
apply. Coordinators and HR viewers are made for the run, so they are inside the
two-step sign-in grace period (MFA_GRACE_DAYS), as a newly appointed coordinator is;
the pages then show the grace banner. Mentors and mentees are people of the large seed.
Dashboards read snapshots the setup takes, as the nightly task would.

Prints one JSON object per page per line, then a summary line:

    {"benchmark": "load", "page": "coordinator_dashboard", "requests": 412, "errors": 0,
     "p50_ms": 61.2, "p95_ms": 180.4, "max_ms": 420.0}
    {"benchmark": "load", "summary": true, "users": 50, "seconds": 300, "requests": 9876,
     "errors": 0, "gunicorn_cpu_ms_per_request": 48.0, "postgres_cpu_ms_per_request": 6.1, ...}

The CPU the server and the database spent per request is reported too: on a busy
machine the latencies say more about the neighbours than about the application.

    .venv/bin/python benchmarks/load.py                                 # 50 users, 5 minutes
    .venv/bin/python benchmarks/load.py --seconds 20 --users 5 --size small  # a smoke run

Everything it starts is stopped and dropped at the end (gunicorn, the database, the
Redis keys under its own prefix, the temporary folder), also on Ctrl-C. Needs
PostgreSQL (``LOAD_DATABASE_URL``, else ``DATABASE_URL`` when it is PostgreSQL, else
the local socket); without it the script prints a "skipped" line and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.support.load_stack import (  # noqa: E402
    base_database_url,
    cpu_seconds,
    cpu_since,
    database_pids,
    django_setup,
    postgres_available,
    server_pids,
    server_start,
    stack_up,
)
from benchmarks.support.load_users import Identity, Results, Sample, drive, percentile  # noqa: E402

# Shares of the virtual users (largest remainder rounding, at least one each when
# there are enough users).
PERSONAS = {"coordinator": 0.2, "mentor": 0.35, "mentee": 0.35, "hr": 0.1}


def emit(line: dict[str, Any]) -> None:
    print(json.dumps({"benchmark": "load", **line}), flush=True)


def note(text: str) -> None:
    print(f"# {text}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------
# Seeding and the virtual users' identities
# ------------------------------------------------------------------------------


def persona_counts(users: int) -> dict[str, int]:
    shares = {p: users * s for p, s in PERSONAS.items()}
    counts = {p: int(v) for p, v in shares.items()}
    for persona in sorted(shares, key=lambda p: shares[p] - counts[p], reverse=True):
        if sum(counts.values()) >= users:
            break
        counts[persona] += 1
    if users >= len(PERSONAS):
        for persona in PERSONAS:
            if counts[persona] == 0:
                biggest = max(counts, key=lambda p: counts[p])
                counts[biggest] -= 1
                counts[persona] = 1
    return counts


def session_for(user: Any) -> str:
    """A signed-in session, written as django.contrib.auth.login writes it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


def seed(size: str) -> dict[str, float]:
    from django.core.management import call_command

    timings: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    timings["migrate_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        if size == "large":
            call_command("seed_demo", size="large", stdout=quiet)
        else:
            # A tenth of the large seed: the same shapes, quick to build.
            call_command("seed_demo", size="large", scale=0.1, stdout=quiet)
    timings["seed_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    timings["collectstatic_seconds"] = round(time.perf_counter() - started, 1)
    return timings


def identities(counts: dict[str, int], *, rng: random.Random) -> list[Identity]:
    from django.db.models import Q
    from django.utils import timezone

    from demo.people import DEMO_DOMAIN
    from matching.runs import match_run_execute, match_run_start
    from mentoring.models import User
    from pairs.models import Mentorship
    from programs.models import Participant, Program
    from reports.dashboards import snapshot_take

    now = timezone.now()
    large = list(Program.objects.filter(name__startswith="Demo program").order_by("pk"))
    if not large:
        raise SystemExit("the large seed made no programs")
    for program in Program.objects.exclude(state=Program.State.DRAFT):
        snapshot_take(program=program, now=now)
    # A matching draft to review: the demo program still enrolling gets one.
    demo_coordinator = User.objects.get(email=f"coordinator@{DEMO_DOMAIN}")
    enrolling = Program.objects.filter(state=Program.State.ENROLLING).order_by("pk").first()
    run = None
    if enrolling is not None:
        draft = match_run_start(program=enrolling, by=demo_coordinator)
        match_run_execute(run_id=draft.pk)
        run = (enrolling.pk, draft.pk)
    departments = sorted(
        set(Participant.objects.exclude(department="").values_list("department", flat=True))
    )
    result: list[Identity] = []
    for i in range(counts["coordinator"]):
        user = User.objects.create_user(
            f"load-coordinator-{i}@load.example.org",
            None,
            full_name=f"Load Coordinator {i}",
            is_coordinator=True,
            role_granted_at=now,
        )
        mine = [large[(2 * i) % len(large)], large[(2 * i + 1) % len(large)]]
        if enrolling is not None:
            mine.append(enrolling)
        for program in mine:
            program.coordinators.add(user)
        result.append(
            Identity(
                "coordinator",
                session_for(user),
                program_ids=[p.pk for p in mine[:2]],
                run=run,
            )
        )
    for i in range(counts["hr"]):
        user = User.objects.create_user(
            f"load-hr-{i}@load.example.org",
            None,
            full_name=f"Load HR {i}",
            is_hr_viewer=True,
            role_granted_at=now,
        )
        result.append(
            Identity(
                "hr",
                session_for(user),
                program_ids=[p.pk for p in large],
                departments=departments,
            )
        )
    # Mentors and mentees of the large seed, each in a pair of their own.
    pairs = list(
        Mentorship.objects.filter(program__in=large, state=Mentorship.State.ACTIVE)
        .filter(Q(mentor__user__isnull=False) & Q(mentee__user__isnull=False))
        .select_related("mentor__user", "mentee__user")
        .order_by("pk")[: counts["mentor"] + counts["mentee"]]
    )
    rng.shuffle(pairs)
    for role in ("mentor", "mentee"):
        for _n in range(counts[role]):
            pair = pairs.pop()
            person = pair.mentor.user if role == "mentor" else pair.mentee.user
            result.append(Identity(role, session_for(person), mentorship_id=pair.pk))
    return result


# ------------------------------------------------------------------------------
# The report
# ------------------------------------------------------------------------------


def report(results: Results, *, users: int, seconds: float, extra: dict[str, Any]) -> int:
    by_page: dict[str, list[Sample]] = defaultdict(list)
    for sample in results.samples:
        by_page[sample.page].append(sample)
    errors = 0
    for page in sorted(by_page):
        samples = by_page[page]
        times = [s.ms for s in samples]
        failed = sum(not s.ok for s in samples)
        errors += failed
        emit(
            {
                "page": page,
                "requests": len(samples),
                "errors": failed,
                "p50_ms": round(percentile(times, 0.5), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
                "max_ms": round(max(times), 1),
            }
        )
    for page, whys in results.failures.items():
        for why in whys:
            note(f"error on {page}: {why}")
    total = len(results.samples)
    emit(
        {
            "summary": True,
            "users": users,
            "seconds": round(seconds, 1),
            "requests": total,
            "errors": errors,
            "requests_per_second": round(total / seconds, 1) if seconds else 0.0,
            "p50_ms": round(percentile([s.ms for s in results.samples], 0.5), 1),
            "p95_ms": round(percentile([s.ms for s in results.samples], 0.95), 1),
            **extra,
        }
    )
    return errors


# ------------------------------------------------------------------------------
# The whole run
# ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent virtual users")
    parser.add_argument("--seconds", type=float, default=300, help="how long to drive them")
    parser.add_argument("--size", choices=["large", "small"], default="large", help="seed size")
    cores = os.cpu_count() or 2
    parser.add_argument(
        "--workers", type=int, default=2 * cores + 1, help="gunicorn workers (2 x cores + 1)"
    )
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        # Locust's usual between(1, 5): a person reads a page for a few seconds.
        default=(1.0, 5.0),
        metavar=("MIN", "MAX"),
        help="seconds each user waits between pages",
    )
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        help="cache and broker when it answers (keys under a prefix of the run's own)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if args.users < 1 or args.seconds <= 0:
        parser.error("--users and --seconds must be positive")

    problem = postgres_available(base_database_url())
    if problem:
        emit({"skipped": f"PostgreSQL is needed and did not answer: {problem}"})
        return 0
    counts = persona_counts(args.users)
    with stack_up(args) as stack:
        note(f"database {stack.database}, gunicorn on {stack.base}, folder {stack.folder}")
        django_setup(stack)
        timings = seed(args.size)
        note(f"seeded: {timings}")
        people = identities(counts, rng=random.Random(args.seed))  # noqa: S311  # nosec B311
        from django.db import connections

        connections.close_all()
        server_start(stack, workers=args.workers, threads=args.threads)
        note(f"driving {args.users} users ({counts}) for {args.seconds:.0f} s")
        cpu: dict[str, dict[int, float]] = {}
        results, elapsed = drive(
            people,
            port=stack.port,
            seconds=args.seconds,
            think=tuple(args.think),
            seed=args.seed,
            on_start=lambda: cpu.update(
                web=cpu_seconds(server_pids(stack)), db=cpu_seconds(database_pids(stack))
            ),
        )
        # CPU spent serving the run, per request: steadier than latency on a busy machine.
        web = cpu_since(cpu.get("web", {}), cpu_seconds(server_pids(stack)))
        db = cpu_since(cpu.get("db", {}), cpu_seconds(database_pids(stack)))
        served = max(1, len(results.samples))
        extra = {
            "personas": counts,
            "size": args.size,
            "gunicorn_workers": args.workers,
            "gunicorn_threads": args.threads,
            "think_seconds": list(args.think),
            "redis": bool(stack.redis_url),
            "cpus": cores,
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "gunicorn_cpu_ms_per_request": round(1000 * web / served, 1),
            "postgres_cpu_ms_per_request": round(1000 * db / served, 1),
            **timings,
        }
        errors = report(results, users=args.users, seconds=elapsed, extra=extra)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
