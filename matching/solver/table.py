"""The table of units of every (free mentee, mentor) pair, and picking the best of it."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from matching.solver.problem import _allowed, _check_scores, _Clock, _Setup
from matching.solver.sources import ScoreSource
from matching.solver.units import (
    _MIN_SCORE,
    _NONE,
    _NONE16,
    _NONE64,
    _TIES,
    MAX_SCORE,
    SCORE_UNITS,
    BoolArray,
    Int32Array,
    IntArray,
    UnitsArray,
    score_units,
)

# Units below this fit an int32 table with room for prices (see _excess).
_INT32_UNITS = 2**28


class _Table:
    """Exact units of every (free mentee, mentor) pair, ``_NONE`` where not allowed.

    Rows are numbered 0..len(setup.free)-1 ("local"). Kept in memory when it takes at
    most ``cache_bytes`` (int16 when the source's ``max_score`` allows, int32, or int64
    once a score of 2**28 units or more is seen); otherwise each scan asks the source
    again. Every score is checked (:func:`_check_scores`) as it is first read.
    A pair is "usable" when allowed and its mentor has room after the pins.
    """

    def __init__(
        self, setup: _Setup, source: ScoreSource, *, block_rows: int, cache_bytes: int
    ) -> None:
        self.setup = setup
        self.source = source
        self.block_rows = block_rows
        self.nf = len(setup.free)
        self.m = setup.m
        # int16 when the source promises scores of at most 327 points.
        max_score = getattr(source, "max_score", None)
        narrow = max_score is not None and max_score * SCORE_UNITS + 1 < -_NONE16
        self.wide = max_score is not None and max_score * SCORE_UNITS + 1 >= _INT32_UNITS
        dtype = np.int16 if narrow else np.int64 if self.wide else np.int32
        self.cache_bytes = cache_bytes
        self.cache: UnitsArray | None = (
            np.empty((self.nf, self.m), dtype=dtype)
            if self.nf * self.m * np.dtype(dtype).itemsize <= cache_bytes
            else None
        )
        self.has_feasible = np.zeros(self.nf, dtype=np.bool_)
        self._filled = False
        self.top = 0
        self.clock = _Clock()
        # Mentors with room once the pins are placed, when pins fill some.
        self._room = setup.cap_left > 0
        self._pins_fill = bool((self._room != (setup.capacity > 0)).any())
        # The tie-breaking number of pair (i, j) is (row_ties[i] ^ col_ties[j]) % _TIES.
        rng = np.random.default_rng(0x5EED)
        self.row_ties = rng.integers(0, _TIES, self.nf, dtype=np.int32)
        self.col_ties = rng.integers(0, _TIES, self.m, dtype=np.int32)
        # Keys fit an int32 when units do in an int16.
        self.key_dtype = np.int32 if dtype == np.int16 else np.int64

    def ties(self, rows: IntArray, cols: IntArray) -> Int32Array:
        """The tie-breaking numbers of these pairs (local rows)."""
        return self.row_ties[rows] ^ self.col_ties[cols]

    def keys(self, local: IntArray, z: UnitsArray) -> IntArray:
        """Keys of a block of rows (see _TIES): units * _TIES + tie, -1 if not usable."""
        key: IntArray = z.astype(self.key_dtype if z.dtype != np.int64 else np.int64)
        np.multiply(key, _TIES, out=key)
        np.add(key, self.row_ties[local][:, None] ^ self.col_ties[None, :], out=key)
        np.putmask(key, z < 0, -1)
        return key

    def pair_keys(self, rows: IntArray, cols: IntArray) -> IntArray:
        """Keys of single pairs (local rows)."""
        units = self.units(rows, cols)
        return np.where(units >= 0, units * _TIES + self.ties(rows, cols), -1)

    def blocks(self) -> Iterator[tuple[IntArray, UnitsArray]]:
        """(local rows, units) a block of rows at a time: units >= 0 for a usable pair,
        ``_NONE`` (or ``_NONE16`` from an int16 table) for one that is not."""
        for start in range(0, self.nf, self.block_rows):
            local = np.arange(start, min(self.nf, start + self.block_rows), dtype=np.int64)
            yield local, self.rows(local)

    def rows(self, local: IntArray) -> UnitsArray:
        if self._filled and self.cache is not None:
            return self.cache[local]
        rows = self.setup.free[local]
        scores, feasible = self.source.exact_block(rows)
        allowed = _allowed(self.setup, local, feasible)
        if not self._filled:
            self.has_feasible[local] = allowed.any(axis=1)
        if self._pins_fill:
            allowed &= self._room[None, :]
        high = 0.0
        if scores.size:
            low, high = float(scores.min()), float(scores.max())
            if not (low >= _MIN_SCORE and high <= MAX_SCORE):
                scores = _check_scores(scores, allowed, rows)
                high = float(scores.max())
        if not self.wide and high * SCORE_UNITS + 0.5 >= _INT32_UNITS:
            self._widen()
        # score_units with few passes: floor(score * 100 + 0.5), where the cast (which
        # truncates) is the floor, every score being at least -0.005.
        scaled = np.multiply(scores, SCORE_UNITS, dtype=np.float64)
        scaled += 0.5
        np.logical_not(allowed, out=allowed)
        if self.cache is not None and self.cache.dtype == np.int16 and not self._filled:
            # Straight into the int16 table, the sentinel _NONE16 where not usable.
            if high * SCORE_UNITS + 0.5 > np.iinfo(np.int16).max:
                raise ValueError("a score is above the source's max_score")
            narrow = scaled.astype(np.int16)
            np.putmask(narrow, allowed, _NONE16)
            if narrow.size:
                self.top = max(self.top, int(narrow.max()))
            self.cache[local] = narrow
            return narrow
        units = scaled.astype(np.int64 if self.wide else np.int32)
        np.putmask(units, allowed, _NONE64 if self.wide else _NONE)
        if not self._filled and units.size:
            self.top = max(self.top, int(units.max()))
            if self.cache is not None:
                self.cache[local] = units
        return units  # type: ignore[return-value]

    def _widen(self) -> None:
        """Units from now on in int64 (a score of 2**28 units or more has come)."""
        self.wide = True
        if self.cache is None:
            return
        if self.nf * self.m * 8 > self.cache_bytes:
            self.cache = None
            return
        old = self.cache
        sentinel = _NONE16 if old.dtype == np.int16 else _NONE
        self.cache = np.where(old == sentinel, _NONE64, old).astype(np.int64)

    def done(self) -> None:
        """The first scan is over: later ones read the cache (if any)."""
        self._filled = True

    @property
    def filled(self) -> bool:
        """Whether the first scan is over."""
        return self._filled

    def units(self, rows: IntArray, cols: IntArray) -> IntArray:
        """Units of these pairs: < 0 for one not usable only when cached, so without
        a cache every pair asked for must be usable."""
        if self.cache is not None and self._filled:
            return self.cache[rows, cols].astype(np.int64)
        return score_units(self.source.exact(self.setup.free[rows], cols))


def _nonzero(mask: BoolArray) -> tuple[IntArray, IntArray]:
    """np.nonzero of a 2-d mask, through the much faster flat version."""
    flat = np.flatnonzero(mask)
    rows, cols = np.divmod(flat, mask.shape[1])
    return rows, cols


def _select(z: UnitsArray, k: int) -> tuple[IntArray, IntArray]:
    """Up to about k of each row's best usable entries (units >= 0).

    Rather than a partial sort of every row, the threshold is the k-th largest of
    the maxima of 64 column groups, which keeps at least k entries (ties included,
    at most 4k per row).
    """
    if z.dtype == np.int16:
        z = z.astype(np.int32)
    b, m = z.shape
    groups = 64
    if m <= max(4 * k, groups) or 2 * k > groups:
        if m <= k:
            rows, cols = _nonzero(z >= 0)
            return rows.astype(np.int64), cols.astype(np.int64)
        part = np.argpartition(-z, k - 1, axis=1)[:, :k]
        rows = np.repeat(np.arange(b), k)
        cols = part.ravel()
        keep = z[rows, cols] >= 0
        return rows[keep].astype(np.int64), cols[keep].astype(np.int64)
    starts = np.linspace(0, m, groups, endpoint=False).astype(np.int64)
    group_max = np.maximum.reduceat(z, starts, axis=1)
    threshold = np.maximum(np.partition(group_max, groups - k, axis=1)[:, groups - k], 0)
    rows, cols = _nonzero(z >= threshold[:, None])
    counts = np.bincount(rows, minlength=b)
    crowded = np.flatnonzero(counts > 4 * k)
    if len(crowded):
        keep = ~np.isin(rows, crowded)
        part = np.argpartition(-z[crowded], 4 * k - 1, axis=1)[:, : 4 * k]
        rows = np.concatenate([rows[keep], np.repeat(crowded, 4 * k)])
        cols = np.concatenate([cols[keep], part.ravel()])
    return rows.astype(np.int64), cols.astype(np.int64)


class _ColumnBest:
    """Each mentor's best mentees, from the maxima of small groups of rows.

    The first scan hands over each block's keys (``add``, see _TIES); ``pairs`` then
    takes, for each column j, the groups whose maximum reaches the counts[j]-th
    highest group maximum and keeps their entries at that threshold or above: at
    least counts[j] rows (shared groups may add more; ties of units are broken).
    """

    GROUP = 16

    def __init__(self) -> None:
        self.maxima: list[UnitsArray] = []
        self.starts: list[IntArray] = []

    def add(self, local: IntArray, z: UnitsArray) -> None:
        if len(local):
            starts = np.arange(0, len(local), self.GROUP)
            self.maxima.append(np.maximum.reduceat(z, starts, axis=0))
            self.starts.append(local[starts])

    def pairs(self, table: _Table, counts: IntArray, floor: int) -> tuple[IntArray, IntArray]:
        empty = np.zeros(0, dtype=np.int64)
        if not self.maxima or not counts.any():
            return empty, empty
        maxima = np.concatenate(self.maxima)
        first = np.concatenate(self.starts)
        # Blocks come in order, so group g is rows first[g] up to first[g + 1].
        last = np.append(first[1:], table.nf)
        groups, m = maxima.shape
        want = np.minimum(counts, groups)
        k = int(want.max())
        top = -np.sort(-np.partition(maxima, groups - k, axis=0)[groups - k :], axis=0)
        threshold = top[np.maximum(want - 1, 0), np.arange(m)].astype(np.int64)
        threshold = np.maximum(threshold, max(floor, 0) * _TIES)
        threshold[want == 0] = np.iinfo(np.int64).max
        g, cols = _nonzero(maxima >= threshold[None, :])
        lengths = last[g] - first[g]
        offset = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        rows = np.repeat(first[g], lengths) + offset
        cols = np.repeat(cols, lengths)
        keep = table.pair_keys(rows, cols) >= threshold[cols]
        return rows[keep], cols[keep]
