"""Hamerly's exact k-means pass: skip the full scan where bounds prove the label.

Per point we keep its label, an upper bound on the distance to its centre and
a lower bound on the distance to its second-nearest centre; centre moves loosen
them (Hamerly, 2010). The label cannot change when ``upper < max(lower,
s[a])``, ``s[a]`` being half the distance from centre ``a`` to its nearest
other centre; otherwise the upper bound is tightened to the exact distance and,
if that is not enough, the point is gathered and scanned against all centres
with one BLAS call per chunk. The moments are then added in row order, as in
``lloyd_pass``, so the result is the same for any number of threads or chunk size.

The bounds are stored lazily, so that a row whose bounds hold costs reads only:
the current upper bound is ``upper[i] + cum_move[labels[i]]`` and the current
lower bound ``lower[i] - cum_max``, with ``cum_move`` each centre's cumulative
move and ``cum_max`` the cumulative largest move since the run began.
"""

import math

import numpy as np
from numba import njit, prange

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)
from clusterlab._kernels.lloyd import (
    _sq_dist,
    centre_values,
    columns_block,
    exact_nearest,
    nearest_columns,
    product_slack,
    scan_terms,
)


@njit(cache=True, nogil=True)
def _scan_columns(xs, m, rows, s0, src, src_rows, off, C, C2s, c_sqs, c_sq_max, x_sq,
                  cum_move, cum_max, labels, upper, lower, j1, b1, b2):
    """Full scan of the ``m`` rows held as the float32 columns of ``xs`` (d, m);
    returns the number of changed labels.

    The products run in float32 (``C2s``, ``c_sqs``), twice the BLAS speed for
    float64 data. Every bound is widened by a rigorous bound on that rounding;
    a point whose best two values are too close to call at that error is
    scanned again in float64 from its row, ``src[q] - off`` with ``src_rows``
    (gathered rows) or ``src[s0 + rows[q]] - off``, so that the labels are
    those of exact arithmetic (the first minimum) for either dtype.
    """
    d = xs.shape[0]
    slack = product_slack(d)
    slack_exact = (4.0 + d) * np.finfo(np.float64).eps  # differences, squares and sums
    tmp = np.empty((1, d), dtype=src.dtype)
    dT = np.dot(C2s, xs)
    nearest_columns(dT, m, c_sqs, True, j1, b1, b2)
    n_changed = 0
    for q in range(m):
        i = s0 + rows[q]
        err = slack * (x_sq[i] + c_sq_max)
        j = j1[q]
        d1 = x_sq[i] + np.float64(b1[q])
        d2 = x_sq[i] + np.float64(b2[q])
        if d2 - d1 <= 4.0 * err:
            r = q if src_rows else i
            for f in range(d):
                tmp[0, f] = src[r, f] - off[f]  # centred as load_columns centres
            j, d1, d2 = exact_nearest(tmp, 0, C)
            err = slack_exact * d2
        # widen both bounds by the error of the expansion so they stay valid
        second = d2 - err
        lower[i] = (math.sqrt(second) if second > 0 else 0.0) + cum_max
        upper[i] = math.sqrt(max(d1, 0.0) + err) - cum_move[j]
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
def _move_moments(x, q, off, wi, xq, a, j, bs, bw, bq, bc):
    """Move one row's moments (``x[q] - off``, centred in x's dtype as ``load_columns``
    centres; weight ``wi``, squared norm ``xq``) from cluster a to j."""
    bw[a] -= wi
    bw[j] += wi
    bq[a] -= wi * xq
    bq[j] += wi * xq
    if wi > 0:
        bc[a] -= 1
        bc[j] += 1
    for f in range(x.shape[1]):
        v = x[q, f] - off[f]
        bs[a, f] -= wi * v
        bs[j, f] += wi * v


