"""Each criterion and rule as per-person feature vectors, and their products for pairs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching import themes
from matching.scoring.people import BoolArray, FloatArray, IntArray

_MINUTES_PER_DAY = 24 * 60


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
