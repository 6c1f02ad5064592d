"""Hamerly's exact k-means pass: skip the full scan where bounds prove the label.

Per point we keep its label, an upper bound on the distance to its centre and
a lower bound on the distance to its second-nearest centre; centre moves loosen
them (Hamerly, 2010). The label cannot change when ``upper <= max(lower,
s[a])``, ``s[a]`` being half the distance from centre ``a`` to its nearest
other centre; otherwise the upper bound is tightened to the exact distance and,
if that is not enough, the point is gathered and scanned against all centres
with one BLAS call per chunk. The moments are then added in row order, as in
``lloyd_pass``, so the result is the same for any number of threads or chunk size.
"""

import math

import numpy as np
from numba import njit, prange

from clusterlab._kernels.lloyd import (
    _sq_dist,
    center_sq_norms,
    columns_block,
    nearest_columns,
)


@njit(cache=True, nogil=True)
def _top_two(p):
    j1 = 0
    for j in range(1, p.shape[0]):
        if p[j] > p[j1]:
            j1 = j
    second = 0.0
    for j in range(p.shape[0]):
        if j != j1 and p[j] > second:
            second = p[j]
    return j1, p[j1], second


@njit(cache=True, nogil=True)
def _nearest_exact(src, r, off, C2, c_sq):
    """Index, best and second best of ``c_sq[j] + C2[j] . (src[r] - off)`` in the data's
    precision (one point; the first minimum wins ties)."""
    k, d = C2.shape
    b1 = np.inf
    b2 = np.inf
    j1 = 0
    for j in range(k):
        v = 0.0
        for f in range(d):
            v += C2[j, f] * (src[r, f] - off[f])
        v += c_sq[j]
        if v < b1:
            b2 = b1
            b1 = v
            j1 = j
        elif v < b2:
            b2 = v
    return j1, b1, b2


@njit(cache=True, nogil=True)
def _scan_columns(xs, m, rows, s0, src, src_rows, off, C2, C2s, c_sq, c_sqs, c_sq_max, x_sq,
                  exact, labels, upper, lower, j1, b1, b2):
    """Full scan of the ``m`` rows held as the float32 columns of ``xs`` (d, m);
    returns the number of changed labels.

    The products run in float32 (``C2s``, ``c_sqs``), twice the BLAS speed for
    float64 data. Every bound is widened by a rigorous bound on that rounding;
    with ``exact`` (float64 data) a point whose best two values are too close
    to call at that error is scanned again in float64 from its row, ``src[q] -
    off`` with ``src_rows`` (gathered rows) or ``src[s0 + rows[q]] - off``, so
    the labels are those of a float64 scan.
    """
    d = xs.shape[0]
    slack = (16.0 + 2.0 * d) * np.finfo(np.float32).eps  # dot, input and sum roundings
    slack_exact = (8.0 + 2.0 * d) * np.finfo(src.dtype).eps
    dT = np.dot(C2s, xs)
    nearest_columns(dT, m, c_sqs, True, j1, b1, b2)
    n_changed = 0
    for q in range(m):
        i = s0 + rows[q]
        err = slack * (x_sq[i] + c_sq_max)
        j = j1[q]
        v1 = np.float64(b1[q])
        v2 = np.float64(b2[q])
        if exact and v2 - v1 <= 4.0 * err:
            j, v1, v2 = _nearest_exact(src, q if src_rows else i, off, C2, c_sq)
            err = slack_exact * (x_sq[i] + c_sq_max)
        # widen both bounds by the error of the expansion so they stay valid
        second = x_sq[i] + v2 - err
        lower[i] = math.sqrt(second) if second > 0 else 0.0
        upper[i] = math.sqrt(max(x_sq[i] + v1, 0.0) + err)
        if labels[i] != j:
            n_changed += 1
            labels[i] = j
    return n_changed


