"""Private PostgreSQL and Redis servers for the fault tests, which stop and start them.

The machine's shared PostgreSQL and Redis are never touched: these start their own
PostgreSQL cluster (initdb into a temporary folder) and their own redis-server, each
on a free port.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.integration import services_available


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI containers often are root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass
class PrivatePostgres:
    bin: Path
    data: Path
    port: int

    def start(self) -> None:
        subprocess.run(
            _as_postgres(
                [
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-w",
                    "-l",
                    str(self.data / "server.log"),
                    "-o",
                    f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def stop(self) -> None:
        subprocess.run(
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"]),
            check=False,
            capture_output=True,
            timeout=60,
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres?conn_max_age=60"


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    if not services_available():
        skip_or_fail("fault tests need DATABASE_URL (PostgreSQL) and REDIS_URL")
    bin_dir = _postgres_bin()
    if bin_dir is None or (os.geteuid() == 0 and not shutil.which("runuser")):
        skip_or_fail("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    assert bin_dir is not None
    folder = Path(tempfile.mkdtemp(prefix="fault-pg-"))
    folder.chmod(0o777)
    data = folder / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    subprocess.run(
        _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
        check=True,
        capture_output=True,
        timeout=120,
    )
    server = PrivatePostgres(bin=bin_dir, data=data, port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class PrivateRedis:
    port: int
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: port_open(self.port), what="redis-server to listen")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def redis() -> Iterator[PrivateRedis]:
    if not shutil.which("redis-server"):
        skip_or_fail("redis-server is not installed")
    server = PrivateRedis(port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(probe: Callable[[], bool], *, what: str, timeout: float = 30.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if probe():
            return time.monotonic() - started
        time.sleep(0.1)
    pytest.fail(f"waited {timeout} seconds for {what}")
