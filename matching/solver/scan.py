"""Scans of every usable pair at given prices: dual bounds, missing pairs, the core."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.solver.table import _nonzero, _select, _Table
from matching.solver.units import (
    _BOUND,
    _BOUND16,
    _BOUND64,
    _NONE,
    _NONE16,
    _NONE64,
    _TIES,
    IntArray,
    UnitsArray,
)


def _shift(v: IntArray, beta: int) -> npt.NDArray[np.int32] | IntArray:
    """``v - beta`` in the narrowest type the scans can use (w_ij - v_j = z - shift)."""
    shift = v - beta
    if len(shift) and (shift.min() <= -_BOUND or shift.max() >= _BOUND):
        return shift
    return shift.astype(np.int32)


def _excess(
    z: UnitsArray, shift: npt.NDArray[np.int32] | IntArray, floor: int
) -> tuple[npt.NDArray[np.int32] | IntArray, int]:
    """w_ij - v_j for a block of units, and a bound ``low``: pairs usable (and at the
    floor or above) have w_ij - v_j > low, the others at most low.

    The sentinel of pairs not usable makes the bound hold by itself when the shifts
    are small; otherwise those pairs are masked to the lowest value.
    """
    x = z - shift[None, :]
    if z.dtype == np.int16:
        bound, sentinel = _BOUND16, _NONE16
    elif z.dtype == np.int64:
        bound, sentinel = _BOUND64, _NONE64
    else:
        bound, sentinel = _BOUND, _NONE
    small = len(shift) == 0 or (int(shift.min()) > sentinel + bound and int(shift.max()) < bound)
    if floor <= 0 and small:
        return x, -bound
    lowest = int(np.iinfo(x.dtype).min)
    np.putmask(x, z < max(floor, 0), lowest)
    return x, lowest


@dataclass
class _Scan:
    """One pass over every usable pair at prices v (see :func:`_scan`)."""

    u: IntArray
    found_rows: IntArray
    found_cols: IntArray
    near_rows: IntArray
    near_cols: IntArray
    near_weights: IntArray
    # False when the nearly tight pairs were too many to keep every one.
    near_complete: bool = True


def _scan(
    table: _Table,
    v: IntArray,
    beta: int,
    floor: int,
    u_known: IntArray,
    add_per_row: int,
    near: int | None = None,
    near_budget: int | None = None,
) -> _Scan:
    """u_i = max(0, max_j w_ij - v_j) over every usable pair, and the pairs above u.

    Also gives, for each row, up to ``add_per_row`` pairs whose w_ij - v_j exceeds
    ``u_known`` (the row's best among the pairs already known), best first: the
    pairs the candidates are missing. With ``near``, also every pair with
    w_ij - v_j >= u_known_i - near: since u_i >= u_known_i, these include every
    pair whose reduced cost u_i + v_j - w_ij is at most ``near``, and none once
    more than ``near_budget`` have come (``near_complete`` is then False).
    """
    u = np.zeros(table.nf, dtype=np.int64)
    near_count = 0
    complete = True
    found_r: list[IntArray] = []
    found_c: list[IntArray] = []
    near_r: list[IntArray] = []
    near_c: list[IntArray] = []
    near_w: list[IntArray] = []
    shift = _shift(v, beta)
    for local, z in table.blocks():
        x, low = _excess(z, shift, floor)
        known = u_known[local]
        if x.shape[1]:
            u[local] = np.maximum(x.max(axis=1), 0)
        # Once too many have come, none are kept: stop looking.
        if near is not None and complete:
            need = np.maximum(known - near, low + 1)
            r, c = _nonzero(x >= _narrow(need, x.dtype)[:, None])
            near_count += len(r)
            if near_budget is not None and near_count > near_budget:
                complete = False
            if complete:
                near_r.append(local[r])
                near_c.append(c.astype(np.int64))
                near_w.append(z[r, c].astype(np.int64) + beta)
        r, c = _row_best(table, local, x, known + 1, add_per_row)
        found_r.append(local[r])
        found_c.append(c.astype(np.int64))
    if not complete:
        near_r, near_c, near_w = [], [], []
    return _Scan(
        u, _cat(found_r), _cat(found_c), _cat(near_r), _cat(near_c), _cat(near_w), complete
    )


def _row_best(
    table: _Table,
    local: IntArray,
    x: npt.NDArray[np.int32] | IntArray,
    need: IntArray,
    k: int,
) -> tuple[IntArray, IntArray]:
    """Entries of a block with x >= need (per row): every one in a row that has at
    most k, otherwise about that row's k highest x (ties broken, see _TIES; k to
    4k of them, see _select)."""
    r, c = _nonzero(x >= _narrow(need, x.dtype)[:, None])
    counts = np.bincount(r, minlength=len(local))
    crowded = np.flatnonzero(counts > k)
    if not len(crowded):
        return r, c
    keep = counts[r] <= k
    y = x[crowded].astype(np.int64)
    y -= need[crowded][:, None]
    below = y < 0
    y *= _TIES
    y += table.row_ties[local[crowded]][:, None] ^ table.col_ties[None, :]
    np.putmask(y, below, -1)
    best_rows, best_cols = _select(y, k)
    return (
        np.concatenate([r[keep], crowded[best_rows]]),
        np.concatenate([c[keep], best_cols]),
    )


def _narrow(values: IntArray, dtype: np.dtype[np.signedinteger]) -> npt.NDArray[np.signedinteger]:
    """``values`` in ``dtype`` when they fit (comparisons then stay in that type)."""
    info = np.iinfo(dtype)
    if len(values) and (int(values.min()) < info.min or int(values.max()) > info.max):
        return values
    return values.astype(dtype)


def _cat(parts: list[IntArray]) -> IntArray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _scan_core(
    table: _Table, u: IntArray, v: IntArray, beta: int, floor: int, gap: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Every usable pair whose reduced cost u_i + v_j - w_ij is at most ``gap``."""
    out_rows, out_cols, out_weights = [], [], []
    shift = _shift(v, beta)
    for local, z in table.blocks():
        x, _low = _excess(z, shift, floor)
        need = (u[local] - gap)[:, None]
        r, c = _nonzero((x.astype(np.int64, copy=False) >= need) & (z >= max(floor, 0)))
        out_rows.append(local[r])
        out_cols.append(c.astype(np.int64))
        out_weights.append(z[r, c].astype(np.int64) + beta)
    return _cat(out_rows), _cat(out_cols), _cat(out_weights)
