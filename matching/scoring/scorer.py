"""The :class:`Scorer`: scores, hard rules and explanations of the pairs of a population."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from matching import themes
from matching.scoring.criteria import (
    BASELINE,
    RULE_NO_SHARED_LANGUAGE,
    RULE_REPORTING_LINE,
    RULE_SAME_DEPARTMENT,
    RULE_SAME_PERSON,
    Criterion,
    Kind,
    Rules,
)
from matching.scoring.features import (
    _bit_masks,
    _Features,
    _hours_apart,
    _hstack,
    _one_hot,
    _one_hot_csr,
    _pair_dots,
    _row_codes,
    _shares,
    _TextFeatures,
)
from matching.scoring.people import BoolArray, FloatArray, IntArray, People, Population
from matching.scoring.results import Explanation, PairScores, Part, points_round, score_display


class Scorer:
    """Scores of the pairs of one population under one set of criteria and rules.

    Construction does all the per-person work (features, reporting lines); every
    method after that is vectorised over pairs or over rows of the score matrix.
    Mentee and mentor arguments are row numbers in ``population.mentees`` and
    ``population.mentors``.
    """

    def __init__(
        self,
        population: Population,
        criteria: Sequence[Criterion],
        rules: Rules | None = None,
    ) -> None:
        self.population = population
        self.criteria: tuple[Criterion, ...] = tuple(criteria)
        self.rules = rules or Rules()
        self._check()
        self._vectors_cache: dict[tuple[str, str], themes.TextVectors] = {}
        mentees, mentors = population.mentees, population.mentors
        self.n_mentees = len(mentees)
        self.n_mentors = len(mentors)
        # The highest score any pair can have (the solver keeps scores narrower).
        self.max_score = 100.0
        self.keys: tuple[str, ...] = tuple(c.key for c in self.criteria)
        weight_sum = sum(c.weight for c in self.criteria if not c.mandatory)
        self.points = np.array(
            [
                0.0 if c.mandatory or weight_sum <= 0 else 100.0 * c.weight / weight_sum
                for c in self.criteria
            ],
            dtype=np.float64,
        )
        self.baseline = float(
            sum(p for c, p in zip(self.criteria, self.points, strict=True) if c.is_penalty)
        )

        # Scoring features: one block of columns per criterion with points, the
        # points folded into y (negative for the penalty).
        xs, ys, owners = [], [], []
        for n, criterion in enumerate(self.criteria):
            if criterion.mandatory or self.points[n] == 0 or criterion.kind == Kind.THEMES:
                continue
            feats = self._features(criterion, scale=float(self.points[n]), indicator=False)
            if not feats.x.shape[1]:
                continue
            xs.append(feats.x)
            ys.append(feats.y)
            owners.append(np.full(feats.x.shape[1], n, dtype=np.int64))
        # Themes criteria stay sparse on both sides and are added after the others.
        self._texts: list[tuple[int, _TextFeatures]] = []
        for n, criterion in enumerate(self.criteria):
            if criterion.kind == Kind.THEMES and not criterion.mandatory and self.points[n] > 0:
                self._texts.append(
                    (n, _TextFeatures.build(self._vectors(criterion), self.points[n]))
                )
        self._x = _hstack(xs, self.n_mentees)
        self._x.sort_indices()
        self._y = np.ascontiguousarray(np.vstack(ys) if ys else np.zeros((0, self.n_mentors)))
        self._owner = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)

        # Hard rules as indicator features: a pair passes a requirement when x.y > 0
        # and breaks a prohibition when x.y > 0.
        self._requires: list[tuple[str, _Features]] = []
        self._text_requires: list[tuple[str, _TextFeatures]] = []
        for criterion in self.criteria:
            if criterion.mandatory and criterion.kind == Kind.THEMES:
                required = _TextFeatures.build(self._vectors(criterion), 1.0)
                self._text_requires.append((f"mandatory:{criterion.key}", required))
            elif criterion.mandatory:
                feats = self._features(criterion, scale=1.0, indicator=True)
                self._requires.append((f"mandatory:{criterion.key}", feats))
        if self.rules.shared_language:
            language = Criterion(
                key=RULE_NO_SHARED_LANGUAGE, kind=Kind.SIMILAR, field=self.rules.language_field
            )
            feats = self._features(language, scale=1.0, indicator=True)
            self._requires.append((RULE_NO_SHARED_LANGUAGE, feats))
        self._forbid_department: _Features | None = None
        if self.rules.same_department:
            same = Criterion(
                key=RULE_SAME_DEPARTMENT,
                kind=Kind.SAME_OR_DIFFERENT,
                field=self.rules.department_field,
            )
            self._forbid_department = self._features(same, scale=1.0, indicator=True)
        self._forbidden = self._forbidden_pairs()
        # The same tests as bit masks, for whole blocks (None: too many features).
        self._requires_masks = [_bit_masks(feats) for _name, feats in self._requires]
        self._forbid_department_masks = (
            None if self._forbid_department is None else _bit_masks(self._forbid_department)
        )

    # -- construction ------------------------------------------------------

    def _check(self) -> None:
        keys = [c.key for c in self.criteria]
        if len(set(keys)) != len(keys):
            raise ValueError("criterion keys must be unique")
        if BASELINE in keys:
            raise ValueError(f"{BASELINE!r} is reserved")
        mentees, mentors = self.population.mentees, self.population.mentors
        for c in self.criteria:
            if not c.weight >= 0 or not math.isfinite(c.weight):
                raise ValueError(f"{c.key}: the weight must be a number >= 0")
            if c.kind == Kind.SIMILAR:
                self._need_set(c.field, mentees, mentors)
            elif c.kind == Kind.COMPLEMENTARY:
                self._need_set(c.field, mentees, None)
                self._need_set(c.mentor_field, None, mentors)
            elif c.kind == Kind.SAME_OR_DIFFERENT:
                for people in (mentees, mentors):
                    if c.field not in people.categories:
                        raise ValueError(f"{c.key}: no categorical field {c.field!r}")
            elif c.kind == Kind.THEMES:
                for people, name in ((mentees, c.field), (mentors, c.mentor_field or c.field)):
                    if name not in people.texts:
                        raise ValueError(f"{c.key}: no text field {name!r}")
            elif c.kind == Kind.TIME_ZONE and not c.max_hours > 0:
                raise ValueError(f"{c.key}: max_hours must be > 0")
        if self.rules.shared_language:
            self._need_set(self.rules.language_field, mentees, mentors)
        if self.rules.same_department:
            for people in (mentees, mentors):
                if self.rules.department_field not in people.categories:
                    raise ValueError(f"no categorical field {self.rules.department_field!r}")

    @staticmethod
    def _need_set(name: str, mentees: People | None, mentors: People | None) -> None:
        for people in (mentees, mentors):
            if people is not None and name not in people.sets:
                raise ValueError(f"no set field {name!r}")

    def _vectors(self, c: Criterion) -> themes.TextVectors:
        """The tf-idf vectors of a themes criterion, fitted once per pair of fields."""
        fields = (c.field, c.mentor_field or c.field)
        found = self._vectors_cache.get(fields)
        if found is None:
            found = self._vectors_cache[fields] = themes.texts_vectorise(
                self.population.mentees.texts[fields[0]],
                self.population.mentors.texts[fields[1]],
            )
        return found

    def _features(self, c: Criterion, *, scale: float, indicator: bool) -> _Features:
        mentees, mentors = self.population.mentees, self.population.mentors
        m = self.n_mentors
        if c.kind in (Kind.SIMILAR, Kind.COMPLEMENTARY):
            a = mentees.sets[c.field]
            b = mentors.sets[c.mentor_field if c.kind == Kind.COMPLEMENTARY else c.field]
            # Only labels both sides use can ever be shared.
            used = np.intersect1d(np.unique(a.indices), np.unique(b.indices))
            a_used = a[:, used].tocsr()
            b_used = b[:, used].toarray().T  # (labels, mentors)
            if indicator:
                return _Features(a_used.astype(np.float64), b_used.astype(np.float64))
            a_sizes = np.diff(a.indptr).astype(np.float64)
            b_sizes = np.diff(b.indptr).astype(np.float64)
            if c.kind == Kind.SIMILAR and c.measure == "cosine":
                a_norm = 1.0 / np.sqrt(np.maximum(a_sizes, 1.0))
                b_norm = 1.0 / np.sqrt(np.maximum(b_sizes, 1.0))
            else:
                a_norm = 1.0 / np.maximum(a_sizes, 1.0)
                b_norm = np.ones(m)
            x = sp.diags(a_norm) @ a_used
            y = b_used * (b_norm * scale)[None, :]
            return _Features(sp.csr_matrix(x), y)
        if c.kind == Kind.SENIORITY_GAP:
            values = mentees.seniority
            theirs = mentors.seniority
            levels = np.unique(values[values > 0])
            x = _one_hot(values, levels)
            ok = (theirs[None, :] > 0) & (theirs[None, :] - levels[:, None] >= c.min_gap)
            return _Features(x, np.where(ok, scale, 0.0))
        if c.kind == Kind.SAME_OR_DIFFERENT:
            values = mentees.categories[c.field]
            theirs = mentors.categories[c.field]
            codes = np.unique(values[values >= 0])
            x = _one_hot(values, codes)
            same = theirs[None, :] == codes[:, None]
            ok = (theirs[None, :] >= 0) & (same if c.prefer == "same" else ~same)
            return _Features(x, np.where(ok, scale, 0.0))
        if c.kind == Kind.TIME_ZONE:
            offsets = mentees.utc_offset
            known = ~np.isnan(offsets)
            zones = np.unique(offsets[known])
            x = _one_hot(np.where(known, offsets, np.inf), zones)
            hours = _hours_apart(zones[:, None], mentors.utc_offset[None, :])
            theirs_known = ~np.isnan(mentors.utc_offset)[None, :]
            if indicator:
                return _Features(x, np.where(theirs_known & (hours <= c.max_hours), 1.0, 0.0))
            cost = np.minimum(np.nan_to_num(hours), c.max_hours) / c.max_hours
            return _Features(x, np.where(theirs_known, -cost * scale, 0.0))
        raise ValueError(f"unknown kind {c.kind!r}")

    def _forbidden_pairs(self) -> sp.csr_matrix:
        """Pairs ruled out by identity or a reporting line above one of the two."""
        mentees, mentors = self.population.mentees, self.population.mentors
        width = self.population.n_emails
        own_mentees = _one_hot_csr(mentees.email, width)
        own_mentors = _one_hot_csr(mentors.email, width)
        # The same person on both sides is never a pair.
        forbidden = own_mentees @ own_mentors.T
        if self.rules.reporting_line:
            # The mentor manages the mentee (somewhere up the line), or the reverse.
            forbidden = forbidden + mentees.chain @ own_mentors.T + own_mentees @ mentors.chain.T
        forbidden = sp.csr_matrix(forbidden)
        forbidden.data = np.ones_like(forbidden.data)
        forbidden.eliminate_zeros()
        forbidden.sort_indices()
        return forbidden

    # -- scores --------------------------------------------------------------

    def exact_block(self, rows: IntArray) -> tuple[FloatArray, BoolArray]:
        """Scores and feasibility of every mentor for the mentees ``rows``.

        Bit for bit the scores :meth:`pairs` gives: both add each pair's feature
        products in one order (a sparse times dense product adds them in the
        order of the stored columns, as ``pairs`` does) and then the baseline.
        """
        rows = np.asarray(rows, dtype=np.int64)
        scores = np.asarray(self._x[rows] @ self._y, dtype=np.float64)
        for _n, texts in self._texts:
            scores += texts.block(rows)
        scores += self.baseline
        return scores, self._feasible_block(rows)

    def exact(self, rows: IntArray, cols: IntArray) -> FloatArray:
        """The score of each pair (rows[p], cols[p])."""
        return self.pairs(rows, cols, with_feasible=False).score

    def pairs(self, rows: IntArray, cols: IntArray, *, with_feasible: bool = True) -> PairScores:
        """Scores, per-criterion contributions and feasibility of the given pairs."""
        rows = np.asarray(rows, dtype=np.int64).ravel()
        cols = np.asarray(cols, dtype=np.int64).ravel()
        if rows.shape != cols.shape:
            raise ValueError("rows and cols must have the same length")
        k = len(self.criteria)
        contributions = _pair_dots(self._x, self._y, rows, cols, self._owner, k)
        # The order of additions of exact_block, so that both give the same floats;
        # the contributions add up to the score up to float rounding (their
        # rounded, displayed values add up exactly, see explain).
        score = _pair_dots(self._x, self._y, rows, cols)[:, 0]
        for n, texts in self._texts:
            contributions[:, n] = texts.pairs(rows, cols)
            score += contributions[:, n]
        score += self.baseline
        feasible = (
            self._feasible_pairs(rows, cols)
            if with_feasible
            else np.ones(len(rows), dtype=np.bool_)
        )
        return PairScores(rows, cols, score, contributions, feasible)

    # -- hard rules ------------------------------------------------------------

    def feasible(self, rows: IntArray, cols: IntArray) -> BoolArray:
        """Whether each pair passes the hard rules and the mandatory criteria."""
        rows = np.asarray(rows, dtype=np.int64).ravel()
        cols = np.asarray(cols, dtype=np.int64).ravel()
        return self._feasible_pairs(rows, cols)

    def violations(self, row: int, col: int) -> tuple[str, ...]:
        """The hard rules one pair breaks, by name (empty when it may be paired)."""
        rows = np.array([row], dtype=np.int64)
        cols = np.array([col], dtype=np.int64)
        broken: list[str] = []
        mentees, mentors = self.population.mentees, self.population.mentors
        if mentees.email[row] >= 0 and mentees.email[row] == mentors.email[col]:
            broken.append(RULE_SAME_PERSON)
        elif self._forbidden[row, col] or self._siblings(rows, cols)[0]:
            broken.append(RULE_REPORTING_LINE)
        if self._forbid_department is not None:
            dot = _pair_dots(self._forbid_department.x, self._forbid_department.y, rows, cols)
            if dot[0, 0] > 0:
                broken.append(RULE_SAME_DEPARTMENT)
        for name, feats in self._requires:
            if _pair_dots(feats.x, feats.y, rows, cols)[0, 0] <= 0:
                broken.append(name)
        for name, texts in self._text_requires:
            if texts.pairs(rows, cols)[0] <= 0:
                broken.append(name)
        return tuple(broken)

    def _siblings(self, rows: IntArray, cols: IntArray) -> BoolArray:
        if not self.rules.reporting_line:
            return np.zeros(len(rows), dtype=np.bool_)
        mine = self.population.mentees.manager[rows]
        return (mine >= 0) & (mine == self.population.mentors.manager[cols])

    def _feasible_pairs(self, rows: IntArray, cols: IntArray) -> BoolArray:
        ok = ~self._siblings(rows, cols)
        if self._forbidden.nnz:
            keys = rows * self.n_mentors + cols
            forbidden_keys = (
                np.repeat(np.arange(self.n_mentees), np.diff(self._forbidden.indptr))
                * self.n_mentors
                + self._forbidden.indices
            )
            pos = np.searchsorted(forbidden_keys, keys)
            hit = pos < len(forbidden_keys)
            hit[hit] = forbidden_keys[pos[hit]] == keys[hit]
            ok &= ~hit
        if self._forbid_department is not None:
            feats = self._forbid_department
            ok &= _pair_dots(feats.x, feats.y, rows, cols)[:, 0] <= 0
        for _name, feats in self._requires:
            ok &= _pair_dots(feats.x, feats.y, rows, cols)[:, 0] > 0
        for _name, texts in self._text_requires:
            ok &= texts.pairs(rows, cols) > 0
        return ok

    def _feasible_block(self, rows: IntArray) -> BoolArray:
        b, m = len(rows), self.n_mentors
        if self.rules.reporting_line:
            # Unknown managers (-1) never match: -2 is nobody's code.
            mine = self.population.mentees.manager[rows]
            mine = np.where(mine >= 0, mine, -2)
            ok = mine[:, None] != self.population.mentors.manager[None, :]
        else:
            ok = np.ones((b, m), dtype=np.bool_)
        forbidden = self._forbidden[rows]
        if forbidden.nnz:
            r = np.repeat(np.arange(b), np.diff(forbidden.indptr))
            ok[r, forbidden.indices] = False
        if self._forbid_department is not None:
            ok &= ~_shares(self._forbid_department, self._forbid_department_masks, rows)
        for (_name, feats), masks in zip(self._requires, self._requires_masks, strict=True):
            ok &= _shares(feats, masks, rows)
        for _name, texts in self._text_requires:
            ok &= texts.block(rows) > 0
        return ok

    # -- explanations ----------------------------------------------------------

    def explain(self, row: int, col: int) -> Explanation:
        """The parts of one pair's score, rounded so that they add up to the score."""
        result = self.pairs(np.array([row]), np.array([col]), with_feasible=False)
        exact_parts = [float(v) for v in result.contributions[0]]
        exact_score = float(result.score[0])
        with_baseline = self.baseline > 0
        rounded = points_round(
            ([self.baseline] if with_baseline else []) + exact_parts,
            total=score_display(exact_score),
        )
        parts: list[Part] = []
        if with_baseline:
            parts.append(
                Part(
                    criterion=BASELINE,
                    kind=BASELINE,
                    points=rounded.pop(0),
                    exact_points=self.baseline,
                    max_points=self.baseline,
                )
            )
        violations = self.violations(row, col)
        for n, criterion in enumerate(self.criteria):
            satisfied = None
            if criterion.mandatory:
                satisfied = f"mandatory:{criterion.key}" not in violations
            part = Part(
                criterion=criterion.key,
                kind=str(criterion.kind),
                points=rounded[n],
                exact_points=exact_parts[n],
                max_points=float(self.points[n]),
                mandatory=criterion.mandatory,
                satisfied=satisfied,
            )
            parts.append(self._detail(part, criterion, row, col))
        return Explanation(
            mentee=row,
            mentor=col,
            score=score_display(exact_score),
            exact_score=exact_score,
            parts=tuple(parts),
            violations=violations,
        )

    def _detail(self, part: Part, c: Criterion, row: int, col: int) -> Part:
        mentees, mentors = self.population.mentees, self.population.mentors
        labels = self.population.labels
        if c.kind in (Kind.SIMILAR, Kind.COMPLEMENTARY):
            mine = _row_codes(mentees.sets[c.field], row)
            theirs = _row_codes(
                mentors.sets[c.mentor_field if c.kind == Kind.COMPLEMENTARY else c.field], col
            )
            shared = sorted((labels[k] for k in np.intersect1d(mine, theirs)), key=str.casefold)
            return replace(part, items=tuple(shared))
        if c.kind == Kind.THEMES:
            return replace(part, items=themes.shared_themes(self._vectors(c), row, col))
        if c.kind == Kind.SENIORITY_GAP:
            a, b = int(mentees.seniority[row]), int(mentors.seniority[col])
            return replace(part, gap=b - a if a > 0 and b > 0 else None)
        if c.kind == Kind.SAME_OR_DIFFERENT:
            a, b = int(mentees.categories[c.field][row]), int(mentors.categories[c.field][col])
            return replace(
                part,
                same=a == b if a >= 0 and b >= 0 else None,
                mentee_value=labels[a] if a >= 0 else None,
                mentor_value=labels[b] if b >= 0 else None,
            )
        if c.kind == Kind.TIME_ZONE:
            hours = float(
                _hours_apart(
                    np.array([mentees.utc_offset[row]]), np.array([mentors.utc_offset[col]])
                )[0]
            )
            return replace(part, hours=None if math.isnan(hours) else hours)
        return part