@njit(cache=True, nogil=True)
def add_moments(X, s0, e, offset, w, x_sq, labels, bs, bw, bq, bc):
    """Moments of the rows ``s0:e`` (centred by ``offset`` in X's dtype, as
    ``load_columns`` centres them) in row order."""
    for i in range(s0, e):
        a = labels[i]
        wi = w[i]
        bw[a] += wi
        bq[a] += wi * x_sq[i]
        if wi > 0:
            bc[a] += 1
        for f in range(X.shape[1]):
            bs[a, f] += wi * (X[i, f] - offset[f])


@njit(cache=True, nogil=True)
def block_moments(b, block_size, n, sums, weights, sq, counts, fresh):
    """Where block ``b`` stops and its moment buffers, cleared for a ``fresh`` pass."""
    bs = sums[b]
    bw = weights[b]
    bq = sq[b]
    bc = counts[b]
    if fresh:
        bs[:] = 0.0
        bw[:] = 0.0
        bq[:] = 0.0
        bc[:] = 0
    return min(n, (b + 1) * block_size), bs, bw, bq, bc


@njit(cache=True, nogil=True)
def _move_moments(x, q, wi, xq, a, j, bs, bw, bq, bc):
    """Move one row's moments (``x[q]``, weight ``wi``, ``||x||^2 = xq``) from cluster a to j."""
    bw[a] -= wi
    bw[j] += wi
    bq[a] -= wi * xq
    bq[j] += wi * xq
    if wi > 0:
        bc[a] -= 1
        bc[j] += 1
    for f in range(x.shape[1]):
        bs[a, f] -= wi * x[q, f]
        bs[j, f] += wi * x[q, f]


