"""Yinyang's scans of every centre, group by group (Ding et al., 2015): the full
pass that sets a point's label, upper bound and group lower bounds from scratch,
and the float64 rescan of a point whose best two candidates are too close to
call. See :mod:`clusterlab._kernels.yinyang` for the bounds and the pass.
"""

import math

import numpy as np
from numba import njit

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)
from clusterlab._kernels.lloyd import (
    _sq_dist,
    centre_values,
    columns_block,
    nearest_columns,
    product_slack,
)

# below 1 so that float32(x * SHRINK) <= x for every x >= 0 (round to nearest)
SHRINK = 1.0 - 2.0**-23


@njit(cache=True, nogil=True, error_model="numpy")
def scan_group(C2s, c_sqs, lo, hi, gT, m, j1, b1, b2, v):
    """Best and second best of ``c_sqs[j] + C2s[j] . gT[:, q]`` over rows lo <= j < hi.

    For each of the ``m`` points held as the columns of ``gT`` (float32),
    ``j1[q]`` is the row of the smallest value ``b1[q]`` (the first on ties)
    and ``b2[q]`` the second smallest (``centre_values``: no BLAS).
    """
    for q in range(m):
        b1[q] = np.inf
        b2[q] = np.inf
        j1[q] = lo
    for j in range(lo, hi):
        centre_values(C2s, c_sqs, j, gT, m, v)
        jj = np.int32(j)
        for q in range(m):
            x = v[q]
            old = b1[q]
            b2[q] = min(b2[q], max(old, x))
            b1[q] = min(old, x)
            j1[q] = jj if x < old else j1[q]


@njit(cache=True, nogil=True)
def store_bound(bound, offset):
    """A lower bound stored as float32 with its lazy offset, never rounded up."""
    return np.float32((bound + offset) * SHRINK)


@njit(cache=True, nogil=True)
def exact_point(xb, q, C, group_of, i, cum_gmove, lower):
    """Exact scan of row ``q`` of ``xb`` against every centre in float64.

    Returns the first nearest centre in index order and its squared distance,
    and writes every group's lower bound (the nearest centre excluded).
    """
    k = C.shape[0]
    t = lower.shape[1]
    dist = np.empty(k)
    best = np.inf
    jbest = 0
    for j in range(k):
        dist[j] = _sq_dist(xb, q, C, j)
        if dist[j] < best:
            best = dist[j]
            jbest = j
    gmin = np.full(t, np.inf)
    for j in range(k):
        if j != jbest:
            g = group_of[j]
            gmin[g] = min(gmin[g], dist[j])
    for g in range(t):
        lower[i, g] = store_bound(math.sqrt(gmin[g]), cum_gmove[g])
    return jbest, best


@njit(cache=True, nogil=True)
def all_scan_scratch(d, t, chunk):
    """Scratch of the scan of a block of points against every centre (BLAS).

    A tuple ``(xs, gj, gb1, gb2, best, sec, bg, ridx, lab, u, xsq)``: one point per
    column of ``xs`` (float32, d x chunk); per group the best centre ``gj``
    (within the group), best ``gb1`` and second ``gb2`` values; across groups
    the best value ``best``, its group ``bg`` and the second best ``sec``;
    ``ridx`` the row of each column, ``lab`` and ``u`` the resulting label and
    upper bound, ``xsq`` scratch for the rows' squared norms.
    """
    return (np.empty((d, chunk), dtype=np.float32), np.empty((t, chunk), dtype=np.int32),
            np.empty((t, chunk), dtype=np.float32), np.empty((t, chunk), dtype=np.float32),
            np.empty(chunk, dtype=np.float32), np.empty(chunk, dtype=np.float32),
            np.empty(chunk, dtype=np.int32), np.empty(chunk, dtype=np.int64),
            np.empty(chunk, dtype=np.int64), np.empty(chunk), np.empty(chunk))


