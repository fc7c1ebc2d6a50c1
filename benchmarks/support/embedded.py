"""The embedded default (`make run`: SQLite, the SQLite broker, `manage.py runlocal`)
in a throwaway folder, with faults on demand; shared by tests/faults/test_embedded_killed.py
and benchmarks/embedded.py.

``Site`` migrates a fresh VAR_DIR, starts ``runlocal`` as ``make run`` does (DEBUG on,
nothing else set but where email goes: a file backend folder, so emails can be
counted), and watches the web server from a thread: every 0.2 s a GET of /healthz and
of the home page; a request that gets no answer, or a page that answers 5xx, is a web
error (/healthz answering 503 while the worker is down is an answer). ``run`` drives
one scenario: it queues N invitations through the project's own services (a
participant import applied by the worker, or a published survey), optionally kills
runlocal's worker or beat with SIGKILL once some emails are out, and waits until
every person has an email. Emails are counted per recipient in the mail folder, not
rows in the database.

The setup steps run in processes of their own, through embedded_steps' command line
(``python -m benchmarks.support.embedded_steps prepare|import|survey ...``), with the
site's environment, so the caller needs no Django settings of its own.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent

# What a new user's shell passes to `make run`; nothing of the caller's own settings
# (the test suite's PostgreSQL, Redis, SECRET_KEY, ALLOWED_HOSTS...).
INHERITED = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")
RECIPIENT = "person{n}@example.org"
RECIPIENT_RE = re.compile(rb"^To: (person\d+@example\.org)\r?$", re.MULTILINE)
WORKER_COMMAND = ("-m", "celery", "-A", "mentoring", "worker")
BEAT_COMMAND = ("-m", "celery", "-A", "mentoring", "beat")
POLL_SECONDS = 0.2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def emails_by_recipient(mail_dir: Path) -> Counter[str]:
    """Emails written to the file backend's folder so far, per recipient.

    Worker processes append to files of their own but may pick the same name (the
    backend names a file after the second and an object id); a `To:` header line per
    message counts each one whatever the files' interleaving.
    """
    counts: Counter[str] = Counter()
    for path in mail_dir.glob("*.log"):
        counts.update(match.decode() for match in RECIPIENT_RE.findall(path.read_bytes()))
    return counts


def children_of(pid: int) -> dict[int, list[str]]:
    """The processes whose parent is ``pid``, with their command lines (from /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # The command name (in parentheses) may hold spaces: split after it.
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid != pid:
                continue
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        found[int(entry.name)] = [part.decode() for part in command if part]
    return found


@dataclass
class Watch:
    """What the web watcher saw while a scenario ran."""

    requests: int = 0
    errors: list[str] = field(default_factory=list)
    # /healthz's verdict on the worker, each time it changed: (seconds, ok).
    worker_states: list[tuple[float, bool]] = field(default_factory=list)


@dataclass
class Site:
    folder: Path
    port: int
    env: dict[str, str]
    mail_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    watch: Watch = field(default_factory=Watch)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _started: float = 0.0

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def step(self, *args: str, timeout: float = 300) -> str:
        """A setup step (benchmarks/support/embedded_steps.py), in the site's environment."""
        return self._run(
            [sys.executable, "-m", "benchmarks.support.embedded_steps", *args], timeout=timeout
        ).strip()

    def _run(self, command: list[str], *, timeout: float) -> str:
        done = subprocess.run(  # noqa: S603
            command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise RuntimeError(f"{command[1:]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        """`manage.py runlocal` as `make run` starts it (``watch`` starts watching)."""
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runlocal", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self._started = time.monotonic()

    def watch_start(self) -> None:
        """Once the worker beats, watch the web server from a thread until ``stop``."""
        self.wait(lambda: self.health_worker_ok() is True, what="the worker's heartbeat")
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # Ctrl-C: runlocal stops its children
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def wait(self, probe: Callable[[], bool], *, what: str, timeout: float = 120) -> float:
        """Poll until ``probe`` holds; seconds waited. RuntimeError with runlocal's log
        after ``timeout`` seconds, or if runlocal itself stopped."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if probe():
                return time.monotonic() - started
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"runlocal stopped while waiting for {what}:\n{self.log_tail()}")
            time.sleep(POLL_SECONDS)
        raise RuntimeError(f"waited {timeout:.0f} s for {what}; runlocal's log:\n{self.log_tail()}")

    def health(self) -> tuple[int, dict[str, Any]]:
        try:
            with urllib.request.urlopen(f"{self.origin}/healthz", timeout=10) as response:  # noqa: S310  # nosec B310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def health_worker_ok(self) -> bool | None:
        """/healthz's verdict on the worker; None when the site did not answer."""
        try:
            _status, body = self.health()
        except (OSError, ValueError):
            return None
        return bool(body.get("checks", {}).get("worker", {}).get("ok"))

    def _watch(self) -> None:
        last: bool | None = None
        while not self._stop.is_set():
            now = time.monotonic() - self._started
            try:
                status, body = self.health()
                worker_ok = bool(body.get("checks", {}).get("worker", {}).get("ok"))
                if status not in (200, 503) or not body.get("checks", {}).get("database", {}).get(
                    "ok"
                ):
                    self.watch.errors.append(f"{now:.1f}s /healthz {status} {body}")
                if worker_ok != last:
                    self.watch.worker_states.append((round(now, 1), worker_ok))
                    last = worker_ok
            except (OSError, ValueError) as error:
                self.watch.errors.append(f"{now:.1f}s /healthz {type(error).__name__}: {error}")
            try:
                with urllib.request.urlopen(f"{self.origin}/", timeout=10) as response:  # noqa: S310  # nosec B310
                    response.read()
            except urllib.error.HTTPError as error:
                if error.code >= 500:
                    self.watch.errors.append(f"{now:.1f}s / {error.code}")
            except OSError as error:
                self.watch.errors.append(f"{now:.1f}s / {type(error).__name__}: {error}")
            self.watch.requests += 2
            self._stop.wait(POLL_SECONDS)

    def child_pid(self, command: tuple[str, ...]) -> int | None:
        """The process id of runlocal's child running ``command`` (the worker's main
        process, or beat), if one runs."""
        if self.process is None:
            return None
        for pid, argv in children_of(self.process.pid).items():
            if tuple(argv[1 : 1 + len(command)]) == command:
                return pid
        return None

    def emails(self) -> Counter[str]:
        return emails_by_recipient(self.mail_dir)


_migrated: Path | None = None


def _migrated_database(env: dict[str, str]) -> Path:
    """A database file with every migration applied, made once per process and copied
    for each site (`migrate` takes 15-20 s on a busy machine)."""
    global _migrated
    if _migrated is None or not _migrated.exists():
        folder = Path(tempfile.mkdtemp(prefix="embedded-migrated-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        done = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env={**env, "VAR_DIR": str(folder)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(f"migrate failed:\n{done.stdout}\n{done.stderr}")
        _migrated = folder / "db.sqlite3"
    return _migrated


@contextmanager
def site(*, sweep_interval: int = 10, survey_interval: int = 30) -> Iterator[Site]:
    """A migrated embedded default in a new folder; runlocal, once started, stopped
    after."""
    folder = Path(tempfile.mkdtemp(prefix="embedded-"))
    mail_dir = folder / "mail"
    mail_dir.mkdir()
    env = {key: os.environ[key] for key in INHERITED if key in os.environ}
    env.update(
        DEBUG="true",  # as `make run`
        VAR_DIR=str(folder / "var"),
        EMAIL_URL=f"file://{mail_dir}",
        INVITATION_SWEEP_INTERVAL=str(sweep_interval),
        SURVEY_SWEEP_INTERVAL=str(survey_interval),
        # A message whose worker was killed is handed out again after a minute.
        CELERY_VISIBILITY_TIMEOUT="60",
        PYTHONUNBUFFERED="1",
    )
    running = Site(
        folder=folder,
        port=free_port(),
        env=env,
        mail_dir=mail_dir,
        log_path=folder / "runlocal.log",
    )
    try:
        # What `make run`'s migrate makes, from a copy (the last connection to close
        # checkpointed its write-ahead log into the file).
        var = folder / "var"
        var.mkdir()
        shutil.copyfile(_migrated_database(env), var / "db.sqlite3")
        yield running
    finally:
        running.stop()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Kill:
    process: str  # "worker" (its main process) or "beat"
    pid: int
    emails_before: int  # emails out when it was killed
    new_pid: int | None = None  # the process runlocal started in its place


@dataclass
class Outcome:
    scenario: str
    people: int
    invited: int  # people with at least one email
    emails: int
    duplicates: int  # emails beyond each person's first
    lost: int  # people with none
    seconds_to_complete: float | None  # from queueing to the last person's first email
    web_errors: int
    web_requests: int
    kills: list[Kill] = field(default_factory=list)
    # /healthz's verdict on the worker each time it changed: (seconds, ok).
    worker_states: list[tuple[float, bool]] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    # Seconds from runlocal's start to each step: where a run's time goes.
    phases: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> str:
        keys = (
            "scenario",
            "invited",
            "emails",
            "duplicates",
            "lost",
            "seconds_to_complete",
            "web_errors",
        )
        data: dict[str, Any] = {key: getattr(self, key) for key in keys}
        data.update(
            people=self.people,
            killed=[{"process": k.process, "emails_before": k.emails_before} for k in self.kills],
            web_requests=self.web_requests,
        )
        return json.dumps(data)


PROCESSES = {"worker": WORKER_COMMAND, "beat": BEAT_COMMAND}


def _kill(running: Site, process: str, *, after: int, timeout: float) -> Kill:
    """SIGKILL runlocal's ``process`` once ``after`` emails are out; wait until
    runlocal has started another in its place."""
    command = PROCESSES[process]
    running.wait(
        lambda: sum(running.emails().values()) >= after, what=f"{after} emails", timeout=timeout
    )
    pid = running.child_pid(command)
    if pid is None:
        raise RuntimeError(f"no {process} process under runlocal:\n{running.log_tail()}")
    os.kill(pid, signal.SIGKILL)
    kill = Kill(process=process, pid=pid, emails_before=sum(running.emails().values()))

    def restarted() -> bool:
        kill.new_pid = running.child_pid(command)
        return kill.new_pid not in (None, pid)

    running.wait(restarted, what=f"runlocal to start the {process} again", timeout=60)
    return kill


def run(
    *,
    scenario: str,
    people: int,
    source: str = "import",
    kill: tuple[str, ...] = (),
    kill_every: int = 150,
    timeout: float = 300,
) -> Outcome:
    """One scenario on a fresh embedded default.

    ``source`` "import": a CSV of ``people`` rows, uploaded, checked and applied by the
    worker, which then sends the invitations; "survey": a survey published to
    ``people`` active participants. ``kill``: runlocal's processes to SIGKILL one after
    the other ("worker", "beat"), each once ``kill_every`` more emails are out than at
    the previous kill, and once runlocal started the one before again. Waits until every
    person has an email (or ``timeout`` seconds), then a few seconds more for any
    duplicate still on its way.
    """
    phases: dict[str, float] = {}
    with site() as running:
        program_id = running.step("prepare", "--people", str(people), "--source", source)
        running.start()
        started = time.monotonic()
        # The import waits for the worker's check, so runs while runlocal starts.
        if source == "import":
            running.step("import", "--program", program_id, "--people", str(people))
        else:
            running.step("survey", "--program", program_id)
        phases["queued"] = round(time.monotonic() - started, 1)
        running.watch_start()
        phases["worker_up"] = round(time.monotonic() - started, 1)
        kills: list[Kill] = []
        for process in kill:
            before = kills[-1].emails_before if kills else 0
            kills.append(_kill(running, process, after=before + kill_every, timeout=timeout))
            phases[f"{process}_back"] = round(time.monotonic() - started, 1)
        seconds: float | None = None
        deadline = started + timeout
        while time.monotonic() < deadline:
            if len(running.emails()) >= people:
                seconds = round(time.monotonic() - started, 1)
                break
            if running.process is not None and running.process.poll() is not None:
                break
            time.sleep(0.5)
        if seconds is not None:
            # A task still queued or handed out again would show up as a duplicate.
            time.sleep(5)
        if "worker" in kill:
            running.wait(lambda: running.health_worker_ok() is True, what="the worker's heartbeat")
        counts = running.emails()
        outcome = Outcome(
            scenario=scenario,
            people=people,
            invited=len(counts),
            emails=sum(counts.values()),
            duplicates=sum(n - 1 for n in counts.values()),
            lost=people - len(counts),
            seconds_to_complete=seconds,
            web_errors=len(running.watch.errors),
            web_requests=running.watch.requests,
            kills=kills,
            worker_states=list(running.watch.worker_states),
            error_samples=running.watch.errors[:5],
            phases=phases,
        )
    phases["stopped"] = round(time.monotonic() - started, 1)
    return outcome
