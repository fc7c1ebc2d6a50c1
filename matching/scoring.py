"""Scoring mentee-mentor pairs: a 0-100 score, its parts, and the hard rules.

Pure and vectorised (numpy and scipy, scikit-learn for free text through
:mod:`matching.themes`; no Django): the caller turns profiles into
column-oriented :class:`People` (most easily through :func:`population_build`), picks
:class:`Criterion` objects and :class:`Rules`, and asks a :class:`Scorer` for

- the score of any pairs and each criterion's contribution (:meth:`Scorer.pairs`),
- whether pairs pass the hard rules (:meth:`Scorer.feasible`, :meth:`Scorer.violations`),
- a structured explanation of one pair (:meth:`Scorer.explain`),
- whole rows of the score matrix, exact or approximate, for the solver
  (:meth:`Scorer.exact_block`; a :class:`Scorer` is a
  :class:`matching.solver.ScoreSource`).

How a score is made (docs/matching.md has the long version):

- Every criterion that is not mandatory has a weight; its *points* are
  ``100 * weight / sum(weights)``, so the points of all criteria add up to 100.
- A reward criterion (similar, complementary, seniority gap, same or different)
  earns ``points * s`` with ``s`` in [0, 1]. The time-zone criterion is a penalty:
  it costs ``points * d`` with ``d`` in [0, 1] growing with the hours apart.
- ``score = baseline + sum(contributions)`` where the baseline is the sum of the
  penalty criteria's points (what a pair has before any penalty). So a score is
  always in [0, 100] and the contributions (signed) plus the baseline add up to it
  exactly; :func:`points_round` rounds them for display so that the rounded parts
  add up to the rounded score.
- A mandatory criterion earns no points: a pair for which it scores 0 is not allowed.

Every criterion is linear in a per-person feature vector (that is why similarity is
the cosine of the two sets rather than Jaccard's ratio): a pair's contribution is
``x_mentee . y_mentor``. Whole blocks of the score matrix are then one sparse times
dense product, and a few pairs are a gather and a sum, with no tensor of shape
(mentees, mentors, criteria) ever built.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching import themes

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

HIGH = 3.0
MEDIUM = 2.0
LOW = 1.0
# The presets a coordinator picks from; any other non-negative number works too.
WEIGHTS: Mapping[str, float] = {"high": HIGH, "medium": MEDIUM, "low": LOW}

# The key of the explanation part that carries the baseline.
BASELINE = "baseline"
# Names of the hard rules in Scorer.violations (mandatory criteria add "mandatory:<key>").
RULE_SAME_PERSON = "same_person"
RULE_REPORTING_LINE = "reporting_line"
RULE_SAME_DEPARTMENT = "same_department"
RULE_NO_SHARED_LANGUAGE = "no_shared_language"

_MINUTES_PER_DAY = 24 * 60


class Kind(StrEnum):
    # Both people's sets of a field overlap (skills, interests, languages, a
    # multiple-choice answer): s is the cosine |A & B| / sqrt(|A| |B|), or with
    # measure="mentee_share" the share of the mentee's items the mentor has.
    SIMILAR = "similar"
    # The mentor offers what the mentee wants: s is the share of the mentee's
    # `field` items found in the mentor's `mentor_field`.
    COMPLEMENTARY = "complementary"
    # The mentor is at least `min_gap` seniority levels above the mentee: s is 0 or 1.
    SENIORITY_GAP = "seniority_gap"
    # Same (or, with prefer="different", different) value of a categorical field:
    # department, location, a single-choice answer. s is 0 or 1.
    SAME_OR_DIFFERENT = "same_or_different"
    # A penalty growing linearly with the hours between the two UTC offsets (around
    # the clock, so at most 12), full at `max_hours`.
    TIME_ZONE = "time_zone"
    # The mentee's free text (`field`) and the mentor's (`mentor_field`) share themes:
    # s is the cosine of their tf-idf vectors (matching.themes), fitted on the
    # population's own texts.
    THEMES = "themes"


@dataclass(frozen=True)
class Criterion:
    """One rule of a program's matching, with its weight and parameters.

    ``key`` names the criterion in contributions and explanations (unique per
    program, e.g. "skills" or "q12"). Unknown values (an empty set, no seniority, no
    department, no time zone) never earn points and never pass a mandatory
    criterion; an unknown time zone costs nothing.
    """

    key: str
    kind: Kind
    weight: float = MEDIUM
    mandatory: bool = False
    # SIMILAR: the set field; COMPLEMENTARY: the mentee's set field ("wants");
    # SAME_OR_DIFFERENT: the categorical field; THEMES: the mentee's text field.
    field: str = ""
    # COMPLEMENTARY: the mentor's set field ("offers"); THEMES: the mentor's text
    # field (empty: the same field as the mentee's).
    mentor_field: str = ""
    measure: Literal["cosine", "mentee_share"] = "cosine"
    min_gap: int = 1
    prefer: Literal["same", "different"] = "same"
    # TIME_ZONE: the penalty is full at this many hours apart; as a mandatory rule,
    # pairs further apart are not allowed.
    max_hours: float = 12.0

    @property
    def is_penalty(self) -> bool:
        return self.kind == Kind.TIME_ZONE


@dataclass(frozen=True)
class Rules:
    """Hard rules of a program, on top of its mandatory criteria.

    The reporting line (when ``reporting_line`` is on) forbids a pair when one of the
    two is the other's manager, directly or further up the chain as far as it is
    known (:attr:`People.chain`), or when both have the same direct manager. A
    person is never paired with themselves (same email), whatever the rules.
    """

    reporting_line: bool = True
    # Never pair two people of the same department (both known and equal).
    same_department: bool = False
    # Require at least one shared language (people with no languages fail it).
    shared_language: bool = False
    department_field: str = "department"
    language_field: str = "languages"


@dataclass(frozen=True)
class Person:
    """One person as the caller knows them; :func:`population_build` makes columns."""

    id: int
    email: str = ""
    manager_email: str = ""
    seniority: int | None = None
    # Minutes east of UTC at the program's reference date (e.g. 60 for Berlin in winter).
    utc_offset_minutes: int | None = None
    # Mentors only: how many mentees they take.
    capacity: int = 1
    # Categorical fields: "department", "location", single-choice answers ("q12").
    categories: Mapping[str, str | None] = field(default_factory=dict)
    # Set fields: "skills", "interests", "languages", "wants", "offers", multiple-choice
    # answers ("q13").
    sets: Mapping[str, Iterable[str]] = field(default_factory=dict)
    # Free-text fields: "career_aspirations", "bio", text answers ("q14").
    texts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class People:
    """Mentees or mentors as columns; codes index :attr:`Population.labels`.

    ``email`` and ``manager`` are codes in a separate email code space shared by
    mentees and mentors; ``chain`` is an (n, n_emails) 0/1 CSR matrix of every known
    manager up each person's line (the direct manager included).
    """

    ids: IntArray
    email: IntArray  # -1 unknown
    manager: IntArray  # -1 unknown
    chain: sp.csr_matrix
    seniority: IntArray  # 0 unknown
    utc_offset: FloatArray  # minutes east of UTC, NaN unknown
    capacity: IntArray
    categories: Mapping[str, IntArray]  # label codes, -1 unknown
    sets: Mapping[str, sp.csr_matrix]  # (n, n_labels) 0/1
    texts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # "" unknown

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Population:
    """The mentees and mentors of one matching, with the labels their codes index."""

    mentees: People
    mentors: People
    labels: tuple[str, ...]
    # Lowercased emails, indexed by the codes in People.email, .manager and .chain.
    emails: tuple[str, ...]

    @property
    def n_emails(self) -> int:
        return len(self.emails)


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def population_build(
    *,
    mentees: Sequence[Person],
    mentors: Sequence[Person],
    managers: Mapping[str, str] | None = None,
    chain_depth: int = 8,
) -> Population:
    """Columns for ``mentees`` and ``mentors`` over one shared vocabulary.

    Labels match case- and space-insensitively ("Python" and " python") and keep the
    first spelling seen. ``managers`` maps more emails to their manager's email (people
    outside the program) so that reporting lines are followed further up; the lines
    of the people themselves are always used. Chains stop after ``chain_depth`` steps
    and at cycles.
    """
    labels: list[str] = []
    label_codes: dict[str, int] = {}
    emails: dict[str, int] = {}

    def label(text: str) -> int:
        key = _normal(text)
        code = label_codes.get(key)
        if code is None:
            code = label_codes[key] = len(labels)
            labels.append(" ".join(text.split()))
        return code

    def email(text: str) -> int:
        key = text.strip().lower()
        if not key:
            return -1
        code = emails.get(key)
        if code is None:
            code = emails[key] = len(emails)
        return code

    up: dict[str, str] = {k.strip().lower(): v.strip().lower() for k, v in (managers or {}).items()}
    for person in (*mentees, *mentors):
        if person.email and person.manager_email:
            up[person.email.strip().lower()] = person.manager_email.strip().lower()

    category_keys = sorted({k for p in (*mentees, *mentors) for k in p.categories})
    set_keys = sorted({k for p in (*mentees, *mentors) for k in p.sets})
    text_keys = sorted({k for p in (*mentees, *mentors) for k in p.texts})

    def columns(people: Sequence[Person]) -> tuple[dict[str, IntArray], dict[str, list[list[int]]]]:
        cats: dict[str, IntArray] = {}
        for key in category_keys:
            codes = np.full(len(people), -1, dtype=np.int64)
            for n, person in enumerate(people):
                value = person.categories.get(key)
                if value is not None and value.strip():
                    codes[n] = label(value)
            cats[key] = codes
        sets: dict[str, list[list[int]]] = {}
        for key in set_keys:
            sets[key] = [
                sorted({label(v) for v in person.sets.get(key, ()) if v.strip()})
                for person in people
            ]
        return cats, sets

    mentee_cats, mentee_sets = columns(mentees)
    mentor_cats, mentor_sets = columns(mentors)
    for person in (*mentees, *mentors):
        email(person.email)
        email(person.manager_email)
    chains_raw = {}
    for person in (*mentees, *mentors):
        start = person.email.strip().lower()
        line: list[int] = []
        seen = {start}
        current = person.manager_email.strip().lower()
        while current and current not in seen and len(line) < chain_depth:
            seen.add(current)
            line.append(email(current))
            current = up.get(current, "")
        chains_raw[id(person)] = sorted(set(line))
    n_labels = len(labels)
    n_emails = len(emails)

    def people_make(
        people: Sequence[Person], cats: dict[str, IntArray], sets: dict[str, list[list[int]]]
    ) -> People:
        return People(
            ids=np.array([p.id for p in people], dtype=np.int64),
            email=np.array([email(p.email) for p in people], dtype=np.int64),
            manager=np.array([email(p.manager_email) for p in people], dtype=np.int64),
            chain=_csr_from_lists([chains_raw[id(p)] for p in people], n_emails),
            seniority=np.array([p.seniority or 0 for p in people], dtype=np.int64),
            utc_offset=np.array(
                [
                    math.nan if p.utc_offset_minutes is None else p.utc_offset_minutes
                    for p in people
                ],
                dtype=np.float64,
            ),
            capacity=np.array([p.capacity for p in people], dtype=np.int64).reshape(len(people)),
            categories=cats,
            sets={key: _csr_from_lists(rows, n_labels) for key, rows in sets.items()},
            texts={key: tuple(p.texts.get(key) or "" for p in people) for key in text_keys},
        )

    return Population(
        mentees=people_make(mentees, mentee_cats, mentee_sets),
        mentors=people_make(mentors, mentor_cats, mentor_sets),
        labels=tuple(labels),
        emails=tuple(emails),
    )


def _csr_from_lists(rows: Sequence[Sequence[int]], width: int) -> sp.csr_matrix:
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    indices = np.fromiter((c for r in rows for c in r), dtype=np.int64, count=int(indptr[-1]))
    data = np.ones(len(indices), dtype=np.float64)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), width))


def score_display(score: float) -> int:
    """The whole number shown for a score: halves round up (62.5 shows as 63)."""
    return math.floor(round(score, 9) + 0.5)


def points_round(values: Sequence[float], total: int | None = None) -> list[int]:
    """Whole numbers, each within 1 of its value, adding up to the displayed sum.

    Largest-remainder rounding of signed values: every value is rounded down, then
    the ones with the largest fractions go up until the parts add up to ``total``
    (by default ``score_display(sum(values))``; pass the displayed score when the
    values add up to it only up to float rounding). Ties go to the earlier value.
    """
    clean = [round(v, 9) for v in values]
    floors = [math.floor(v) for v in clean]
    target = score_display(sum(clean)) if total is None else total
    missing = max(0, min(len(clean), target - sum(floors)))
    order = sorted(range(len(clean)), key=lambda k: (-(clean[k] - floors[k]), k))
    for k in order[:missing]:
        floors[k] += 1
    return floors


@dataclass(frozen=True)
class PairScores:
    """Scores of a list of pairs (mentee row, mentor row), in the order given.

    ``contributions[p, c]`` is criterion c's signed points for pair p (columns in the
    order of :attr:`Scorer.keys`) and ``score == baseline + contributions.sum(1)``.
    """

    mentees: IntArray
    mentors: IntArray
    score: FloatArray
    contributions: FloatArray
    feasible: BoolArray


@dataclass(frozen=True)
class Part:
    """One line of an explanation: a criterion's signed, rounded points and why.

    Which details are filled depends on the kind: ``items`` (similar: the shared
    labels; complementary: what the mentee wants that the mentor offers; themes:
    the strongest themes both texts mention), ``gap``
    (seniority levels, mentor minus mentee), ``same`` with the two values
    (same or different), ``hours`` apart (time zone). ``satisfied`` says whether a
    mandatory criterion passed (mandatory criteria carry 0 points).
    """

    criterion: str
    kind: str
    points: int
    exact_points: float
    max_points: float
    mandatory: bool = False
    satisfied: bool | None = None
    items: tuple[str, ...] = ()
    gap: int | None = None
    same: bool | None = None
    mentee_value: str | None = None
    mentor_value: str | None = None
    hours: float | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready, without the details that do not apply."""
        data: dict[str, object] = {
            "criterion": self.criterion,
            "kind": self.kind,
            "points": self.points,
            "exact_points": round(self.exact_points, 4),
            "max_points": round(self.max_points, 4),
        }
        if self.mandatory:
            data["mandatory"] = True
            data["satisfied"] = self.satisfied
        if self.kind in (Kind.SIMILAR, Kind.COMPLEMENTARY, Kind.THEMES):
            data["items"] = list(self.items)
        for name in ("gap", "same", "mentee_value", "mentor_value", "hours"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        return data


@dataclass(frozen=True)
class Explanation:
    """Why a pair scores what it does: ``score == sum(part.points for part in parts)``.

    The parts are the baseline (only when the program has a penalty criterion) and
    then one part per criterion in the program's order. ``violations`` lists the hard
    rules the pair breaks (empty when it may be paired).
    """

    mentee: int
    mentor: int
    score: int
    exact_score: float
    parts: tuple[Part, ...]
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations

    def as_dict(self) -> dict[str, object]:
        return {
            "mentee": self.mentee,
            "mentor": self.mentor,
            "score": self.score,
            "exact_score": round(self.exact_score, 4),
            "feasible": self.feasible,
            "violations": list(self.violations),
            "parts": [part.as_dict() for part in self.parts],
        }


@dataclass(frozen=True)
class _Features:
    """x (mentee side, CSR) and y (mentor side, dense) of one criterion or rule."""

    x: sp.csr_matrix
    y: npt.NDArray[np.float64]


@dataclass(frozen=True)
class _TextFeatures:
    """A themes criterion, kept sparse on both sides (a dense mentor side would take
    terms x mentors floats: 140 MB at 3,000 mentors and 6,000 shared terms).

    ``x`` is (mentees, terms) and ``y`` (terms, mentors), the points folded into y;
    ``keys`` (mentor * terms + term, sorted) and ``values`` are y's stored entries,
    for looking up single pairs.
    """

    vectors: themes.TextVectors
    x: sp.csr_matrix
    y: sp.csr_matrix
    keys: IntArray
    values: FloatArray

    @classmethod
    def build(cls, vectors: themes.TextVectors, scale: float) -> _TextFeatures:
        by_mentor = sp.csr_matrix(vectors.mentors * scale)
        by_mentor.sort_indices()
        n_terms = by_mentor.shape[1]
        mentor = np.repeat(np.arange(by_mentor.shape[0]), np.diff(by_mentor.indptr))
        keys = mentor.astype(np.int64) * n_terms + by_mentor.indices
        return cls(
            vectors,
            vectors.mentees,
            sp.csr_matrix(by_mentor.T),
            keys,
            np.asarray(by_mentor.data, dtype=np.float64),
        )

    def block(self, rows: IntArray) -> FloatArray:
        """x[rows] . y for every mentor, as a dense (rows, mentors) block.

        Each entry adds its products in the order of x's sorted terms, skipping the
        terms the mentor lacks, as :meth:`pairs` does (it adds 0.0 for those, which
        changes no sum of non-negative numbers): the two agree to the bit.
        """
        return np.asarray((self.x[rows] @ self.y).toarray(), dtype=np.float64)

    def pairs(self, rows: IntArray, cols: IntArray) -> FloatArray:
        """x[rows[p]] . y[:, cols[p]] for each pair p."""
        out = np.zeros(len(rows), dtype=np.float64)
        indptr, n_terms = self.x.indptr, self.x.shape[1]
        if not len(rows) or not self.x.nnz or not len(self.keys):
            return out
        # Pairs in chunks, so that memory stays a few MB whatever their number.
        chunk = 1 << 16
        for begin in range(0, len(rows), chunk):
            r, c = rows[begin : begin + chunk], cols[begin : begin + chunk]
            lengths = (indptr[r + 1] - indptr[r]).astype(np.int64)
            total = int(lengths.sum())
            if not total:
                continue
            pair = np.repeat(np.arange(len(r)), lengths)
            offset = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            pos = indptr[r[pair]] + offset
            key = c[pair] * n_terms + self.x.indices[pos]
            at = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
            found = self.keys[at] == key
            products = np.where(found, self.x.data[pos] * self.values[at], 0.0)
            out[begin : begin + len(r)] = np.bincount(pair, weights=products, minlength=len(r))
        return out


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


def _bit_masks(feats: _Features) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]] | None:
    """Indicator features (x and y >= 0) as one 64-bit mask per mentee and mentor.

    x[i] . y[:, j] > 0 exactly when some feature k has x_ik > 0 and y_kj > 0, that is
    when the masks share a bit. None with more than 64 features.
    """
    k = feats.x.shape[1]
    if k > 64:
        return None
    bits = np.left_shift(np.uint64(1), np.arange(k, dtype=np.uint64))
    x = sp.csr_matrix(feats.x)
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    mentee = np.zeros(x.shape[0], dtype=np.uint64)
    positive = x.data > 0
    np.bitwise_or.at(mentee, rows[positive], bits[x.indices[positive]])
    mentor = np.zeros(feats.y.shape[1], dtype=np.uint64)
    for feature in range(k):
        mentor[feats.y[feature] > 0] |= bits[feature]
    return mentee, mentor


