"""One Lloyd pass: assign every row to its nearest centre and add up the moments.

The rows are split into ``n_blocks`` fixed blocks (their boundaries depend on
``n`` only); each block is processed in ``chunk``-row pieces with one BLAS call
per piece and owns its own partial sums. The caller adds the block sums in
block order, so the result does not depend on the number of threads, and the
sums within a block are accumulated in row order, so it does not depend on the
chunk size either.
"""

import numpy as np
from numba import njit, prange

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)


@njit(cache=True, nogil=True)
def center_sq_norms(C):
    """``||C[j]||^2`` in ``C``'s dtype (as the BLAS expansion uses)."""
    k, d = C.shape
    out = np.empty(k, dtype=C.dtype)
    for j in range(k):
        s = 0.0
        for f in range(d):
            s += C[j, f] * C[j, f]
        out[j] = s
    return out


@njit(cache=True, nogil=True)
def scan_terms(C):
    """``-2 C`` and ``||C_j||^2`` in float32, the scans' precision."""
    # the BLAS call then gives -2 c.x directly (exact scaling)
    return (C * -2).astype(np.float32), center_sq_norms(C).astype(np.float32)


@njit(cache=True, nogil=True)
def product_slack(d):
    """Relative rounding error of a float32 expansion ``c_sq - 2 c.x`` in ``d`` features,
    its input roundings included: times ``x_sq + max c_sq`` it bounds the error."""
    return (16.0 + 2.0 * d) * np.finfo(np.float32).eps


@njit(cache=True, nogil=True, inline="always")
def centre_values(C2, c_sq, j, xs, m, v):
    """``v[q] = c_sq[j] + C2[j] . xs[:, q]`` for the ``m`` points held as the columns of
    ``xs``, every loop across points (vectorised; no BLAS packing, which dominates
    for a few centres)."""
    cj = c_sq[j]
    for q in range(m):
        v[q] = cj
    for f in range(xs.shape[0]):
        c = C2[j, f]
        row = xs[f]
        for q in range(m):
            v[q] += c * row[q]


@njit(cache=True, nogil=True, inline="always")
def _take(v, j, o, s, jj, second):
    """One centre's value ``v`` (index ``j``) against a point's best ``o`` (index
    ``jj``) and second best ``s``: the new (best, second, index)."""
    if second:  # loop-invariant: compiled as two loops
        s = min(s, max(o, v))  # the old best when v beats it
    return min(o, v), s, j if v < o else jj


@njit(cache=True, nogil=True)
def nearest_columns(dT, m, c_sq, second, j1, b1, b2):
    """Nearest centre of each point held as a column: for q < m, ``j1[q]`` (int32) and
    ``b1[q]`` are the index and value of the smallest ``c_sq[j] + dT[j, q]``,
    and with ``second`` ``b2[q]`` is the second smallest (Hamerly's bound).

    ``dT`` (k, m) holds ``-2 c_j . x_q``. Centres are the outer loop and points
    the inner one, so every update is a select across points (vectorised, no
    branch); four centres per sweep over the points load and store each
    point's best values once per four. Centres are taken in index order, so
    the first minimum wins ties, as a scan in index order would. In the data's
    dtype, as scikit-learn's: widening float32 to float64 here made the scan
    cost as much as the BLAS call before it.
    """
    for q in range(m):
        b1[q] = np.inf
        b2[q] = np.inf
        j1[q] = 0
    k = c_sq.shape[0]
    j = 0
    while j + 4 <= k:
        c0, c1, c2, c3 = c_sq[j], c_sq[j + 1], c_sq[j + 2], c_sq[j + 3]
        r0, r1, r2, r3 = dT[j], dT[j + 1], dT[j + 2], dT[j + 3]
        # int32 indices: lanes as wide as float32 values
        i0, i1, i2, i3 = np.int32(j), np.int32(j + 1), np.int32(j + 2), np.int32(j + 3)
        for q in range(m):
            o, s, jj = b1[q], b2[q], j1[q]
            o, s, jj = _take(c0 + r0[q], i0, o, s, jj, second)
            o, s, jj = _take(c1 + r1[q], i1, o, s, jj, second)
            o, s, jj = _take(c2 + r2[q], i2, o, s, jj, second)
            o, s, jj = _take(c3 + r3[q], i3, o, s, jj, second)
            b1[q] = o
            if second:  # callers that want no second pass b1 for b2
                b2[q] = s
            j1[q] = jj
        j += 4
    while j < k:
        cj = c_sq[j]
        row = dT[j]
        jc = np.int32(j)
        for q in range(m):
            o, s, jj = _take(cj + row[q], jc, b1[q], b2[q], j1[q], second)
            b1[q] = o
            if second:
                b2[q] = s
            j1[q] = jj
        j += 1


