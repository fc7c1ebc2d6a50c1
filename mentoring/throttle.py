"""The one rate limiter: a fixed window counted in the shared cache.

On Redis (``REDIS_URL``) ``add`` then ``incr`` is atomic, so every web process and
worker counts together; in the embedded default the cache is the one web process's
memory, which is where the requests are.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Hit:
    allowed: bool
    count: int
    retry_after: int  # whole seconds until the window opens again


def throttle_hit(key: str, *, limit: int, window: int) -> Hit:
    """Count one more use of ``key`` in this ``window`` (seconds); allowed up to ``limit``."""
    now = time.time()
    window_start = int(now // window) * window
    slot = f"throttle:{key}:{window_start}"
    cache.add(slot, 0, timeout=window + 5)
    try:
        count = cache.incr(slot)
    except ValueError:  # expired between add and incr
        cache.set(slot, 1, timeout=window + 5)
        count = 1
    retry_after = max(1, math.ceil(window_start + window - now))
    return Hit(allowed=count <= limit, count=count, retry_after=retry_after)
