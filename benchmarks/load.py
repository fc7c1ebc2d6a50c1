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
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Shares of the virtual users (largest remainder rounding, at least one each when
# there are enough users).
PERSONAS = {"coordinator": 0.2, "mentor": 0.35, "mentee": 0.35, "hr": 0.1}
# What each persona does, with weights: (page name, weight).
ACTIONS: dict[str, list[tuple[str, int]]] = {
    "coordinator": [
        ("coordinator_program_list", 2),
        ("coordinator_dashboard", 3),
        ("coordinator_pairs", 2),
        ("coordinator_pairs_htmx_filter", 3),
        ("coordinator_participants", 1),
        ("coordinator_matching_review", 1),
    ],
    "mentor": [
        ("participant_home", 3),
        ("participant_workspace", 4),
        ("checkin_propose_post", 1),
        ("checkin_log_post", 1),
    ],
    "hr": [("hr_insights", 3), ("hr_insights_filtered", 3), ("hr_outcomes_csv", 1)],
}
ACTIONS["mentee"] = ACTIONS["mentor"]
REQUEST_TIMEOUT = 60.0
SHM = "/dev/shm"  # noqa: S108  # nosec B108 - gunicorn's worker heartbeat files only


def emit(line: dict[str, Any]) -> None:
    print(json.dumps({"benchmark": "load", **line}), flush=True)


def note(text: str) -> None:
    print(f"# {text}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------
# The throwaway stack: database, settings, gunicorn
# ------------------------------------------------------------------------------


def base_database_url() -> str:
    url = os.environ.get("LOAD_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgresql:///postgres"
    return url


def with_database(url: str, name: str, **query: Any) -> str:
    parts = urlsplit(url)
    extra = urlencode(query)
    joined = "&".join(q for q in (parts.query, extra) if q)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, joined, ""))


def _admin_connection(url: str) -> Any:
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        dbname="postgres",
        host=parts.hostname or None,
        port=parts.port or None,
        user=parts.username or None,
        password=parts.password or None,
        autocommit=True,
    )