@njit(cache=True, nogil=True)
def load_columns(X, s, e, offset, xT):
    """``xT[:, :e-s] = (X[s:e] - offset).T``: a chunk centred on the fly (no copy of
    X), one point per column, so that the products come out as (k, chunk)."""
    for r in range(e - s):
        for f in range(X.shape[1]):
            xT[f, r] = X[s + r, f] - offset[f]


@njit(cache=True, nogil=True, parallel=True)
def transpose_chunks(X, offset, block_size, chunk, out):
    """The centred rows in float32, one chunk of points per column block.

    ``out[b * per_block + c]`` (d, chunk) holds ``(X[s:e] - offset).T`` for the
    c-th chunk ``s:e`` of block b (``per_block = ceil(block_size / chunk)``),
    the centring rounded in X's dtype as ``load_columns`` rounds it. Made once
    per fit, it spares every full pass the transposition and, for float64
    data, the conversion of the rows its float32 products read.
    """
    n = X.shape[0]
    per_block = -(-block_size // chunk)
    n_blocks = -(-n // block_size)
    for b in prange(n_blocks):
        start = b * block_size
        stop = min(n, start + block_size)
        for s in range(start, stop, chunk):
            slot = b * per_block + (s - start) // chunk
            load_columns(X, s, min(stop, s + chunk), offset, out[slot])


@njit(cache=True, nogil=True)
def columns_block(xT, m):
    """The first ``m`` columns of ``xT`` as a contiguous array (BLAS wants one)."""
    return xT if m == xT.shape[1] else np.ascontiguousarray(xT[:, :m])


@njit(cache=True, nogil=True)
def _sq_dist(xb, r, C, j):
    """Squared distance of row ``r`` of ``xb`` to ``C[j]`` in float64.

    Four partial sums break the serial add chain (numba does not reorder a
    floating-point reduction without fastmath); the order is fixed, so the
    result is deterministic.
    """
    d = xb.shape[1]
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    f = 0
    while f + 4 <= d:
        t0 = np.float64(xb[r, f]) - C[j, f]
        t1 = np.float64(xb[r, f + 1]) - C[j, f + 1]
        t2 = np.float64(xb[r, f + 2]) - C[j, f + 2]
        t3 = np.float64(xb[r, f + 3]) - C[j, f + 3]
        s0 += t0 * t0
        s1 += t1 * t1
        s2 += t2 * t2
        s3 += t3 * t3
        f += 4
    while f < d:
        t0 = np.float64(xb[r, f]) - C[j, f]
        s0 += t0 * t0
        f += 1
    return (s0 + s1) + (s2 + s3)


@njit(cache=True, nogil=True, parallel=True)
def centred_sq_norms(X, offset, out):
    """``out[i] = ||X[i] - offset||^2`` in float64 (rows centred as the passes do)."""
    n, d = X.shape
    for i in prange(n):
        s = 0.0
        for f in range(d):
            t = np.float64(X[i, f] - offset[f])
            s += t * t
        out[i] = s


@njit(cache=True, nogil=True, inline="always")
def _column_sq(xT, r):
    """``sum_f xT[f, r]^2`` in float64, in feature order (as ``centred_sq_norms``)."""
    s = 0.0
    for f in range(xT.shape[0]):
        t = np.float64(xT[f, r])
        s += t * t
    return s


@njit(cache=True, nogil=True, parallel=True)
def lloyd_pass(X, offset, x_sq, w, C, block_size, chunk, labels, sums, weights, sq, changed):
    """Assign rows to centres ``C`` and accumulate per-block moments.

    Parameters (IN)
    ---------------
    X : (n, d) float array; offset : (d,) subtracted from every row first;
    x_sq : (n,) ``||X[i] - offset||^2``, or empty: then computed row by row from the
    centred chunk (a pass over data streamed once per pass; the same float64 sums
    as ``centred_sq_norms``, so the same moments); w : (n,) weights;
    C : (k, d) centres (in the offset coordinates).
    block_size, chunk : rows per block and per BLAS call (chunk <= block_size).

    Parameters (OUT)
    ----------------
    labels : (n,) int32, updated in place.
    sums : (n_blocks, k, d) float64 weighted sums per block.
    weights : (n_blocks, k) float64 weight per block and cluster.
    sq : (n_blocks, k) weighted sum of ``x_sq`` per cluster (the second moment,
    which gives the inertia without a per-row distance; see ``moment_inertia``).
    changed : (n_blocks,) number of labels that changed.
    """
    n, d = X.shape
    n_blocks = sums.shape[0]
    C2 = C * -2  # the BLAS call then gives -2 c.x directly (exact scaling)
    c_sq = center_sq_norms(C)
    fused = x_sq.shape[0] == 0
    for b in prange(n_blocks):
        start = b * block_size
        stop = min(n, start + block_size)
        bs = sums[b]
        bw = weights[b]
        bq = sq[b]
        bs[:] = 0.0
        bw[:] = 0.0
        bq[:] = 0.0
        n_changed = 0
        xT = np.empty((d, chunk), dtype=X.dtype)
        j1 = np.empty(chunk, dtype=np.int32)
        b1 = np.empty(chunk, dtype=X.dtype)
        for s in range(start, stop, chunk):
            e = min(stop, s + chunk)
            load_columns(X, s, e, offset, xT)
            dT = np.dot(C2, columns_block(xT, e - s))
            nearest_columns(dT, e - s, c_sq, False, j1, b1, b1)
            for r in range(e - s):
                i = s + r
                j = j1[r]
                if labels[i] != j:
                    n_changed += 1
                    labels[i] = j
                wi = w[i]
                bw[j] += wi
                if fused:
                    bq[j] += wi * _column_sq(xT, r)
                else:
                    bq[j] += wi * x_sq[i]
                for f in range(d):
                    bs[j, f] += wi * xT[f, r]
        changed[b] = n_changed


@njit(cache=True, nogil=True)
def exact_nearest(X, i, centers):
    """The first nearest of ``centers`` to ``X[i]``, its squared distance and the second
    smallest, in float64 from differences."""
    b1 = np.inf
    b2 = np.inf
    j1 = 0
    for j in range(centers.shape[0]):
        v = _sq_dist(X, i, centers, j)
        if v < b1:
            b2 = b1
            b1 = v
            j1 = j
        elif v < b2:
            b2 = v
    return j1, b1, b2


@njit(cache=True, nogil=True, parallel=True)
def assign_pass(X, offset, C, centers, block_size, chunk, labels, min_sq):
    """Exact nearest centre of every row (``predict``) and its squared distance.

    ``centers`` are the centres in the data's coordinates, ``C`` the same
    centres less ``offset``. Float32 products of the centred rows screen
    (``c_sq - 2 c.x`` through BLAS); with a rigorous bound on their rounding
    error, the centring's included, a row whose best two centres are too
    close to call is decided in float64 against ``centers``. Labels are those
    of exact arithmetic in the data's coordinates (the first minimum), for any
    dtype or chunk size; ``min_sq`` is the float64 distance to the label.
    """
    n, d = X.shape
    n_blocks = (n + block_size - 1) // block_size
    C2s, c_sqs = scan_terms(C)
    c_sq_max = np.float64(c_sqs.max())
    # float32 products and inputs, plus the centring of rows and centres (see docstring)
    slack = product_slack(d) + 8.0 * np.finfo(np.float32).eps
    for b in prange(n_blocks):
        start = b * block_size
        stop = min(n, start + block_size)
        xT = np.empty((d, chunk), dtype=X.dtype)
        xs = np.empty((d, chunk), dtype=np.float32)
        j1 = np.empty(chunk, dtype=np.int32)
        b1 = np.empty(chunk, dtype=np.float32)
        b2 = np.empty(chunk, dtype=np.float32)
        for s in range(start, stop, chunk):
            e = min(stop, s + chunk)
            m = e - s
            load_columns(X, s, e, offset, xT)
            for f in range(d):
                for q in range(m):
                    xs[f, q] = np.float32(xT[f, q])
            dT = np.dot(C2s, columns_block(xs, m))
            nearest_columns(dT, m, c_sqs, True, j1, b1, b2)
            for q in range(m):
                i = s + q
                x_sq = 0.0
                for f in range(d):
                    x_sq += np.float64(xT[f, q]) * np.float64(xT[f, q])
                err = slack * (x_sq + c_sq_max)
                if np.float64(b2[q]) - np.float64(b1[q]) <= 4.0 * err:
                    j, dist, _ = exact_nearest(X, i, centers)
                else:
                    j = j1[q]
                    dist = _sq_dist(X, i, centers, j)
                labels[i] = j
                min_sq[i] = dist


@njit(cache=True, nogil=True)
def reduce_blocks(sums, weights, sq, out_sums, out_weights, out_sq):
    """Add the per-block moments in block order (deterministic)."""
    out_sums[:] = 0.0
    out_weights[:] = 0.0
    out_sq[:] = 0.0
    for b in range(sums.shape[0]):
        out_sums += sums[b]
        out_weights += weights[b]
        out_sq += sq[b]


@njit(cache=True, nogil=True, parallel=True)
def sq_dist_to_label(X, offset, C, labels, out):
    """``out[i] = ||X[i] - offset - C[labels[i]]||^2`` in float64."""
    d = X.shape[1]
    for i in prange(X.shape[0]):
        j = labels[i]
        # four partial sums, as in _sq_dist
        acc = np.zeros(4)
        for f in range(d):
            t = np.float64(X[i, f] - offset[f]) - C[j, f]
            acc[f & 3] += t * t
        out[i] = (acc[0] + acc[1]) + (acc[2] + acc[3])
