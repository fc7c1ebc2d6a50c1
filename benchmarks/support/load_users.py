"""The load benchmark's virtual users: who each is, the pages of each persona, and
the threads that visit them with think time between (benchmarks/load.py).

In benchmarks/support/ (not benchmarks/), so that `make bench` does not run it as a benchmark.
"""

from __future__ import annotations

import datetime as dt
import http.client
import random
import string
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from benchmarks.support.load_stack import REQUEST_TIMEOUT

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


@dataclass
class Identity:
    persona: str
    session_key: str
    # What this person's pages are about.
    program_ids: list[int] = field(default_factory=list)
    run: tuple[int, int] | None = None  # (program id, run id) of a draft to review
    mentorship_id: int | None = None
    departments: list[str] = field(default_factory=list)


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
