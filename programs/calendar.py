"""Each person's private calendar address (the feed programs.ics builds).

The token in the address is the only credential calendar programs have, so it is
long, stored per person, and can be reset, which retires the old address at once.
"""

from __future__ import annotations

import secrets

from django.utils import timezone

from mentoring.models import User
from programs.models import CalendarFeed


def _feed_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_feed_get(*, user: User) -> CalendarFeed:
    """The person's feed, created with a fresh token the first time it is asked for."""
    feed, _created = CalendarFeed.objects.get_or_create(
        user=user, defaults={"token": _feed_token(), "created_at": timezone.now()}
    )
    return feed


def calendar_feed_reset(*, user: User) -> CalendarFeed:
    """A new token: the old address stops working at once."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": _feed_token(), "created_at": timezone.now()}
    )
    return feed


def calendar_feed_user(*, token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user
