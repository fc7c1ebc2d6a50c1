"""The people scored, column-oriented: one :class:`Person` each, as arrays in :class:`People`."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


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