def database_create(url: str, name: str) -> None:
    from psycopg import sql

    with _admin_connection(url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_drop(url: str, name: str) -> None:
    from psycopg import sql

    with _admin_connection(url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def redis_reachable(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def redis_forget(url: str, prefix: str) -> int:
    """Delete the run's cache keys and queues (everything under its own prefix)."""
    import redis

    client = redis.Redis.from_url(url)
    removed = 0
    for pattern in (f"{prefix}*", f"*{prefix}*"):
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            removed += int(client.delete(*keys))
    return removed


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    database_url: str
    database: str
    folder: Path
    port: int
    redis_url: str
    prefix: str
    env: dict[str, str] = field(default_factory=dict)
    server: subprocess.Popen[bytes] | None = None
    database_made: bool = False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def stack_environment(stack: Stack) -> dict[str, str]:
    env = {
        # Production settings, as the Docker image runs them.
        "DJANGO_SETTINGS_MODULE": "mentoring.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        # Persistent connections (docs/settings.md), kept for the whole run so that the
        # database's CPU can be read from the same backends at its start and end.
        "DATABASE_URL": with_database(stack.database_url, stack.database, conn_max_age=900),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": stack.base,
        # Plain http on loopback: no TLS redirect and cookies without Secure (which a
        # browser would refuse over http); everything else as in production.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "VAR_DIR": str(stack.folder / "var"),
        "STATIC_ROOT": str(stack.folder / "static"),
        "MEDIA_ROOT": str(stack.folder / "media"),
        # No worker runs: tasks the pages queue (check-in notices) wait in the broker
        # and are dropped with it; no email leaves the machine.
        "EMAIL_URL": "dummy://",
        "CELERY_QUEUE_PREFIX": stack.prefix,
        "CACHE_KEY_PREFIX": stack.prefix,
    }
    if stack.redis_url:
        env["REDIS_URL"] = stack.redis_url
    return env


def django_setup(stack: Stack) -> None:
    """Point this process's Django at the throwaway database (before the first import)."""
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    os.environ.update(stack.env)
    import django

    django.setup()


def server_start(stack: Stack, *, workers: int, threads: int) -> None:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "mentoring.wsgi:application",
        "--bind",
        f"127.0.0.1:{stack.port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--worker-tmp-dir",
        # Gunicorn's heartbeat files, as in the Docker image (a tmpfs when there is one).
        SHM if Path(SHM).is_dir() else str(stack.folder),
        "--log-level",
        "warning",
    ]
    inherited = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    env.update(stack.env)
    stack.server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603  # nosec B603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if stack.server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {stack.server.returncode}")
        try:
            status, _body, _headers = http_get(stack.port, "/accounts/login/", {})
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 60 seconds")


def server_stop(stack: Stack) -> None:
    server = stack.server
    if server is None or server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def http_get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        conn.close()


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time each process has used so far (Linux /proc; none elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return used


def cpu_since(start: dict[int, float], now: dict[int, float]) -> float:
    """CPU used between two readings; a process started in between counts in full."""
    return sum(seconds - start.get(pid, 0.0) for pid, seconds in now.items())


def server_pids(stack: Stack) -> list[int]:
    """gunicorn's master and workers."""
    if stack.server is None:
        return []
    master = stack.server.pid
    found = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found.append(int(stat.parent.name))
    return found


def database_pids(stack: Stack) -> list[int]:
    """The PostgreSQL backends serving the run's database (persistent connections)."""
    with _admin_connection(stack.database_url) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [stack.database]
        ).fetchall()
    return [int(row[0]) for row in rows]


# ------------------------------------------------------------------------------
# Seeding and the virtual users' identities
# ------------------------------------------------------------------------------


@dataclass
class Identity:
    persona: str
    session_key: str
    # What this person's pages are about.
    program_ids: list[int] = field(default_factory=list)
    run: tuple[int, int] | None = None  # (program id, run id) of a draft to review
    mentorship_id: int | None = None
    departments: list[str] = field(default_factory=list)


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

    from matching.runs import match_run_execute, match_run_start
    from mentoring.dashboards import snapshot_take
    from mentoring.demo import DEMO_DOMAIN
    from mentoring.models import User
    from pairs.models import Mentorship
    from programs.models import Participant, Program

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
# The virtual users
# ------------------------------------------------------------------------------


@dataclass
class Sample:
    page: str
    ms: float
    ok: bool


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, ms: float, ok: bool, why: str = "") -> None:
        with self.lock:
            self.samples.append(Sample(page, ms, ok))
            if not ok and len(self.failures[page]) < 5:
                self.failures[page].append(why)


class VirtualUser:
    """One person: a session cookie, a CSRF token, and a loop of page visits."""

    def __init__(self, identity: Identity, port: int, rng: random.Random) -> None:
        self.identity = identity
        self.port = port
        self.rng = rng
        alphabet = string.ascii_letters + string.digits
        # Django accepts a 32-character CSRF secret sent as both the cookie and header.
        self.csrf = "".join(rng.choice(alphabet) for _ in range(32))
        self.cookie = f"sessionid={identity.session_key}; csrftoken={self.csrf}"
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, *, body: str = "", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, str]:
        all_headers = {"Cookie": self.cookie, "Host": f"127.0.0.1:{self.port}"}
        if method == "POST":
            all_headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-CSRFToken": self.csrf,
                    "Referer": f"http://127.0.0.1:{self.port}{path}",
                }
            )
        all_headers.update(headers or {})
        for attempt in (1, 2):
            conn = self.conn or http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT
            )
            self.conn = conn
            try:
                conn.request(method, path, body=body or None, headers=all_headers)
                response = conn.getresponse()
                data = response.read()
                if response.will_close:
                    conn.close()
                    self.conn = None
                return response.status, data, response.getheader("Location") or ""
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server had closed: reconnect once.
                conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    # -- the pages ---------------------------------------------------------------------

    def visit(self, page: str) -> tuple[str, str, str, dict[str, str], tuple[int, ...]]:
        """(method, path, body, extra headers, the statuses that count as success)."""
        identity = self.identity
        rng = self.rng
        program = rng.choice(identity.program_ids) if identity.program_ids else None
        if page == "coordinator_program_list":
            return "GET", "/programs/", "", {}, (200,)
        if page == "coordinator_dashboard":
            return "GET", f"/programs/{program}/dashboard/", "", {}, (200,)
        if page == "coordinator_pairs":
            return "GET", f"/programs/{program}/pairs/", "", {}, (200,)
        if page == "coordinator_pairs_htmx_filter":
            health = rng.choice(["on_track", "due", "overdue", "inactive", ""])
            headers = {"HX-Request": "true", "HX-Target": "pair-table"}
            path = f"/programs/{program}/pairs/?{urlencode({'health': health})}"
            return "GET", path, "", headers, (200,)
        if page == "coordinator_participants":
            return "GET", f"/programs/{program}/participants/", "", {}, (200,)
        if page == "coordinator_matching_review":
            if identity.run is None:
                return "GET", "/programs/", "", {}, (200,)
            run_program, run = identity.run
            return "GET", f"/matching/program/{run_program}/runs/{run}/", "", {}, (200,)
        if page == "participant_home":
            return "GET", "/", "", {}, (200,)
        mentorship = identity.mentorship_id
        if page == "participant_workspace":
            return "GET", f"/programs/mentorships/{mentorship}/", "", {}, (200,)
        if page == "checkin_propose_post":
            when = dt.datetime.now(dt.UTC) + dt.timedelta(days=rng.randint(3, 60))
            body = urlencode(
                {
                    "scheduled_at": when.strftime("%Y-%m-%dT10:00"),
                    "duration_minutes": "45",
                    "location": "Room 4",
                }
            )
            path = f"/programs/mentorships/{mentorship}/checkins/propose/"
            return "POST", path, body, {}, (302,)
        if page == "checkin_log_post":
            held = dt.datetime.now(dt.UTC) - dt.timedelta(days=rng.randint(2, 30))
            body = urlencode(
                {
                    "held_at": held.strftime("%Y-%m-%dT09:00"),
                    "outcome": "done",
                    "duration_minutes": "40",
                    "topics": "delegation, feedback",
                    "notes": "Went through the quarter's goals.",
                    "rating": str(rng.randint(3, 5)),
                }
            )
            path = f"/programs/mentorships/{mentorship}/checkins/log/"
            return "POST", path, body, {}, (302,)
        if page == "hr_insights":
            return "GET", "/insights/", "", {}, (200,)
        if page == "hr_insights_filtered":
            today = dt.datetime.now(dt.UTC).date()
            query = {
                "program": program or "",
                "department": rng.choice(identity.departments) if identity.departments else "",
                "start": (today - dt.timedelta(days=rng.choice([90, 180, 365]))).isoformat(),
                "end": today.isoformat(),
            }
            return "GET", f"/insights/?{urlencode(query)}", "", {}, (200,)
        if page == "hr_outcomes_csv":
            return "GET", "/insights/?export=outcomes", "", {}, (200,)
        raise ValueError(page)

    def act(self, page: str, results: Results | None) -> None:
        method, path, body, headers, expected = self.visit(page)
        started = time.perf_counter()
        why = ""
        try:
            status, _data, location = self.request(method, path, body=body, headers=headers)
            ok = status in expected
            # A redirect to sign in (or to set up two-step sign-in) is a failure too.
            if ok and status == 302 and ("/accounts/" in location):
                ok = False
            if not ok:
                why = f"{method} {path} -> {status} {location}"
        except (OSError, http.client.HTTPException) as error:
            ok = False
            why = f"{method} {path} -> {type(error).__name__}: {error}"
        ms = (time.perf_counter() - started) * 1000
        if results is not None:
            results.add(page, ms, ok, why)

    def run(self, deadline: float, results: Results, think: tuple[float, float]) -> None:
        pages, weights = zip(*ACTIONS[self.identity.persona], strict=True)
        # Start spread over the first think interval, as people do not arrive at once.
        time.sleep(self.rng.uniform(0, think[1]))
        while time.monotonic() < deadline:
            self.act(self.rng.choices(pages, weights)[0], results)
            time.sleep(self.rng.uniform(*think))

    def warm_up(self) -> None:
        for page, _weight in ACTIONS[self.identity.persona]:
            if not page.endswith("_post"):
                self.act(page, None)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


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


