"""Shares of a group with their 95% Wilson interval, hidden with the group."""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959964


@dataclass(frozen=True)
class Rate:
    """A share of a group: None everywhere when the group is hidden."""

    n: int | None
    k: int | None
    low: float | None = None
    high: float | None = None

    @property
    def value(self) -> float | None:
        if self.n is None or self.k is None or self.n == 0:
            return None
        return self.k / self.n

    @property
    def percent(self) -> float | None:
        value = self.value
        return None if value is None else round(100 * value, 1)

    @property
    def low_percent(self) -> float | None:
        return None if self.low is None else round(100 * self.low, 1)

    @property
    def high_percent(self) -> float | None:
        return None if self.high is None else round(100 * self.high, 1)

    @property
    def span_percent(self) -> float | None:
        """The interval's width, for drawing it."""
        if self.low is None or self.high is None:
            return None
        return round(100 * (self.high - self.low), 1)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of k successes in n trials."""
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def rate_of(k: int, n: int | None) -> Rate:
    if n is None:
        return Rate(None, None)
    low, high = wilson(k, n)
    return Rate(n, k, low, high)
