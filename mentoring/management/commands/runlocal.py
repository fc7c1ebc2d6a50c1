"""Run the web server, a Celery worker and embedded beat together (``make run``)."""

from __future__ import annotations

import os
import signal
import socket

# Starts our own fixed commands (web, worker, beat); no input reaches the command line.
import subprocess  # nosec B404
import sys
import time
from collections.abc import Mapping
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mentoring.demo import DEMO_PEOPLE, demo_logins_read


class Command(BaseCommand):
    help = "Start the web server, a Celery worker and beat; Ctrl-C stops them all."

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
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        commands = {
            "web": [*manage, "runserver", f"{host}:{port}", "--noreload"],
            "worker": [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mentoring",
                "worker",
                "--beat",
                f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
                "--loglevel=INFO",
                "--concurrency=2",
                "--queues=" + ",".join(settings.CELERY_QUEUES_ALL),
            ],
        }
        env = child_environment(host=host, port=port, environ=os.environ)
        processes = {
            name: subprocess.Popen(cmd, cwd=settings.BASE_DIR, env=env)  # nosec B603
            for name, cmd in commands.items()
        }
        stopping = False
        crashed: str | None = None

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            if _wait_for_port(host, port, processes["web"], timeout=60):
                self._banner(env["SITE_URL"])
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        crashed = name
                        stopping = True
                        break
                else:
                    time.sleep(0.2)
        finally:
            self.stdout.write("Stopping the web server, worker and beat...")
            _stop_all(list(processes.values()))
        if crashed:
            code = processes[crashed].returncode
            raise CommandError(
                f"The {crashed} process exited on its own ({code}); see its output above."
            )

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
            "Press Ctrl-C to stop the web server, the worker and beat.",
            "",
        ]
        self.stdout.write("\n".join(lines))


def served_origin(host: str, port: int) -> str:
    """The address people open: what the server listens on (localhost for every
    interface)."""
    shown = "localhost" if host in ("", "0.0.0.0", "::") else host  # noqa: S104  # nosec B104
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


def _wait_for_port(
    host: str, port: int, process: subprocess.Popen[bytes], *, timeout: float
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
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