def _shares(
    feats: _Features,
    masks: tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]] | None,
    rows: IntArray,
) -> BoolArray:
    """x[rows] . y > 0 for every mentor, as a (rows, mentors) block."""
    if masks is None:
        return np.asarray(feats.x[rows] @ feats.y) > 0
    mentee, mentor = masks
    return (mentee[rows][:, None] & mentor[None, :]) != 0


def _hours_apart(a: FloatArray, b: FloatArray) -> FloatArray:
    """Hours between UTC offsets in minutes, around the clock (at most 12); NaN unknown."""
    apart = np.abs(a - b) % _MINUTES_PER_DAY
    return np.minimum(apart, _MINUTES_PER_DAY - apart) / 60.0


def _one_hot(values: npt.NDArray[np.generic], categories: npt.NDArray[np.generic]) -> sp.csr_matrix:
    """(len(values), len(categories)) 0/1: row n has a 1 where values[n] is category k."""
    pos = np.searchsorted(categories, values)
    pos_safe = np.minimum(pos, max(len(categories) - 1, 0))
    hit = (pos < len(categories)) & (categories[pos_safe] == values) if len(categories) else pos < 0
    rows = np.flatnonzero(hit)
    return sp.csr_matrix(
        (np.ones(len(rows)), (rows, pos[hit])), shape=(len(values), len(categories))
    )


