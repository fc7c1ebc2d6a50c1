"""Helpers for the tests that prove a model moved to another app kept its table and rows.

Each such test migrates the test database back to the nodes before the move, writes rows
with the historical models, migrates forward to the latest nodes and reads the rows with
today's models. Whatever database the suite runs on (PostgreSQL in CI) runs it directly;
``run_on_sqlite`` runs the same test file once more in a child pytest on SQLite, so a
PostgreSQL run covers both.
"""

from __future__ import annotations

import os
import subprocess  # nosec B404
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import ROOT

Node = tuple[str, str | None]


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


@contextmanager
def migrated_back_to(nodes: Sequence[Node]) -> Iterator[Apps]:
    """Migrate to ``nodes`` and yield the historical apps there; on leaving, migrate to
    the latest nodes again (also when the block fails, so later tests see today's
    schema)."""
    _executor().migrate(list(nodes))
    back = _executor()
    applied = list(back.loader.applied_migrations)
    try:
        yield back.loader.project_state(applied, at_end=True).apps
    finally:
        latest = _executor()
        latest.migrate(latest.loader.graph.leaf_nodes())


def migrate_to_latest() -> None:
    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())


def on_sqlite() -> bool:
    return connection.vendor == "sqlite"


def run_on_sqlite(test_file: str, keyword: str) -> subprocess.CompletedProcess[str]:
    """Run ``keyword`` of ``test_file`` in a child pytest on a SQLite database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "REQUIRE_SERVICES", "PYTEST_XDIST_WORKER"}
    }
    return subprocess.run(  # nosec B603
        [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "0",
            "-q",
            "-p",
            "no:randomly",
            test_file,
            "-k",
            keyword,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def assert_passes_on_sqlite(test_file: str, keyword: str = "written_before_the_move") -> None:
    """Run the move's test again in a child pytest on SQLite; it must pass there too.
    (Called from a test skipped when the suite already runs on SQLite.)"""
    result = run_on_sqlite(test_file, keyword)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout


def values(rows: Any, fields: Callable[[Any], tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(fields(row) for row in rows)


def historical(state_apps: Apps, app_label: str, model_name: str) -> Any:
    """A model as it was at the migrated-back state (it may no longer exist today)."""
    return state_apps.get_model(app_label, model_name)
