"""/healthz through a PostgreSQL restart and a Redis restart, with private servers.

The machine's shared PostgreSQL and Redis are never touched: the test starts its own
PostgreSQL cluster (initdb into a temporary folder) and its own redis-server on free
ports, runs the site against them in a separate process, and stops and starts those.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.faults.servers import PrivatePostgres, PrivateRedis, free_port, wait_until

pytestmark = pytest.mark.integration

RECOVERY_SECONDS = 10


def _healthz(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except OSError:
        return 0, {}


@pytest.fixture
def site(postgres: PrivatePostgres, redis: PrivateRedis, tmp_path: Path) -> Iterator[int]:
    """The site on the private servers, served by a separate process."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
        "DJANGO_SETTINGS_MODULE": "mentoring.settings.base",
        "DEBUG": "true",
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis.url,
        "VAR_DIR": str(tmp_path),
        "HEALTHZ_HEARTBEAT_MAX_AGE": "3600",
        # No worker runs here: one heartbeat recorded before the server starts stands in.
        "HEALTHZ_WORKER_MAX_AGE": "3600",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from mentoring.services import heartbeat_record as r; "
            "r(name='beat'); r(name='worker:fault-test')",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(
            lambda: _healthz(port)[0] == 200,
            what="the site to answer /healthz with 200",
            timeout=60,
        )
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_healthz_reports_a_database_outage_and_recovers_within_seconds(
    site: int, postgres: PrivatePostgres
) -> None:
    postgres.stop()
    status, body = _healthz(site)
    assert status == 503
    assert body["checks"]["database"]["ok"] is False

    postgres.start()
    took = wait_until(
        lambda: _healthz(site)[0] == 200, what="/healthz to recover", timeout=RECOVERY_SECONDS
    )
    assert took <= RECOVERY_SECONDS


def test_healthz_reports_a_redis_outage_and_recovers_within_seconds(
    site: int, redis: PrivateRedis
) -> None:
    redis.stop()
    status, body = _healthz(site)
    assert status == 503
    assert body["checks"]["cache"]["ok"] is False

    redis.start()
    wait_until(
        lambda: _healthz(site)[0] == 200, what="/healthz to recover", timeout=RECOVERY_SECONDS
    )