def _one_hot_csr(codes: IntArray, width: int) -> sp.csr_matrix:
    rows = np.flatnonzero(codes >= 0)
    return sp.csr_matrix((np.ones(len(rows)), (rows, codes[rows])), shape=(len(codes), width))


def _hstack(blocks: Sequence[sp.csr_matrix], n: int) -> sp.csr_matrix:
    if not blocks:
        return sp.csr_matrix((n, 0), dtype=np.float64)
    return sp.csr_matrix(sp.hstack(blocks, format="csr", dtype=np.float64))


def _row_codes(matrix: sp.csr_matrix, row: int) -> IntArray:
    return np.asarray(matrix.indices[matrix.indptr[row] : matrix.indptr[row + 1]], dtype=np.int64)


def _pair_dots(
    x: sp.csr_matrix,
    y: npt.NDArray[np.float64],
    rows: IntArray,
    cols: IntArray,
    owner: IntArray | None = None,
    groups: int = 1,
) -> FloatArray:
    """x[rows[p]] . y[:, cols[p]] for each pair p, split into column groups by ``owner``.

    Returns a (pairs, groups) array; with no owner, one group. Memory is one entry
    per stored x value of each pair's row, done in chunks.
    """
    out = np.zeros((len(rows), groups), dtype=np.float64)
    if not len(rows) or not x.nnz:
        return out
    indptr = x.indptr
    lengths = (indptr[rows + 1] - indptr[rows]).astype(np.int64)
    chunk = 1 << 20
    starts = np.concatenate([[0], np.cumsum(lengths)])
    begin = 0
    while begin < len(rows):
        # Pairs [begin, end) hold at most `chunk` stored values (or one pair).
        end = int(np.searchsorted(starts, starts[begin] + chunk, side="right")) - 1
        end = max(end, begin + 1)
        end = min(end, len(rows))
        part_len = lengths[begin:end]
        total = int(part_len.sum())
        if total:
            pair = np.repeat(np.arange(begin, end), part_len)
            offset = np.arange(total) - np.repeat(np.cumsum(part_len) - part_len, part_len)
            pos = indptr[rows[pair]] + offset
            feature = x.indices[pos]
            values = x.data[pos] * y[feature, cols[pair]]
            group = owner[feature] if owner is not None else np.zeros(total, dtype=np.int64)
            sums = np.bincount(
                (pair - begin) * groups + group, weights=values, minlength=(end - begin) * groups
            )
            out[begin:end] = sums.reshape(end - begin, groups)
        begin = end
    return out
