"""The epsilon-scaling auction that finds the mentor prices the exact solve starts from."""

from __future__ import annotations

import numpy as np

from matching.solver.units import IntArray

# Weights and prices are int64; these stay far from overflow whatever is added.
_NEG = -(2**62)
_HUGE = 2**61
# Auction states of a person.
_ACTIVE, _HELD, _OUT = 0, 1, 2


class _Auction:
    """Epsilon-scaling forward/reverse auction: each person takes a slot, or none.

    Persons bid, all unassigned ones at once (Jacobi), for the cheapest slot of the
    mentor that gives them the most value (weight minus price); each mentor's slots
    carry their own prices. Slots left empty with a positive price bid back for
    persons (the reverse auction) so that every empty slot ends at price 0, as the
    duals of a mentor with room must be. Between phases only the persons who break
    the tighter epsilon-complementary slackness bid again.

    It finds prices for the exact solve, which does not depend on them being exact:
    good prices only make the exact core small.
    """

    def __init__(self, n: int, cap: IntArray) -> None:
        self.n = n
        self.cap = cap
        self.m = len(cap)
        cmax = max(int(cap.max()) if len(cap) else 1, 1)
        self.cmax = cmax
        slot_exists = np.arange(cmax)[None, :] < cap[:, None]
        self.price = np.where(slot_exists, 0, _HUGE).astype(np.int64)
        self.holder = np.full((self.m, cmax), -1, dtype=np.int64)
        self.p1 = np.zeros(self.m, dtype=np.int64)
        self.p2 = np.full(self.m, _HUGE, dtype=np.int64)
        self.s1 = np.zeros(self.m, dtype=np.int64)
        self.s2 = np.zeros(self.m, dtype=np.int64)
        self._refresh(np.arange(self.m))
        self.state = np.zeros(n, dtype=np.int8)
        self.at_j = np.full(n, -1, dtype=np.int64)
        self.at_s = np.full(n, -1, dtype=np.int64)
        self.profit = np.zeros(n, dtype=np.int64)
        self.cols = np.zeros((n, 0), dtype=np.int64)
        self.w = np.zeros((n, 0), dtype=np.int64)
        self.rounds = 0
        # Rounds one run or repair may take: the auction only warms the exact solves
        # up, so stopping early (persons still bidding stay out) changes no answer.
        self.budget = 4 * n + 256
        self._adjacent: tuple[IntArray, IntArray, IntArray] | None = None

    def _refresh(self, mentors: IntArray) -> None:
        """Cheapest slot (s1, p1) and second cheapest (s2, p2) of these mentors (a
        mentor may come more than once)."""
        if not len(mentors):
            return
        sub = self.price[mentors]
        if self.cmax >= 2:
            two = np.argpartition(sub, 1, axis=1)[:, :2]
            r = np.arange(len(mentors))
            self.s1[mentors] = two[:, 0]
            self.s2[mentors] = two[:, 1]
            self.p1[mentors] = sub[r, two[:, 0]]
            self.p2[mentors] = sub[r, two[:, 1]]
        else:
            self.s1[mentors] = 0
            self.p1[mentors] = sub[:, 0]

    def edges_add(self, rows: IntArray, cols: IntArray, weights: IntArray) -> None:
        """Add candidate edges (none may be there already)."""
        if not len(rows):
            return
        order = np.lexsort((cols, rows))
        rows, cols, weights = rows[order], cols[order], weights[order]
        counts = np.bincount(rows, minlength=self.n)
        filled = (self.w > _NEG // 2).sum(axis=1) if self.w.shape[1] else np.zeros(self.n, int)
        width = int((filled + counts).max())
        if width > self.w.shape[1]:
            grow = width - self.w.shape[1]
            self.w = np.hstack([self.w, np.full((self.n, grow), _NEG, dtype=np.int64)])
            self.cols = np.hstack([self.cols, np.zeros((self.n, grow), dtype=np.int64)])
        position = (
            filled[rows] + np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
        )
        self.w[rows, position] = weights
        self.cols[rows, position] = cols
        self._adjacent = None

    def run(self, eps: int) -> None:
        """Forward auction until every person holds a slot or is out."""
        active = np.flatnonzero(self.state == _ACTIVE)
        width = self.w.shape[1]
        if width == 0:
            self.state[active] = _OUT
            return
        for _ in range(self.budget):
            if not len(active):
                return
            self.rounds += 1
            cols = self.cols[active]
            w = self.w[active]
            values = w - self.p1[cols]
            r = np.arange(len(active))
            best = values.argmax(axis=1)
            b1 = values[r, best]
            j1 = cols[r, best]
            w1 = w[r, best]
            # The next slot of the same mentor is an alternative, and so is staying
            # out (worth 0).
            b2 = np.maximum(w1 - self.p2[j1], 0)
            if width > 1:
                values[r, best] = _NEG * 2
                b2 = np.maximum(b2, values.max(axis=1))
            bidding = b1 > 0
            out = active[~bidding]
            self.state[out] = _OUT
            self.profit[out] = 0
            persons = active[bidding]
            if not len(persons):
                return
            mentors = j1[bidding]
            weights = w1[bidding]
            bids = weights - b2[bidding] + eps
            # Each mentor takes its highest bids (ties: the lowest person number), the
            # r-th highest for its r-th cheapest slot while the bid beats that slot's
            # price. Every bid beats the two cheapest (b2 counts the second), so a
            # mentor takes at least one; the others bid again.
            order = np.lexsort((persons, -bids, mentors))
            sorted_mentors = mentors[order]
            first = np.ones(len(order), dtype=np.bool_)
            first[1:] = sorted_mentors[1:] != sorted_mentors[:-1]
            starts = np.flatnonzero(first)
            rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.append(starts, len(order))))
            ranked = rank < self.cmax
            cand = order[ranked]
            cj = mentors[cand]
            rank = rank[ranked]
            slot = np.where(rank == 0, self.s1[cj], self.s2[cj])
            more = np.flatnonzero(rank >= 2)
            if len(more):
                by_price = np.argsort(self.price[cj[more]], axis=1, kind="stable")
                slot[more] = by_price[np.arange(len(more)), rank[more]]
            accept = bids[cand] > self.price[cj, slot]
            win = cand[accept]
            wj, wp, wbid, slot = mentors[win], persons[win], bids[win], slot[accept]
            old = self.holder[wj, slot]
            evicted = old[old >= 0]
            self.state[evicted] = _ACTIVE
            self.holder[wj, slot] = wp
            self.price[wj, slot] = wbid
            self.state[wp] = _HELD
            self.at_j[wp] = wj
            self.at_s[wp] = slot
            self.profit[wp] = weights[win] - wbid
            self._refresh(wj)
            lost = np.ones(len(persons), dtype=np.bool_)
            lost[win] = False
            active = np.concatenate([persons[lost], evicted])

    def _adjacency(self) -> tuple[IntArray, IntArray, IntArray]:
        """Candidate edges by mentor: (indptr, person, weight)."""
        if self._adjacent is None:
            width = max(self.w.shape[1], 1)
            flat_w = self.w.ravel()
            valid = np.flatnonzero(flat_w > _NEG // 2)
            mentor = self.cols.ravel()[valid]
            order = np.argsort(mentor, kind="stable")
            indptr = np.zeros(self.m + 1, dtype=np.int64)
            np.cumsum(np.bincount(mentor, minlength=self.m), out=indptr[1:])
            self._adjacent = (indptr, (valid // width)[order], flat_w[valid][order])
        return self._adjacent

    def repair(self, eps: int) -> None:
        """Reverse auction: slots left empty with a positive price bid for persons.

        Each round, one empty slot per mentor offers itself to the person who gains
        most, at the second best offer minus eps (never below 0); a person offered
        several takes the most profitable, and may leave another slot empty. A slot
        nobody gains from drops to 0. Every move raises the mover's profit by at
        least 1, so this ends. Best and second best offers are segment maxima
        (``reduceat``) over each mentor's candidates, ties to the lowest person.
        """
        indptr, person, weight = self._adjacency()
        n = self.n
        # Only mentors with an empty slot last round, or that a mover left, can have
        # one now.
        watch = np.arange(self.m)
        watched = np.zeros(self.m, dtype=np.bool_)
        for _ in range(self.budget):
            holder, price = self.holder[watch], self.price[watch]
            empty_j, empty_s = np.nonzero((holder < 0) & (price > 0) & (price < _HUGE))
            if not len(empty_j):
                return
            self.rounds += 1
            first = np.ones(len(empty_j), dtype=np.bool_)
            first[1:] = empty_j[1:] != empty_j[:-1]
            js, ss = watch[empty_j[first]], empty_s[first]
            degree = indptr[js + 1] - indptr[js]
            b1 = np.full(len(js), _NEG, dtype=np.int64)
            b2 = np.full(len(js), _NEG, dtype=np.int64)
            best = np.zeros(len(js), dtype=np.int64)
            has = degree > 0
            if has.any():
                jh, dh = js[has], degree[has]
                seg_start = np.cumsum(dh) - dh
                segment = np.repeat(np.arange(len(jh)), dh)
                pos = indptr[jh][segment] + np.arange(len(segment)) - seg_start[segment]
                who = person[pos]
                beta = weight[pos] - self.profit[who]
                # One key per entry: the highest beta, then the lowest person.
                key = beta * (n + 1) + (n - who)
                top = np.flatnonzero(key == np.maximum.reduceat(key, seg_start)[segment])
                b1[has] = beta[top]
                best[has] = pos[top]
                beta[top] = _NEG
                b2[has] = np.maximum.reduceat(beta, seg_start)
            drop = b1 <= 0
            if drop.any():
                self.price[js[drop], ss[drop]] = 0
                self._refresh(js[drop])
            offer = ~drop
            if not offer.any():
                watch = js
                continue
            oj, os_, at = js[offer], ss[offer], best[offer]
            target = person[at]
            new_price = np.maximum(b2[offer] - eps, 0)
            gain = weight[at] - new_price
            pick = np.lexsort((oj, -gain, target))
            sorted_target = target[pick]
            keep = np.ones(len(pick), dtype=np.bool_)
            keep[1:] = sorted_target[1:] != sorted_target[:-1]
            take = pick[keep]
            movers, to_j, to_s = target[take], oj[take], os_[take]
            was_held = self.state[movers] == _HELD
            from_j = self.at_j[movers[was_held]]
            self.holder[from_j, self.at_s[movers[was_held]]] = -1
            self.holder[to_j, to_s] = movers
            self.price[to_j, to_s] = new_price[take]
            self.state[movers] = _HELD
            self.at_j[movers] = to_j
            self.at_s[movers] = to_s
            self.profit[movers] = gain[take]
            self._refresh(np.concatenate([from_j, to_j]))
            watched[js] = True
            watched[from_j] = True
            watch = np.flatnonzero(watched)
            watched[watch] = False

    def prices(self, resolution: int) -> IntArray:
        """Mentor prices in units: the cheapest slot's, 0 for a mentor without room."""
        return np.where(self.cap > 0, self.p1 // resolution, 0).astype(np.int64)

    def phases(self, eps: int, theta: int, eps_last: int) -> None:
        """Forward and reverse auction at epsilon eps_last * theta**k (the first at
        least ``eps``), then divided by theta each phase down to eps_last."""
        steps = 0
        while eps_last * theta**steps < eps:
            steps += 1
        for k in range(steps, -1, -1):
            eps = eps_last * theta**k
            if k < steps:
                self.release(self.violators(eps))
            self.run(eps)
            self.repair(eps)

    def violators(self, eps: int) -> IntArray:
        """Persons who would gain more than eps by moving (or by coming in)."""
        if not self.w.shape[1]:
            return np.zeros(0, dtype=np.int64)
        best = np.maximum((self.w - self.p1[self.cols]).max(axis=1), 0)
        return np.flatnonzero((self.state != _ACTIVE) & (best - self.profit > eps))

    def release(self, persons: IntArray) -> None:
        held = persons[self.state[persons] == _HELD]
        mentors = self.at_j[held]
        self.holder[mentors, self.at_s[held]] = -1
        self.state[persons] = _ACTIVE
        self.profit[persons] = 0
        self._refresh(np.unique(mentors))