@njit(cache=True, nogil=True, error_model="numpy")
def _fold_hot(xs, m, s0, hot, C2h, c_sqh, c_sq_max, x_sq, cum_move, cum_max, labels, upper,
              lower, hmin, own, v):
    """Bring the distances to the ``hot`` centres (those that moved most) into the bounds of
    rows ``s0:s0 + m`` (float32 columns ``xs``): each row's lower bound takes its
    nearest hot centre (other than its own), and a row whose own centre is hot gets
    a fresh upper bound. The lower bounds then need only cover the other centres,
    whose moves are small. Float32 products, widened by their rounding error."""
    slack = product_slack(xs.shape[0])
    lab = labels[s0:s0 + m]
    xsq = x_sq[s0:s0 + m]
    lo = lower[s0:s0 + m]
    up = upper[s0:s0 + m]
    for q in range(m):
        hmin[q] = np.inf
        own[q] = np.nan
    for r in range(hot.shape[0]):
        j = hot[r]
        centre_values(C2h, c_sqh, r, xs, m, v)
        for q in range(m):
            mine = lab[q] == j
            own[q] = v[q] if mine else own[q]
            hmin[q] = hmin[q] if mine else min(hmin[q], v[q])
    for q in range(m):
        xq = xsq[q]
        err = slack * (xq + c_sq_max)
        if hmin[q] < np.inf:
            second = xq + np.float64(hmin[q]) - err
            lo[q] = min(lo[q], (math.sqrt(second) if second > 0 else 0.0) + cum_max)
        if not np.isnan(own[q]):
            fresh = math.sqrt(max(xq + np.float64(own[q]), 0.0) + err)
            up[q] = min(up[q], fresh - cum_move[lab[q]])


@njit(cache=True, nogil=True, error_model="numpy")
def hot_savings(labels, upper, lower, cum_move, cum_max, max_move, cold_move, half_gap,
                stride):
    """Share of the rows, from every ``stride``-th run of 64, whose bounds would fail if
    the lower bounds decayed by ``max_move`` but hold if they decayed by ``cold_move``
    (the largest move outside the hot centres): what checking those spares."""
    n = labels.shape[0]
    spared = 0
    seen = 0
    for i0 in range(0, n, 64 * stride):
        for i in range(i0, min(n, i0 + 64)):
            a = labels[i]
            u = upper[i] + cum_move[a]
            seen += 1
            if u < half_gap[a]:
                continue
            lo = lower[i] - cum_max
            spared += 1 if lo - cold_move > u >= lo - max_move else 0
    return spared / max(seen, 1)


@njit(cache=True, nogil=True, error_model="numpy")
def _failing_rows(s0, e, labels, upper, lower, cum_move, cum_max, half_gap, rows):
    """Rows of ``s0:e`` whose bounds do not prove their label (all rows before the
    first pass); their indices within the chunk go to ``rows``, the count is
    returned. Reads only; slices keep every index a range variable, so the loop
    vectorises."""
    lab = labels[s0:e]
    up = upper[s0:e]
    lo = lower[s0:e]
    m = 0
    for r in range(e - s0):
        a = max(lab[r], 0)
        z = max(lo[r] - cum_max, half_gap[a])
        rows[m] = r
        # strict: a centre exactly as far as the own one must be scanned
        m += 1 if lab[r] < 0 or up[r] + cum_move[a] >= z else 0
    return m


@njit(cache=True, nogil=True)
def _scan_held(m, held, old, gT, X, offset, w, x_sq, C, C2s, c_sqs, c_sq_max, cum_move,
               cum_max, labels, upper, lower, j1, b1, b2, bs, bw, bq, bc):
    """Scan the ``m`` gathered rows (float32 columns ``gT``; rows ``held``, labels
    ``old``) against every centre and move the moments of those whose label
    changed (row order), from X."""
    n_changed = _scan_columns(columns_block(gT, m), m, held, 0, X, False, offset, C, C2s,
                              c_sqs, c_sq_max, x_sq, cum_move, cum_max, labels, upper, lower,
                              j1, b1, b2)
    for q in range(m):
        i = held[q]
        if labels[i] != old[q]:
            _move_moments(X, i, offset, w[i], x_sq[i], old[q], labels[i], bs, bw, bq, bc)
    return n_changed