@njit(cache=True, nogil=True)
def _hamerly_block(b, X, XT, offset, x_sq, w, C, C2, C2s, c_sq, c_sqs, move, half_gap, full,
                   block_size, chunk, labels, upper, lower, sums, weights, sq, counts, changed,
                   scanned):
    """Hamerly's pass over block ``b`` (the body shared by both drivers).

    A full pass (or the first) scans every row, from its float32 columns in
    ``XT`` (``transpose_chunks``), and recomputes the block's moments from
    scratch. A light pass reads only the rows whose bounds fail
    and moves the moments of the rows whose label changed, so it costs O(rows
    that fail) instead of O(n d); ``counts`` (rows of positive weight per
    cluster) tells when a cluster has emptied, whatever the rounding left in
    its sums.
    """
    n, d = X.shape
    c_sq_max = np.float64(c_sq.max())
    exact = np.finfo(X.dtype).eps < np.finfo(np.float32).eps  # float64 data
    jmax, pmax1, pmax2 = _top_two(move)
    start = b * block_size
    fresh = full or labels[start] < 0
    stop, bs, bw, bq, bc = block_moments(b, block_size, n, sums, weights, sq, counts, fresh)
    gb = np.empty((chunk, d), dtype=X.dtype)  # a light pass's failing rows, gathered
    gT = np.empty((d, chunk), dtype=np.float32)  # ... and as float32 columns
    no_offset = np.zeros(d, dtype=X.dtype)  # gathered rows are centred already
    per_block = -(-block_size // chunk)
    rows = np.empty(chunk, dtype=np.int64)
    old = np.empty(chunk, dtype=np.int64)
    j1 = np.empty(chunk, dtype=np.int32)
    b1 = np.empty(chunk, dtype=np.float32)
    b2 = np.empty(chunk, dtype=np.float32)
    n_changed = 0
    n_scan = 0
    for s0 in range(start, stop, chunk):
        e = min(stop, s0 + chunk)
        m = 0
        for r in range(e - s0):
            i = s0 + r
            a = labels[i]
            if a >= 0:
                lo = lower[i] - (pmax2 if a == jmax else pmax1)
                lower[i] = lo
                u = upper[i] + move[a]
                z = max(lo, half_gap[a])
                if not fresh and u > z:
                    # gather the row (centred as load_columns does), tighten its bound
                    for f in range(d):
                        gb[m, f] = X[i, f] - offset[f]
                    u = math.sqrt(_sq_dist(gb, m, C, a))
                upper[i] = u
                if u <= z:
                    if not fresh:
                        continue
                    # in a full pass such rows are scanned anyway, but they are
                    # not counted: the count tells when testing pays again
                    n_scan -= 1
            rows[m] = r
            old[m] = a
            m += 1
        n_scan += m
        if fresh:  # every row of the chunk, in order
            xs = columns_block(XT[b * per_block + (s0 - start) // chunk], m)
            n_changed += _scan_columns(xs, m, rows, s0, X, False, offset, C2, C2s, c_sq, c_sqs,
                                       c_sq_max, x_sq, exact, labels, upper, lower, j1, b1, b2)
            add_moments(X, s0, e, offset, w, x_sq, labels, bs, bw, bq, bc)
        elif m > 0:
            for q in range(m):
                for f in range(d):
                    gT[f, q] = gb[q, f]
            n_changed += _scan_columns(columns_block(gT, m), m, rows, s0, gb, True, no_offset,
                                       C2, C2s, c_sq, c_sqs, c_sq_max, x_sq, exact, labels,
                                       upper, lower, j1, b1, b2)
            for q in range(m):
                i = s0 + rows[q]
                if labels[i] != old[q]:
                    _move_moments(gb, q, w[i], x_sq[i], old[q], labels[i], bs, bw, bq, bc)
    changed[b] = n_changed
    scanned[b] = n_scan


@njit(cache=True, nogil=True)
def _scan_terms(C):
    """``-2 C`` and ``||C_j||^2`` in the data's precision and in float32 (the scans')."""
    C2 = C * -2  # the BLAS call then gives -2 c.x directly (exact scaling)
    c_sq = center_sq_norms(C)
    return C2, C2.astype(np.float32), c_sq, c_sq.astype(np.float32)


@njit(cache=True, nogil=True, parallel=True)
def hamerly_pass(X, XT, offset, x_sq, w, C, move, half_gap, full, block_size, chunk, labels,
                 upper, lower, sums, weights, sq, counts, changed, scanned):
    """One exact assignment pass with Hamerly's bounds, plus per-block moments.

    IN: ``XT`` the centred rows as float32 columns (``transpose_chunks`` with
    the same ``block_size`` and ``chunk``); ``move[j]`` = distance centre j
    moved since the last pass;
    ``half_gap[j]`` = half the distance from centre j to its nearest other
    centre. Rows with ``labels < 0`` (first pass) are always scanned; with
    ``full`` every row is (cheaper than testing when most rows would fail).
    IN/OUT: ``labels``, ``upper``, ``lower``, and per block the moments
    ``sums``, ``weights``, ``sq`` (as ``lloyd_pass``) with ``counts`` (int64,
    rows of positive weight per cluster), which a light pass updates in place.
    OUT: ``changed``, and ``scanned[b]`` = rows the bounds did not settle.
    Blocks run in parallel; see ``hamerly_pass_serial``.
    """
    C2, C2s, c_sq, c_sqs = _scan_terms(C)
    for b in prange(sums.shape[0]):
        _hamerly_block(b, X, XT, offset, x_sq, w, C, C2, C2s, c_sq, c_sqs, move, half_gap, full,
                       block_size, chunk, labels, upper, lower, sums, weights, sq, counts,
                       changed, scanned)


@njit(cache=True, nogil=True)
def hamerly_pass_serial(X, XT, offset, x_sq, w, C, move, half_gap, full, block_size, chunk,
                        labels, upper, lower, sums, weights, sq, counts, changed, scanned):
    """``hamerly_pass`` on one thread: for light passes, where starting threads costs more
    than the work (the blocks and their results are the same)."""
    C2, C2s, c_sq, c_sqs = _scan_terms(C)
    for b in range(sums.shape[0]):
        _hamerly_block(b, X, XT, offset, x_sq, w, C, C2, C2s, c_sq, c_sqs, move, half_gap, full,
                       block_size, chunk, labels, upper, lower, sums, weights, sq, counts,
                       changed, scanned)
