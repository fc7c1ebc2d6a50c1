"""The access matrix: every URL, every persona, GET and POST, against tests/access/expected.py.

A URL without a row fails the build, with the row to add (as observed, to be checked
against what each persona should get) in the failure message.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client

from tests.access import expected
from tests.access.matrix import (
    checked_names,
    format_row,
    kwargs_of,
    observe,
    unnamed_routes,
)
from tests.access.world import PERSONAS, World, world_build

# django_db makes pytest-django create the test database (and wrap each test in a
# savepoint inside the module's transaction).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("access-matrix")]


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[World]:
    """Built once for the module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        yield world_build()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def clients(world: World) -> dict[str, Client]:
    signed_in = {}
    for persona in PERSONAS:
        client = Client(enforce_csrf_checks=False)
        user = world.users[persona]
        if user is not None:
            client.force_login(user)
        signed_in[persona] = client
    return signed_in


def test_every_url_pattern_has_a_name() -> None:
    # The table is keyed by URL name; a nameless pattern could not be given a row.
    assert unnamed_routes() == []


def test_every_url_has_a_row(
    world: World, clients: dict[str, Client], django_db_blocker: pytest.FixtureRequest
) -> None:
    missing = [name for name in checked_names() if name not in expected.EXPECTED]
    stale = sorted(set(expected.EXPECTED) - set(checked_names()))
    message = ""
    if missing:
        with django_db_blocker.unblock():  # type: ignore[attr-defined]
            rows = "\n".join(format_row(name, observe(world, clients, name)) for name in missing)
        if os.environ.get("ACCESS_MATRIX_ROWS"):
            # The rows to paste, without pytest's assertion formatting around them.
            Path(os.environ["ACCESS_MATRIX_ROWS"]).write_text(rows + "\n")
        message += (
            "These URLs have no row in tests/access/expected.py. Here is what each persona "
            "gets today; check every outcome is what that persona SHOULD get, then add:\n"
            f"{rows}\n"
        )
    if stale:
        message += f"Rows for URLs that no longer exist (remove them): {stale}\n"
    assert not message, message


def test_every_row_names_every_persona() -> None:
    incomplete = {
        name: sorted(set(PERSONAS) - set(row))
        for name, row in expected.EXPECTED.items()
        if set(row) != set(PERSONAS)
    }
    assert incomplete == {}


# The rows are split into two groups, each run by one worker with its own world, so
# the matrix takes half the wall time on two cores.
MATRIX_GROUPS = 2


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xdist_group(f"access-matrix-{i % MATRIX_GROUPS}"))
        for i, n in enumerate(n for n in checked_names() if n in expected.EXPECTED)
    ],
)
def test_access(
    world: World,
    clients: dict[str, Client],
    django_db_blocker: pytest.FixtureRequest,
    name: str,
) -> None:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        observed = observe(world, clients, name)
    wrong = {
        persona: {"expected": expected.EXPECTED[name][persona], "got": observed[persona]}
        for persona in PERSONAS
        if observed[persona] != expected.EXPECTED[name][persona]
    }
    assert wrong == {}, f"{name}: (GET, POST) outcomes differ:\n{format_row(name, observed)}"
    # Whatever the table says, no request may crash (healthz's 503 is a deliberate answer).
    assert all(o != 500 for row in observed.values() for o in row)


# Pages of program A that someone outside it may open: the link is the credential.
OPEN_BY_LINK = {"programs:join_by_link"}


def test_the_table_keeps_program_a_from_outsiders_and_other_coordinators() -> None:
    # A check of the table itself: whatever rows are added, nobody outside program A
    # may read or change anything in it.
    leaks = {
        (name, persona): row[persona]
        for name, row in expected.EXPECTED.items()
        if "program_id" in kwargs_of(name) and name not in OPEN_BY_LINK
        for persona in ("outsider", "coordinator_b")
        if any(outcome in {200, "302"} for outcome in row[persona])
    }
    assert leaks == {}
