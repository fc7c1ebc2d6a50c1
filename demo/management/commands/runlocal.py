"""Run the web server, a Celery worker and beat together, and keep them running
(``make run``).

Each is a child process supervised here: one that stops (a crash, a kill) is started
again after a back-off, with a line in the terminal saying so, while the others go
on, so the site keeps answering. Only Ctrl-C (or SIGTERM) stops them all.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket

# Starts our own fixed commands (web, worker, beat); no input reaches the command line.
import subprocess  # nosec B404
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.people import DEMO_PEOPLE, demo_logins_read
from mentoring.health import heartbeat_forget, worker_heartbeat_name

# A child that ran this long before it stopped was healthy: its next restart waits
# the shortest back-off again.
STABLE_SECONDS = 60.0
BACKOFF_MAX_SECONDS = 30.0


@dataclass
class Child:
    """One supervised process: started again whenever it exits, until Ctrl-C."""

    name: str  # as the terminal lines say it: "web server", "worker", "beat scheduler"
    command: list[str]
    # The mentoring.Heartbeat row that says this process is alive (forgotten when it
    # stops, so /healthz says it is down at once), if any.
    heartbeat: str = ""
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    quick_exits: int = 0  # exits in a row, each soon after its start
    restart_at: float | None = None

    def backoff(self) -> float:
        """Seconds before the next start: 1, 2, 4 ... 30 while it keeps failing."""
        return min(2.0 ** max(self.quick_exits - 1, 0), BACKOFF_MAX_SECONDS)


class Command(BaseCommand):
    help = (
        "Start the web server, a Celery worker and beat, start any of them again when it "
        "stops, and stop them all on Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if _port_in_use(host, port):
            raise CommandError(
                f"Port {port} on {host} is already in use; stop what runs there or "
                f"choose another port: make run PORT=8001"
            )
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        env = child_environment(host=host, port=port, environ=os.environ)
        children = _children(host=host, port=port)
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        # The children run in process groups of their own, so Ctrl-C reaches this
        # supervisor only, which stops them in order; a closed terminal (SIGHUP) too.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, stop)
        web = children[0]
        try:
            for child in children:
                self._start(child, env)
            if _wait_for_port(host, port, web, timeout=60):
                self._banner(env["SITE_URL"])
            while not stopping:
                for child in children:
                    self._supervise(child, env)
                time.sleep(0.1)
        finally:
            self._say("Stopping the web server, worker and beat...")
            _stop_all([child.process for child in children if child.process is not None])

    def _start(self, child: Child, env: Mapping[str, str]) -> int:
        """Start the child; its process id."""
        child.process = subprocess.Popen(  # nosec B603
            child.command,
            cwd=settings.BASE_DIR,
            env=dict(env),
            process_group=0,
            # This process runs no threads, so the hook is safe between fork and exec.
            preexec_fn=_die_with_parent,
        )
        child.started_at = time.monotonic()
        child.restart_at = None
        return child.process.pid

    def _supervise(self, child: Child, env: Mapping[str, str]) -> None:
        """Notice that a child stopped, say so, and start it again after its back-off."""
        process = child.process
        if process is None or process.poll() is None:
            return
        now = time.monotonic()
        if child.restart_at is None:
            ran = now - child.started_at
            child.quick_exits = 1 if ran >= STABLE_SECONDS else child.quick_exits + 1
            delay = child.backoff()
            child.restart_at = now + delay
            if child.heartbeat:
                heartbeat_forget(name=child.heartbeat)
            self._say(
                f"The {child.name} {_how_it_ended(process.returncode)} after {ran:.0f} s; "
                f"starting it again in {delay:.0f} s. The site keeps answering meanwhile.",
                warning=True,
            )
            return
        if now >= child.restart_at:
            pid = self._start(child, env)
            self._say(f"The {child.name} is starting again (process {pid}).")

    def _say(self, line: str, *, warning: bool = False) -> None:
        text = f"[runlocal] {line}"
        self.stdout.write(self.style.WARNING(text) if warning else text)
        self.stdout.flush()

    def _banner(self, origin: str) -> None:
        url = f"{origin}/"
        logins = demo_logins_read(settings.VAR_DIR / "demo-logins.txt")
        lines = ["", self.style.SUCCESS(f"Mentoring is running at {url}"), ""]
        if logins:
            lines.append("Demo logins (email  password):")
            for person in DEMO_PEOPLE:
                if person.email in logins:
                    lines.append(f"  {person.role:<12} {person.email:<28} {logins[person.email]}")
        lines += [
            "",
            "Emails (verification links, reminders) are printed in this terminal.",
            "A worker or beat that stops is started again; the site keeps answering.",
            "Press Ctrl-C to stop the web server, the worker and beat.",
            "",
        ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()


def worker_hostname(port: int) -> str:
    """The Celery node name of runlocal's worker (its heartbeat row is named after it)."""
    return f"runlocal-{port}@{socket.gethostname()}"[:50]


def _children(*, host: str, port: int) -> list[Child]:
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    celery = [sys.executable, "-m", "celery", "-A", "mentoring"]
    hostname = worker_hostname(port)
    return [
        Child("web server", [*manage, "runserver", f"{host}:{port}", "--noreload"]),
        Child(
            "worker",
            [
                *celery,
                "worker",
                f"--hostname={hostname}",
                "--loglevel=INFO",
                "--concurrency=2",
                # Gossip, mingle and events talk to other workers through broadcast
                # messages; one local worker has nobody to talk to.
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--queues=" + ",".join(settings.CELERY_QUEUES_ALL),
            ],
            heartbeat=worker_heartbeat_name(hostname),
        ),
        # Beat in a process of its own (not the worker's --beat): a worker that dies
        # leaves the schedule running, and each is started again on its own.
        Child(
            "beat scheduler",
            [
                *celery,
                "beat",
                f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
                "--loglevel=INFO",
            ],
            heartbeat="beat",
        ),
    ]


def _how_it_ended(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was stopped by {name}"
    return f"exited with status {returncode}"


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent() -> None:
    # Should this supervisor itself be killed (kill -9), its children stop too rather
    # than holding the port and the database (Linux; elsewhere they outlive it).
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


# Addresses that mean "listen on every interface" (not one to open in a browser).
EVERY_INTERFACE = frozenset({"", "0.0.0.0", "::"})  # noqa: S104  # nosec B104


def served_origin(host: str, port: int) -> str:
    """The address people open: what the server listens on (localhost for every
    interface)."""
    shown = "localhost" if host in EVERY_INTERFACE else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def child_environment(*, host: str, port: int, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment of the web server, worker and beat: links in emails and calendar
    files follow the address served here, unless SITE_URL says otherwise."""
    env = dict(environ)
    if not env.get("SITE_URL", "").strip():
        env["SITE_URL"] = served_origin(host, port)
    return env


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex((host, port)) == 0


def _wait_for_port(host: str, port: int, web: Child, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and web.process is not None and web.process.poll() is None:
        if _port_in_use(host, port):
            return True
        time.sleep(0.2)
    return False


def _stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
