"""Themes of free text: TF-IDF vectors of two sides' answers and the themes a pair shares.

Pure (scikit-learn, numpy and scipy, no Django). The vocabulary and the inverse
document frequencies are fitted on the texts being compared (a program's mentees and
mentors at scoring time), so no model file is read and nothing is downloaded.

What counts as a *term*: a word of two or more letters or digits that is not an
English stop word (scikit-learn's list: "I", "to", "get", "at", "and" are), and a
two-word phrase of consecutive such words that no stop word, punctuation mark or bare
number separates: "I want to get better at public speaking and product strategy" has
the terms "want", "better", "public", "speaking", "public speaking", "product",
"strategy" and "product strategy". English only: texts in other languages keep their
words but lose no stop words, so their common words count as themes.

Each text becomes a vector of sublinear tf-idf weights (``1 + log(tf)`` times the
smoothed idf) of unit length, so the similarity of two texts is the dot product of
their vectors (their cosine), in [0, 1], and 0 when either is empty.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

# How many themes an explanation names at most.
THEMES_SHOWN = 4

# A word (two or more letters or digits, as scikit-learn's default token pattern) or
# a punctuation mark, which ends a phrase.
_TOKEN = re.compile(r"\w\w+|[^\w\s'\u2019-]")


@dataclass(frozen=True)
class TextVectors:
    """Unit tf-idf vectors of both sides over the terms both sides use.

    ``mentees`` is (mentees, terms) and ``mentors`` (mentors, terms), both CSR with
    sorted indices; ``terms`` names the columns. Terms only one side uses are left
    out: they never add to a dot product, and the vectors keep the length they had
    with them, so dot products are still cosines.
    """

    mentees: sp.csr_matrix
    mentors: sp.csr_matrix
    terms: tuple[str, ...]


@cache
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def text_terms(text: str) -> list[str]:
    """The terms of one text, in order, each as often as it occurs."""
    stop = _stop_words()
    terms: list[str] = []
    previous = ""
    for token in _TOKEN.findall(text.casefold()):
        if token in stop or not token[0].isalnum() or token.isdigit():
            # A stop word, a punctuation mark or a bare number ends a phrase.
            previous = ""
            continue
        terms.append(token)
        if previous:
            terms.append(f"{previous} {token}")
        previous = token
    return terms


def texts_vectorise(mentee_texts: Sequence[str], mentor_texts: Sequence[str]) -> TextVectors:
    """TF-IDF vectors of both sides, fitted on all their texts together."""
    # Imported here: scikit-learn takes a second or more to import, and only programs
    # with a themes criterion need it.
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(mentee_texts)
    vectoriser = TfidfVectorizer(
        analyzer=text_terms, sublinear_tf=True, norm="l2", dtype=np.float64
    )
    try:
        both = sp.csr_matrix(vectoriser.fit_transform([*mentee_texts, *mentor_texts]))
    except ValueError:
        # Nobody wrote anything but stop words: no terms at all.
        return TextVectors(
            sp.csr_matrix((n, 0), dtype=np.float64),
            sp.csr_matrix((len(mentor_texts), 0), dtype=np.float64),
            (),
        )
    mentees, mentors = both[:n], both[n:]
    used = np.intersect1d(np.unique(mentees.indices), np.unique(mentors.indices))
    names = vectoriser.get_feature_names_out()
    a = sp.csr_matrix(mentees[:, used])
    b = sp.csr_matrix(mentors[:, used])
    a.sort_indices()
    b.sort_indices()
    return TextVectors(a, b, tuple(str(t) for t in names[used]))


def shared_themes(
    vectors: TextVectors, mentee: int, mentor: int, limit: int = THEMES_SHOWN
) -> tuple[str, ...]:
    """The terms both texts use, strongest first (by the product of the two weights).

    A word that is part of a shared phrase is not named again ("public speaking",
    not also "public" and "speaking").
    """
    a, b = vectors.mentees, vectors.mentors
    a_cols = a.indices[a.indptr[mentee] : a.indptr[mentee + 1]]
    a_vals = a.data[a.indptr[mentee] : a.indptr[mentee + 1]]
    b_cols = b.indices[b.indptr[mentor] : b.indptr[mentor + 1]]
    b_vals = b.data[b.indptr[mentor] : b.indptr[mentor + 1]]
    common, in_a, in_b = np.intersect1d(a_cols, b_cols, assume_unique=True, return_indices=True)
    if not len(common):
        return ()
    strength: npt.NDArray[np.float64] = a_vals[in_a] * b_vals[in_b]
    terms = [vectors.terms[k] for k in common]
    in_phrases = {word for term in terms if " " in term for word in term.split()}
    # Strongest first; equal strengths in alphabetical order, so the result is stable.
    order = sorted(range(len(terms)), key=lambda k: (-strength[k], terms[k]))
    named = [terms[k] for k in order if terms[k] not in in_phrases]
    return tuple(named[:limit])
