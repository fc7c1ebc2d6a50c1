"""The load benchmark's throwaway stack: a PostgreSQL database of its own, the
production settings' environment, gunicorn on a free loopback port, Redis keys under
the run's prefix, and the CPU its processes use (benchmarks/load.py).

In benchmarks/support/ (not benchmarks/), so that `make bench` does not run it as a benchmark.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent.parent
REQUEST_TIMEOUT = 60.0
SHM = "/dev/shm"  # noqa: S108  # nosec B108 - gunicorn's worker heartbeat files only


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
