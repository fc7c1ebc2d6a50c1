"""The home page's cards of program items ("guides for you", "upcoming events").

programs knows nothing of the apps above it that own those items, so each of them
registers a source here from its AppConfig.ready; the home_program_items tag
(programs/templatetags/program_home.py) reads them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mentoring.models import User
from programs.models import Participant

# The card's key in the tag's result (items.<key> in the template) -> its source.
HOME_SOURCES: dict[str, Callable[..., list[Any]]] = {}


def home_source_register(key: str, source: Callable[..., list[Any]]) -> None:
    """Give the home page's card ``key`` its rows: ``source(user=, participations=,
    limit=)`` returns at most ``limit`` items, in a fixed number of queries."""
    HOME_SOURCES[key] = source


def home_items(
    *, user: User, participations: Sequence[Participant], limit: int
) -> dict[str, list[Any]]:
    if not participations:
        return {key: [] for key in HOME_SOURCES}
    return {
        key: source(user=user, participations=participations, limit=limit)
        for key, source in HOME_SOURCES.items()
    }
