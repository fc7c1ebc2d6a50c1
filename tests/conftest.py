"""Shared fixtures: personas, real-service guards and the browser set-up."""

from __future__ import annotations

import os
import shutil
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from mentoring.models import User
from tests.factories import user_create

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}
ROOT = Path(__file__).resolve().parent.parent

# The real Celery worker fixture, defined once for the whole session: imported into
# several modules, each would start a worker of its own on the same queues.
pytest_plugins = ["tests.integration"]


def skip_or_fail(reason: str) -> None:
    """Skip a test that needs a missing service, except in CI where that is a failure."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES is set but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # In CI no integration or browser test may be skipped, whatever skipped it.
    report = yield
    if (
        REQUIRE_SERVICES
        and report.skipped
        and (item.get_closest_marker("integration") or item.get_closest_marker("browser"))
    ):
        report.outcome = "failed"
        report.longrepr = f"skipped while REQUIRE_SERVICES=1: {report.longrepr}"
    return report


@pytest.fixture(autouse=True)
def _clean_cache(settings) -> None:
    """Every test starts with an empty cache, so rate limits never leak between tests.

    On Redis only this session's keys go (the server also holds the broker's
    queues and other sessions' keys, which a FLUSHDB would destroy).
    """
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        backend.clear()
        return
    client = backend._cache.get_client(write=True)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def user(db: None) -> User:
    return user_create(full_name="Ada Lovelace")


@pytest.fixture
def outsider(db: None) -> User:
    return user_create(full_name="Otto Outsider")


@pytest.fixture
def coordinator(db: None) -> User:
    return user_create(full_name="Cora Coordinator", is_coordinator=True)


@pytest.fixture
def hr(db: None) -> User:
    return user_create(full_name="Harriet Reviewer", is_hr_viewer=True)


@pytest.fixture
def staff(db: None) -> User:
    return user_create(full_name="Stan Staff", is_staff=True, is_superuser=True)


# -- Browser tests ------------------------------------------------------------


def chromium_path() -> str:
    return os.environ.get("CHROMIUM") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)) and not shutil.which(path):
        skip_or_fail(
            f"no Chromium at {path}. Install it with `apt-get install chromium` "
            "(or point the CHROMIUM environment variable at a Chromium binary)."
        )
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "args": ["--disable-background-networking", "--disable-component-update", "--no-first-run"],
    }


@pytest.fixture(scope="session")
def axe_script() -> Path:
    path = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        skip_or_fail(f"axe-core is not installed at {path}; run `npm ci` (make test does).")
    return path
