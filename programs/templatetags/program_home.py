"""The home page's "guides for you" and "upcoming events" cards.

The home view (mentoring/home.py) already loads the person's participations; this
tag reads the guides and events meant for them from those, in two queries whatever
the number of programs. It only reads, through the programs selectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template

from programs.events import event_home_list
from programs.models import Participant
from programs.resources import resource_home_list

register = template.Library()

# Rows each card shows.
HOME_ITEMS = 5


@register.simple_tag(takes_context=True)
def home_program_items(
    context: template.Context, participations: Sequence[Participant]
) -> dict[str, Any]:
    """{% home_program_items participations as items %}: items.resources, items.events."""
    if not participations:
        return {"resources": [], "events": []}
    user = context["user"]
    return {
        "resources": resource_home_list(participations=participations, limit=HOME_ITEMS),
        "events": event_home_list(user=user, participations=participations, limit=HOME_ITEMS),
    }
