"""benchmarks/load.py's virtual users (benchmarks/support/load_users.py) against a live
server, briefly, so the load benchmark cannot rot: every page of every persona answers
as the driver expects."""

from __future__ import annotations

import importlib.util
import random
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from benchmarks.support.load_users import ACTIONS, Results, VirtualUser, drive
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def load() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("benchmark_load", ROOT / "benchmarks" / "load.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_personas_share_the_users_and_each_gets_one(load: ModuleType) -> None:
    assert load.persona_counts(50) == {"coordinator": 10, "mentor": 18, "mentee": 17, "hr": 5}
    assert load.persona_counts(5) == {"coordinator": 1, "mentor": 1, "mentee": 2, "hr": 1}
    assert all(sum(load.persona_counts(n).values()) == n for n in range(1, 80))


def test_every_page_of_every_persona_answers_under_a_short_run(
    load: ModuleType, live_server: Any
) -> None:
    from demo.large import demo_large_seed
    from demo.people import demo_seed
    from demo.programs import demo_programs_seed

    demo_large_seed(scale=0.02)
    demo_seed()
    demo_programs_seed()
    people = load.identities(
        {"coordinator": 1, "mentor": 1, "mentee": 1, "hr": 1}, rng=random.Random(1)
    )
    port = int(live_server.url.rsplit(":", 1)[1])
    results = Results()
    for n, identity in enumerate(people):
        user = VirtualUser(identity, port, random.Random(n))
        for page, _weight in ACTIONS[identity.persona]:
            user.act(page, results)
    assert dict(results.failures) == {}
    pages = {sample.page for sample in results.samples}
    assert pages == {page for actions in ACTIONS.values() for page, _w in actions}
    # And the threaded loop itself, for a moment.
    timed, elapsed = drive(people, port=port, seconds=1.5, think=(0.05, 0.2), seed=3)
    assert timed.samples
    assert [s for s in timed.samples if not s.ok] == []
    assert elapsed >= 1.5
