"""The exact solve of a set of pairs: scipy's sparse LAPJV over capacity slots."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from matching.solver.units import IntArray


def _core_assign(
    cap: IntArray, rows: IntArray, cols: IntArray, weights: IntArray, u: IntArray, v: IntArray
) -> tuple[IntArray, IntArray]:
    """Maximum weight assignment over these pairs, exactly (sparse LAPJV over slots).

    A square problem: rows are the mentees of these pairs and one "keeper" per
    capacity slot, columns the slots and one "not matched" column per mentee. A
    mentee takes a slot or its not-matched column; a slot's keeper takes the slot
    (left empty) or, when mentee i took it, i's not-matched column (an edge per
    mentee-slot edge). Every assignment is one perfect matching and back, so
    shifting a row or a column by a constant changes nothing: the costs are the
    reduced costs (u_i + v_j - w_ij, u_i, v_j, 0) of dual prices, which LAPJV
    solves fast when the prices are good. ``u`` and ``v`` must be >= 0 and
    u_i + v_j >= w_ij on every pair given. Every cost is one more than that, since
    the solver treats stored zeros as missing edges.
    """
    empty = np.zeros(0, dtype=np.int64)
    if not len(rows):
        return empty, empty
    people, person = np.unique(rows, return_inverse=True)
    slot_start = np.cumsum(cap) - cap
    copies = cap[cols]
    edge = np.repeat(np.arange(len(rows)), copies)
    offset = np.arange(len(edge)) - np.repeat(np.cumsum(copies) - copies, copies)
    slots, slot = np.unique(slot_start[cols[edge]] + offset, return_inverse=True)
    slot_mentor = np.repeat(np.arange(len(cap)), cap)[slots]
    k, s = len(people), len(slots)
    reduced = u[rows[edge]] + v[cols[edge]] - weights[edge]
    matrix = sp.csr_matrix(
        (
            np.concatenate(
                [reduced, u[people], v[slot_mentor], np.zeros(len(edge), dtype=np.int64)]
            ).astype(np.float64)
            + 1.0,
            (
                np.concatenate([person[edge], np.arange(k), k + np.arange(s), k + slot]),
                np.concatenate([slot, s + np.arange(k), np.arange(s), s + person[edge]]),
            ),
        ),
        shape=(k + s, s + k),
    )
    r, c = min_weight_full_bipartite_matching(matrix)
    matched = (r < k) & (c < s)
    order = np.argsort(r[matched], kind="stable")
    return (
        people[r[matched][order]].astype(np.int64),
        slot_mentor[c[matched][order]].astype(np.int64),
    )