@njit(cache=True, nogil=True, error_model="numpy")
def scan_all(C2s, c_sqs, order, starts, x_sq, slack, c_sq_max, sc, m):
    """Scan the ``m`` columns of the scratch's ``xs`` against every centre (one BLAS call).

    Sets ``lab`` and ``u`` (label and upper bound, not yet lazy) of the
    scratch ``sc`` and ``gb1[g, q]`` to the value giving group g's lower bound
    (the group's best, or its second best in the group of the new label).
    Returns the number of columns too close to call, listed first in ``bg``.
    """
    t = starts.shape[0] - 1
    xs, gj, gb1, gb2, best, sec, bg, ridx, lab, u, _ = sc
    dT = np.dot(C2s, columns_block(xs, m))
    for g in range(t):
        lo = starts[g]
        hi = starts[g + 1]
        nearest_columns(dT[lo:hi], m, c_sqs[lo:hi], True, gj[g], gb1[g], gb2[g])
    # the best group and the second best value across groups, vectorised across points
    for q in range(m):
        best[q] = np.inf
        sec[q] = np.inf
        bg[q] = 0
    for g in range(t):
        gg = np.int32(g)
        row = gb1[g]
        for q in range(m):
            v = row[q]
            o = best[q]
            sec[q] = min(sec[q], max(o, v))
            bg[q] = gg if v < o else bg[q]
            best[q] = min(o, v)
    n_ties = 0
    for q in range(m):
        xq = x_sq[ridx[q]]
        err = slack * (xq + c_sq_max)
        g = bg[q]
        second = min(sec[q], gb2[g, q])
        lab[q] = order[starts[g] + gj[g, q]]
        u[q] = math.sqrt(max(xq + np.float64(best[q]), 0.0) + err)
        gb1[g, q] = gb2[g, q]  # the best group's bound is its second best
        bg[n_ties] = q  # n_ties <= q: read already
        n_ties += 1 if np.float64(second) - np.float64(best[q]) <= 4.0 * err else 0
    return n_ties


@njit(cache=True, nogil=True, error_model="numpy")
def bounds_from_scan(sc, m, x_sq, slack, c_sq_max, cum_gmove, cum_max, lower, lower0):
    """Write every group's lower bound of the ``m`` scanned columns (rows ``ridx``) and
    the smallest of them (``lower0``), from the scan's ``gb1`` (``best`` and
    ``gb2`` serve as scratch)."""
    t = lower.shape[1]
    gb1 = sc[2]
    ridx = sc[7]
    zmin = sc[4]  # the scan's ``best`` is free again: the smallest bound so far
    stored = sc[3]  # and ``gb2``: the stored bounds, before they go to their rows
    for q in range(m):
        zmin[q] = np.inf
    xsq = sc[10]  # the rows' squared norms, gathered
    for q in range(m):
        xsq[q] = x_sq[ridx[q]]
    for g in range(t):
        cg = cum_gmove[g]
        vals = gb1[g]
        out = stored[g]
        for q in range(m):  # vectorised across rows (the square roots too)
            err = slack * (xsq[q] + c_sq_max)
            bound = math.sqrt(max(xsq[q] + np.float64(vals[q]) - err, 0.0))
            out[q] = store_bound(bound, cg)
            zmin[q] = min(zmin[q], bound)
    for q in range(m):
        i = ridx[q]
        for g in range(t):
            lower[i, g] = stored[g, q]
    for q in range(m):
        lower0[ridx[q]] = store_bound(zmin[q], cum_max)


@njit(cache=True, nogil=True, error_model="numpy")
def fresh_chunk(X, xs_chunk, s0, e, offset, x_sq, C, C2s, c_sqs, c_sq_max, order, starts,
                 group_of, cum_move, cum_gmove, cum_max, labels, upper, lower, lower0, xb, sc):
    """Full scan of rows ``s0:e`` (their float32 columns ``xs_chunk``): labels, the
    upper bound and every group bound. Returns the number of labels changed."""
    m = e - s0
    d = X.shape[1]
    slack = product_slack(d)
    xs, _, _, _, _, _, bg, ridx, lab, u, _ = sc
    xs[:, :m] = xs_chunk[:, :m]
    for q in range(m):
        ridx[q] = s0 + q
    n_ties = scan_all(C2s, c_sqs, order, starts, x_sq, slack, c_sq_max, sc, m)
    bounds_from_scan(sc, m, x_sq, slack, c_sq_max, cum_gmove, cum_max, lower, lower0)
    for r in range(n_ties):
        q = bg[r]
        for f in range(d):
            xb[0, f] = X[s0 + q, f] - offset[f]
        j, s = exact_point(xb, 0, C, group_of, s0 + q, cum_gmove, lower)
        reset_lower0(s0 + q, lower, cum_gmove, cum_max, lower0)
        lab[q] = j
        u[q] = math.sqrt(s)
    n_changed = 0
    for q in range(m):
        j = lab[q]
        n_changed += 1 if labels[s0 + q] != j else 0
        labels[s0 + q] = j
        upper[s0 + q] = u[q] - cum_move[j]
    return n_changed


@njit(cache=True, nogil=True, error_model="numpy")
def reset_lower0(i, lower, cum_gmove, cum_max, lower0):
    """``lower0[i]``: the smallest of row i's group bounds, lazy with ``cum_max``."""
    z = np.inf
    for g in range(lower.shape[1]):
        z = min(z, np.float64(lower[i, g]) - cum_gmove[g])
    lower0[i] = store_bound(max(z, 0.0), cum_max)
