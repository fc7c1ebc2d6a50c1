"""The exact solve of a set of pairs as a min-cost flow (OR-Tools), LAPJV as the fallback."""

from __future__ import annotations

import numpy as np

from matching.solver.core import _core_assign
from matching.solver.units import IntArray

# OR-Tools' cost scaling multiplies costs by about the number of nodes; past this
# product it answers BAD_COST_RANGE, and the LAPJV fallback solves instead.
_FLOW_SAFE = 2**62


def _flow_assign(
    cap: IntArray, rows: IntArray, cols: IntArray, weights: IntArray, beta: int = 0
) -> tuple[IntArray, IntArray]:
    """Maximum weight assignment over these pairs (each mentee at most once, each
    mentor at most ``cap`` times), exactly, in integers.

    A min-cost flow: source to each mentee (capacity 1), mentee to mentor (capacity 1,
    cost -w), mentor to sink (its capacity), and source to sink directly (a mentee
    left unmatched). Pairs worth nothing or less are left out (a mentee there is as
    well off unmatched). With ``beta`` > 0 (coverage: every weight is units plus
    beta, more than any difference in total) that is the most pairs, then the
    highest total: a maximum flow of least cost, with costs of units alone (and no
    arc for unmatched), which is the same optimum with far smaller costs.
    OR-Tools' cost-scaling push-relabel solves it in integers;
    when it can not (costs out of its range, or OR-Tools missing), scipy's LAPJV
    over capacity slots does.
    """
    empty = np.zeros(0, dtype=np.int64)
    keep = (weights > 0) & (cap[cols] > 0)
    rows, cols, weights = rows[keep], cols[keep], weights[keep]
    if not len(rows):
        return empty, empty
    people, person = _compact(rows)
    mentors, mentor = _compact(cols)
    k, s = len(people), len(mentors)
    if (int(weights.max()) - beta) * (k + s + 3) < _FLOW_SAFE:
        chosen = _min_cost_flow(k, cap[mentors], person, mentor, weights - beta, beta > 0)
        if chosen is not None:
            return people[person[chosen]], mentors[mentor[chosen]]
    u = np.zeros(int(rows.max()) + 1, dtype=np.int64)
    np.maximum.at(u, rows, weights)
    return _core_assign(cap, rows, cols, weights, u, np.zeros(len(cap), dtype=np.int64))


def _min_cost_flow(
    k: int, cap: IntArray, person: IntArray, mentor: IntArray, weights: IntArray, most: bool
) -> IntArray | None:
    """Indices of the chosen pairs, sorted by person; None if OR-Tools gave up (or
    is not installed: it is a dependency, but a stale environment only gets slower)."""
    try:
        # Imported here: OR-Tools takes a while to load and only the solver needs it.
        from ortools.graph.python import min_cost_flow
    except ImportError:
        return None

    s = len(cap)
    source, sink = k + s, k + s + 1
    edges = len(person)
    # The last arc, source to sink, leaves a mentee unmatched (only for "total").
    bypass = 0 if most else 1
    tails = np.concatenate([np.full(k, source), person, k + np.arange(s), [source] * bypass])
    heads = np.concatenate([np.arange(k), k + mentor, np.full(s, sink), [sink] * bypass])
    capacities = np.concatenate(
        [np.ones(k + edges, dtype=np.int64), cap.astype(np.int64), np.full(bypass, k)]
    )
    costs = np.concatenate(
        [np.zeros(k, dtype=np.int64), -weights, np.zeros(s + bypass, dtype=np.int64)]
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    flow.set_nodes_supplies(np.array([source, sink]), np.array([k, -k]))
    status = flow.solve_max_flow_with_min_cost() if most else flow.solve()
    if status != flow.OPTIMAL:
        return None
    used = flow.flows(np.arange(k, k + edges)) > 0
    chosen = np.flatnonzero(used)
    return chosen[np.argsort(person[chosen], kind="stable")]


def _compact(values: IntArray) -> tuple[IntArray, IntArray]:
    """np.unique(values, return_inverse=True) of small integers >= 0, in linear time."""
    present = np.zeros(int(values.max()) + 1, dtype=np.bool_)
    present[values] = True
    distinct = np.flatnonzero(present)
    number = np.zeros(len(present), dtype=np.int64)
    number[distinct] = np.arange(len(distinct))
    return distinct, number[values]