def drive(
    identities_: list[Identity],
    *,
    port: int,
    seconds: float,
    think: tuple[float, float],
    seed: int,
    on_start: Callable[[], object] | None = None,
) -> tuple[Results, float]:
    users = [
        VirtualUser(identity, port, random.Random(seed + n))  # noqa: S311  # nosec B311
        for n, identity in enumerate(identities_)
    ]
    for user in users:
        user.warm_up()
    if on_start is not None:
        on_start()
    results = Results()
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(target=u.run, args=(deadline, results, think), daemon=True) for u in users
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT + 30)
    return results, time.monotonic() - started


# ------------------------------------------------------------------------------
# The whole run
# ------------------------------------------------------------------------------


@contextlib.contextmanager
def stack_up(args: argparse.Namespace) -> Iterator[Stack]:
    prefix = f"mentoring-load-{os.getpid()}-{secrets.token_hex(3)}"
    redis_url = args.redis_url if args.redis_url and redis_reachable(args.redis_url) else ""
    stack = Stack(
        database_url=base_database_url(),
        database=f"mentoring_load_{os.getpid()}",
        folder=Path(tempfile.mkdtemp(prefix="mentoring-load-")),
        port=args.port or free_port(),
        redis_url=redis_url,
        prefix=prefix,
    )
    stack.env = stack_environment(stack)
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        database_create(stack.database_url, stack.database)
        stack.database_made = True
        yield stack
    finally:
        server_stop(stack)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if stack.database_made and not args.keep:
            database_drop(stack.database_url, stack.database)
        if stack.redis_url:
            with contextlib.suppress(Exception):
                redis_forget(stack.redis_url, prefix)
        shutil.rmtree(stack.folder, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)


def postgres_available(url: str) -> str:
    try:
        with _admin_connection(url):
            return ""
    except Exception as error:
        return f"{type(error).__name__}: {error}".strip()


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
