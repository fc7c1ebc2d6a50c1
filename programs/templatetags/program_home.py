"""The home page's "guides for you" and "upcoming events" cards.

The home view (mentoring/home.py) already loads the person's participations; this
tag reads the items meant for them from those, in a fixed number of queries whatever
the number of programs. It only reads, through the sources the apps owning guides
and events register in programs.pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template

from programs.models import Participant
from programs.pages import home_items

register = template.Library()

# Rows each card shows.
HOME_ITEMS = 5


@register.simple_tag(takes_context=True)
def home_program_items(
    context: template.Context, participations: Sequence[Participant]
) -> dict[str, Any]:
    """{% home_program_items participations as items %}: items.resources, items.events."""
    return home_items(user=context["user"], participations=participations, limit=HOME_ITEMS)