@njit(cache=True, nogil=True)
def _hamerly_block(b, X, XT, offset, x_sq, w, C, C2s, c_sqs, cum_move, cum_max,
                   half_gap, full, tighten, hot, C2h, c_sqh, block_size, chunk, labels, upper,
                   lower, sums, weights, sq, counts, changed, scanned):
    """Hamerly's pass over block ``b``.

    A full pass (or the first) scans every row, from its float32 columns in
    ``XT`` (``transpose_chunks``), and recomputes the block's moments from
    scratch. A light pass reads only the rows whose bounds fail
    and moves the moments of the rows whose label changed, so it costs O(rows
    that fail) instead of O(n d); ``counts`` (rows of positive weight per
    cluster) tells when a cluster has emptied, whatever the rounding left in
    its sums.
    """
    n, d = X.shape
    c_sq_max = np.float64(c_sqs.max())
    start = b * block_size
    fresh = full or labels[start] < 0
    stop, bs, bw, bq, bc = block_moments(b, block_size, n, sums, weights, sq, counts, fresh)
    gT = np.empty((d, chunk), dtype=np.float32)  # a light pass's failing rows, as columns
    tmp = np.empty((1, d), dtype=X.dtype)
    per_block = -(-block_size // chunk)
    rows = np.empty(chunk, dtype=np.int64)
    held = np.empty(chunk, dtype=np.int64)
    old = np.empty(chunk, dtype=np.int64)
    j1 = np.empty(chunk, dtype=np.int32)
    b1 = np.empty(chunk, dtype=np.float32)
    b2 = np.empty(chunk, dtype=np.float32)
    hmin = np.empty(chunk, dtype=np.float32)
    own = np.empty(chunk, dtype=np.float32)
    v = np.empty(chunk, dtype=np.float32)
    n_changed = 0
    n_scan = 0
    n_held = 0
    for s0 in range(start, stop, chunk):
        e = min(stop, s0 + chunk)
        if hot.shape[0] > 0 and not fresh:
            xs = columns_block(XT[b * per_block + (s0 - start) // chunk], e - s0)
            _fold_hot(xs, e - s0, s0, hot, C2h, c_sqh, c_sq_max, x_sq, cum_move, cum_max,
                      labels, upper, lower, hmin, own, v)
        m = _failing_rows(s0, e, labels, upper, lower, cum_move, cum_max, half_gap, rows)
        if fresh:  # every row of the chunk, in order
            # rows whose bounds hold are scanned anyway, but not counted: the count
            # tells when testing pays again
            n_scan += m
            m = e - s0
            for r in range(m):
                rows[r] = r
            xs = columns_block(XT[b * per_block + (s0 - start) // chunk], m)
            n_changed += _scan_columns(xs, m, rows, s0, X, False, offset, C, C2s, c_sqs,
                                       c_sq_max, x_sq, cum_move, cum_max, labels, upper, lower,
                                       j1, b1, b2)
            add_moments(X, s0, e, offset, w, x_sq, labels, bs, bw, bq, bc)
            continue
        # with ``tighten``, bring the failing rows' upper bounds to the exact distance
        # (when most rows fail, that costs more than the scans it spares); gather the
        # rows that still fail (absolute indices in ``held``) until ``chunk`` are held:
        # one BLAS call per chunk of failing rows, not per chunk of rows
        for q in range(m):
            i = s0 + rows[q]
            a = labels[i]
            for f in range(d):
                tmp[0, f] = X[i, f] - offset[f]  # centred as load_columns centres
            keep = True
            if tighten:  # loop-invariant
                s = _sq_dist(tmp, 0, C, a)
                upper[i] = math.sqrt(s) - cum_move[a]
                z = max(lower[i] - cum_max, half_gap[a])
                keep = z <= 0.0 or s >= z * z
            for f in range(d):
                gT[f, n_held] = tmp[0, f]
            held[n_held] = i
            old[n_held] = a
            n_held += 1 if keep else 0
            if n_held == chunk:
                n_changed += _scan_held(n_held, held, old, gT, X, offset, w, x_sq, C, C2s,
                                        c_sqs, c_sq_max, cum_move, cum_max, labels, upper,
                                        lower, j1, b1, b2, bs, bw, bq, bc)
                n_scan += n_held
                n_held = 0
    if n_held > 0:
        n_changed += _scan_held(n_held, held, old, gT, X, offset, w, x_sq, C, C2s, c_sqs,
                                c_sq_max, cum_move, cum_max, labels, upper, lower, j1, b1, b2,
                                bs, bw, bq, bc)
        n_scan += n_held
    changed[b] = n_changed
    scanned[b] = n_scan


@njit(cache=True, nogil=True, parallel=True)
def hamerly_pass(X, XT, offset, x_sq, w, C, cum_move, cum_max, half_gap, full, tighten, hot,
                 block_size, chunk, labels, upper, lower, sums, weights, sq, counts, changed,
                 scanned):
    """One exact assignment pass with Hamerly's bounds, plus per-block moments.

    IN: ``XT`` the centred rows as float32 columns (``transpose_chunks`` with
    the same ``block_size`` and ``chunk``); ``cum_move[j]`` = distance centre j
    moved since the run began (summed over updates), ``cum_max`` the sum of the
    largest move of each update;
    ``half_gap[j]`` = half the distance from centre j to its nearest other
    centre. Rows with ``labels < 0`` (first pass) are always scanned; with
    ``full`` every row is (cheaper than testing when most rows would fail);
    with ``tighten`` a light pass computes the exact distance of each failing
    row to its centre before scanning it (and spares the scan if that settles
    it). ``hot`` (int64, may be empty) lists centres whose distances a light
    pass computes for every row first (``_fold_hot``): ``cum_max`` then need
    only add up the largest move of the other centres.
    IN/OUT: ``labels``, ``upper``, ``lower`` (lazy, see the module docstring),
    and per block the moments
    ``sums``, ``weights``, ``sq`` (as ``lloyd_pass``) with ``counts`` (int64,
    rows of positive weight per cluster), which a light pass updates in place.
    OUT: ``changed``, and ``scanned[b]`` = rows the bounds did not settle.
    Blocks run in parallel (on as many threads as numba is given).
    """
    C2s, c_sqs = scan_terms(C)
    C2h = np.empty((hot.shape[0], C.shape[1]), dtype=np.float32)
    c_sqh = np.empty(hot.shape[0], dtype=np.float32)
    for r in range(hot.shape[0]):
        C2h[r] = C2s[hot[r]]
        c_sqh[r] = c_sqs[hot[r]]
    for b in prange(sums.shape[0]):
        _hamerly_block(b, X, XT, offset, x_sq, w, C, C2s, c_sqs, cum_move, cum_max,
                       half_gap, full, tighten, hot, C2h, c_sqh, block_size, chunk, labels,
                       upper, lower, sums, weights, sq, counts, changed, scanned)


@njit(cache=True, nogil=True, parallel=True, error_model="numpy")
def confirm_labels(X, x_sq, labels, upper, cum_move, lower, lower_off, half_gap, centers,
                   dist):
    """Labels of a pass under centred centres, confirmed in the data's own coordinates.

    After a bound pass under centres ``C`` (less ``offset``), each row's lazy
    bounds (``upper``, ``cum_move``; ``lower`` (n, t) less ``lower_off`` (t,),
    one group for Hamerly; ``half_gap`` of ``C``) prove its label for the
    centred row and centres. The centring rounded both (by at most
    ``eps * (||x - offset|| + max ||centres||)`` in distance); a row whose bounds
    do not clear that by twice is decided exactly against ``centers`` (the
    data's coordinates), so the labels equal ``assign``'s. ``dist[i]`` is the
    float64 squared distance to the label. Returns the rows decided exactly.
    """
    n = X.shape[0]
    t = lower.shape[1]
    eps = np.finfo(X.dtype).eps
    c_max = 0.0
    for j in range(centers.shape[0]):
        s = 0.0
        for f in range(centers.shape[1]):
            s += np.float64(centers[j, f]) ** 2
        c_max = max(c_max, math.sqrt(s))
    n_exact = 0
    for i in prange(n):
        a = labels[i]
        z = np.inf
        for g in range(t):
            z = min(z, np.float64(lower[i, g]) - lower_off[g])
        z = max(z, half_gap[a])
        margin = 2.0 * eps * (math.sqrt(x_sq[i]) + c_max)
        if upper[i] + cum_move[a] + margin >= z - margin:
            a, _, _ = exact_nearest(X, i, centers)
            labels[i] = a
            n_exact += 1
        dist[i] = _sq_dist(X, i, centers, a)
    return n_exact
