"""A database of a benchmark's own: created empty and migrated, dropped afterwards.

In benchmarks/support/ (not benchmarks/), so that `make bench` does not run it as a benchmark.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def throwaway_database(topic: str) -> Iterator[None]:
    """Switch the default connection to a new database for ``topic`` and drop it at the
    end, whatever happens. Named with the process id, so it never clobbers a test
    run's database or another benchmark's; in memory on SQLite. Call after
    django.setup()."""
    from django.db import connection

    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        None if connection.vendor == "sqlite" else f"test_bench_{topic}_{os.getpid()}"
    )
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
