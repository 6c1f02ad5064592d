"""Squared Euclidean distances to a few centres, one chunk at a time.

The assignment step uses the expansion ``||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2``
with ``x.c`` from BLAS (``np.dot`` on a chunk), as scikit-learn does; the
distance to the chosen centre is then recomputed directly so that reported
inertias do not suffer the cancellation of the expansion.
"""

import numpy as np
from numba import njit, prange

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)


@njit(cache=True, nogil=True)
def row_sq_norms(X, out):
    """``out[i] = ||X[i]||^2`` accumulated in float64."""
    n, d = X.shape
    for i in range(n):
        s = 0.0
        for f in range(d):
            s += X[i, f] * X[i, f]
        out[i] = s


@njit(cache=True, nogil=True)
def sq_dist_row(X, i, C, j):
    """Squared distance between ``X[i]`` and ``C[j]``, accumulated in float64."""
    s = 0.0
    for f in range(X.shape[1]):
        t = X[i, f] - C[j, f]
        s += t * t
    return s


@njit(cache=True, nogil=True, parallel=True)
def nearest_centers(X, C, block, labels, min_sq):
    """Label of the nearest centre and the exact squared distance to it.

    Rows are processed in ``block``-row pieces (one BLAS call each), in parallel.
    Ties go to the lowest centre index.
    """
    n, d = X.shape
    k = C.shape[0]
    CT = np.ascontiguousarray(C.T)
    c_sq = np.empty(k, dtype=C.dtype)
    for j in range(k):
        s = 0.0
        for f in range(d):
            s += C[j, f] * C[j, f]
        c_sq[j] = s
    n_blocks = (n + block - 1) // block
    for b in prange(n_blocks):
        start = b * block
        stop = min(n, start + block)
        dots = np.dot(X[start:stop], CT)
        for r in range(stop - start):
            best = c_sq[0] - 2 * dots[r, 0]
            bj = 0
            for j in range(1, k):
                v = c_sq[j] - 2 * dots[r, j]
                if v < best:
                    best = v
                    bj = j
            labels[start + r] = bj
            min_sq[start + r] = sq_dist_row(X, start + r, C, bj)


@njit(cache=True, nogil=True, parallel=True)
def all_sq_distances(X, C, out):
    """``out[i, j] = ||X[i] - C[j]||^2`` computed directly (no cancellation)."""
    n = X.shape[0]
    k = C.shape[0]
    for i in prange(n):
        for j in range(k):
            out[i, j] = sq_dist_row(X, i, C, j)


@njit(cache=True, nogil=True, parallel=True)
def min_sq_dist_update(X, cand, closest, out_pot):
    """For each candidate centre ``cand[t]``: the potential ``min(closest, d(x, cand[t]))``.

    ``out_pot[t]`` gets the unweighted per-row minima summed by the caller; here
    we return the per-row minima in ``closest`` for the candidate chosen later,
    so this kernel only fills ``out_pot[t, i] = min(closest[i], d_t(i))``.
    """
    n = X.shape[0]
    n_cand = cand.shape[0]
    for i in prange(n):
        for t in range(n_cand):
            s = 0.0
            for f in range(X.shape[1]):
                u = X[i, f] - cand[t, f]
                s += u * u
            out_pot[t, i] = min(closest[i], s)


@njit(cache=True, nogil=True)
def cluster_costs(X, w, C, labels, removal, sse):
    """Per-cluster cost of removing each centre and each cluster's inertia.

    ``removal[j]`` = sum over the points of cluster j of w (d2_second - d2_own):
    how much the inertia would rise if centre j disappeared and its points moved
    to their next-nearest centre. ``sse[j]`` = the cluster's weighted inertia.
    """
    n, d = X.shape
    k = C.shape[0]
    removal[:] = 0.0
    sse[:] = 0.0
    for i in range(n):
        a = labels[i]
        own = sq_dist_row(X, i, C, a)
        second = np.inf
        for j in range(k):
            if j != a:
                second = min(second, sq_dist_row(X, i, C, j))
        sse[a] += w[i] * own
        if k > 1:
            removal[a] += w[i] * (second - own)
