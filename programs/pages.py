"""What the apps above programs add to programs' pages: one registry for all of it.

programs knows nothing of the apps above it (the layers in docs/architecture.md), so
each registers its part here from its AppConfig.ready, and the page asks for them:

- the home page's cards of program items ("guides for you", "upcoming events"), read
  by the home_program_items tag (programs/templatetags/program_home.py);
- how the program's goals stand (measured on the pairs' data by the pairs app);
- more context for the program's overview (the pairs app: closures, the person's pair).

What programs *did* (a program created or closed) is announced as a signal instead
(programs/signals.py); the calendar feed's sources register in programs/ics.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mentoring.models import User
from programs.access import ProgramAccess
from programs.models import Participant, Program

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


# How the program's goals stand: one measurer (the pairs app), returning a row per goal
# with ``goal`` and its progress; None until one registered.
_goal_measurer: list[Callable[[Program], list[Any]]] = []


def goal_measurer_register(measure: Callable[[Program], list[Any]]) -> None:
    _goal_measurer[:] = [measure]


def goals_measured(program: Program) -> list[Any] | None:
    return _goal_measurer[0](program) if _goal_measurer else None


# Parts of the program overview's context: each returns a dict to add.
OVERVIEW_PARTS: list[Callable[[ProgramAccess], dict[str, Any]]] = []


def overview_part_register(part: Callable[[ProgramAccess], dict[str, Any]]) -> None:
    if part not in OVERVIEW_PARTS:
        OVERVIEW_PARTS.append(part)


def overview_context(access: ProgramAccess) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for part in OVERVIEW_PARTS:
        context.update(part(access))
    return context
