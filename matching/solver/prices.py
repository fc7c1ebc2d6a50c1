"""The highest mentor prices that prove an assignment optimal (Bellman-Ford)."""

from __future__ import annotations

import numpy as np

from matching.solver.units import IntArray


def _max_prices(
    n: int,
    cap: IntArray,
    rows: IntArray,
    cols: IntArray,
    weights: IntArray,
    chosen_rows: IntArray,
    chosen_cols: IntArray,
    max_steps: int | None = None,
) -> tuple[IntArray, bool]:
    """The highest mentor prices v >= 0 that prove ``chosen`` optimal over the pairs.

    With u_i = w_i,a(i) - v_a(i) for a matched mentee (0 otherwise), (u, v) must be
    dual feasible on the pairs and complementary to the assignment:

    - matched i at j, pair (i, k): w_ij - v_j >= w_ik - v_k, so v_j <= v_k + w_ij - w_ik;
    - matched i at j: v_j <= w_ij (u_i >= 0);
    - unmatched i, pair (i, k): v_k >= w_ik;
    - a mentor with room: v_j = 0; every mentor: v_j >= 0.

    These are difference constraints: with a node Z for 0, the largest solution is
    the shortest path distance from Z (Bellman-Ford). Returns the prices and whether
    they settled: a negative cycle means the assignment is not optimal over the
    pairs, and the distances may also not have settled after ``max_steps`` rounds;
    then the prices are only a guess (still >= 0), good to warm an exact solve.
    """
    m = len(cap)
    at = np.full(n, -1, dtype=np.int64)
    at[chosen_rows] = chosen_cols
    mine = at[rows]
    # Each chosen pair is one of the pairs (they are distinct).
    held = cols == mine
    held_weight = np.zeros(n, dtype=np.int64)
    held_weight[rows[held]] = weights[held]
    load = np.bincount(chosen_cols, minlength=m)
    zero = m
    other = (mine >= 0) & (cols != mine)
    free_pair = mine < 0
    room = np.flatnonzero((load < cap) & (cap > 0))
    mentors = np.flatnonzero(cap > 0)
    src = np.concatenate(
        [
            cols[other],
            np.full(len(chosen_rows), zero),
            cols[free_pair],
            np.full(len(room), zero),
            mentors,
        ]
    )
    dst = np.concatenate(
        [
            mine[other],
            chosen_cols,
            np.full(int(free_pair.sum()), zero),
            room,
            np.full(len(mentors), zero),
        ]
    )
    cost = np.concatenate(
        [
            held_weight[rows[other]] - weights[other],
            held_weight[chosen_rows],
            -weights[free_pair],
            np.zeros(len(room), dtype=np.int64),
            np.zeros(len(mentors), dtype=np.int64),
        ]
    )
    if not len(src):
        return np.zeros(m, dtype=np.int64), True
    # Edges grouped by source (a stable sort of small integers is a radix sort).
    order = np.argsort(src.astype(np.int16) if m < 2**15 - 1 else src, kind="stable")
    dst, cost = dst[order], cost[order]
    out_start = np.zeros(m + 2, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=m + 1), out=out_start[1:])
    unreached = np.iinfo(np.int64).max // 4
    dist = np.full(m + 1, unreached, dtype=np.int64)
    dist[zero] = 0
    settled = False
    # Rounds relax only the edges out of the nodes whose distance fell in the last
    # one (a node's distance after round k is at most its shortest path of k edges,
    # so without a negative cycle it settles within m + 1 rounds).
    active = np.array([zero], dtype=np.int64)
    for _ in range(m + 2 if max_steps is None else min(max_steps, m + 2)):
        counts = out_start[active + 1] - out_start[active]
        total = int(counts.sum())
        ends = np.cumsum(counts)
        edge = np.arange(total) + np.repeat(out_start[active] - (ends - counts), counts)
        reach = np.repeat(dist[active], counts) + cost[edge]
        to = dst[edge]
        better = reach < dist[to]
        if not better.any():
            settled = True
            break
        to = to[better]
        np.minimum.at(dist, to, reach[better])
        active = np.unique(to)
        if dist[zero] < 0:
            break
    usable = (cap > 0) & (dist[:m] < unreached // 2)
    return np.where(usable, np.maximum(dist[:m], 0), 0).astype(np.int64), settled
