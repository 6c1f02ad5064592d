"""Prim's minimum spanning tree for single linkage (Müllner 2011, MST-linkage).

* ``prim_raw``: over the rows of the data in O(n d) memory. Points not yet in
  the tree stay packed at the front of the working arrays (swap-remove), so
  each step is one contiguous pass.
* ``prim_condensed``: over a condensed distance vector.

Among equally near outside points the one with the smallest original index
joins first.
"""

import math

import numpy as np
from numba import njit

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)
from clusterlab._kernels.linkage_methods import BLOCK
from clusterlab._kernels.pdist import (
    CHEBYSHEV,
    CITYBLOCK,
    COSINE,
    EUCLIDEAN,
    condensed_index,
)


@njit(cache=True, nogil=True)
def _block_distances(Xt, lo, hi, p, metric, norms_t, pnorm, acc):
    # OUT: acc[0:hi-lo] = (squared, for euclidean) distances from point p to
    # columns lo..hi-1 of the feature-major matrix Xt. The loop over features
    # is outermost so the inner loop vectorises over points while each sum
    # still runs in feature order. 1-D slices keep the inner loop free of
    # 2-D index arithmetic (about 3x faster than Xt[k, lo + t]).
    d = Xt.shape[0]
    a = acc[: hi - lo]
    a[:] = 0.0
    for k in range(d):
        row = Xt[k, lo:hi]
        pk = p[k]
        if metric == CITYBLOCK:
            for t in range(a.shape[0]):
                a[t] += abs(row[t] - pk)
        elif metric == CHEBYSHEV:
            for t in range(a.shape[0]):
                a[t] = max(a[t], abs(row[t] - pk))
        elif metric == COSINE:
            for t in range(a.shape[0]):
                a[t] += row[t] * pk
        else:
            for t in range(a.shape[0]):
                diff = row[t] - pk
                a[t] += diff * diff
    if metric == COSINE:
        nrm = norms_t[lo:hi]
        for t in range(a.shape[0]):
            a[t] = max(1.0 - a[t] / (nrm[t] * pnorm), 0.0)


@njit(cache=True, nogil=True)
def prim_raw(X, metric, norms):
    """Single-linkage merges of the rows of ``X`` from Prim's algorithm.

    Returns ``(a, b, height)``: n-1 MST edges in the order they were added
    (not sorted). ``metric`` is a code from ``pdist``; for euclidean the
    search runs on squared distances and the square root is taken once.
    """
    n, d = X.shape
    Xt = np.empty((d, n))  # feature-major working copy: active points first
    for i in range(n):
        for k in range(d):
            Xt[k, i] = X[i, k]
    perm = np.arange(n)
    norms_t = norms.copy()
    mind = np.full(n, np.inf)
    who = np.zeros(n, dtype=np.int64)
    a = np.empty(n - 1, dtype=np.int64)
    b = np.empty(n - 1, dtype=np.int64)
    h = np.empty(n - 1)
    p = np.empty(d)
    acc = np.empty(BLOCK)
    # point 0 enters first: move it to the end of the working set
    m = n
    cur = 0
    pos = 0
    for step in range(n - 1):
        # remove `cur` (at position pos) from the active set
        for k in range(d):
            p[k] = Xt[k, pos]
        pnorm = norms_t[pos]
        m -= 1
        _swap(Xt, perm, norms_t, mind, who, pos, m)
        best = -1
        bestd = np.inf
        for lo in range(0, m, BLOCK):
            hi = min(lo + BLOCK, m)
            _block_distances(Xt, lo, hi, p, metric, norms_t, pnorm, acc)
            for t in range(hi - lo):
                j = lo + t
                if acc[t] < mind[j]:
                    mind[j] = acc[t]
                    who[j] = cur
                dj = mind[j]
                if dj < bestd or (dj == bestd and best >= 0 and perm[j] < perm[best]):
                    bestd = dj
                    best = j
        nxt = perm[best]
        a[step] = who[best]
        b[step] = nxt
        h[step] = math.sqrt(bestd) if metric == EUCLIDEAN else bestd
        cur = nxt
        pos = best
    return a, b, h


@njit(cache=True, nogil=True)
def _swap(Xt, perm, norms_t, mind, who, i, j):
    if i == j:
        return
    for k in range(Xt.shape[0]):
        t = Xt[k, i]
        Xt[k, i] = Xt[k, j]
        Xt[k, j] = t
    perm[i], perm[j] = perm[j], perm[i]
    norms_t[i], norms_t[j] = norms_t[j], norms_t[i]
    mind[i], mind[j] = mind[j], mind[i]
    who[i], who[j] = who[j], who[i]


@njit(cache=True, nogil=True)
def prim_condensed(D, n):
    """Single-linkage merges (Prim) over a condensed distance vector ``D``.

    Returns ``(a, b, height)`` in the order the edges were added.
    """
    active = np.arange(n)
    mind = np.full(n, np.inf)
    who = np.zeros(n, dtype=np.int64)
    a = np.empty(n - 1, dtype=np.int64)
    b = np.empty(n - 1, dtype=np.int64)
    h = np.empty(n - 1)
    m = n - 1
    active[0] = n - 1  # point 0 enters the tree first
    active[n - 1] = 0
    cur = 0
    for step in range(n - 1):
        best = -1
        bestd = np.inf
        for t in range(m):
            j = active[t]
            if j < cur:
                dist = D[condensed_index(n, j, cur)]
            else:
                dist = D[condensed_index(n, cur, j)]
            if dist < mind[t]:
                mind[t] = dist
                who[t] = cur
            dt = mind[t]
            if dt < bestd or (dt == bestd and best >= 0 and j < active[best]):
                bestd = dt
                best = t
        nxt = active[best]
        a[step] = who[best]
        b[step] = nxt
        h[step] = bestd
        m -= 1
        active[best], active[m] = active[m], active[best]
        mind[best], mind[m] = mind[m], mind[best]
        who[best], who[m] = who[m], who[best]
        cur = nxt
    return a, b, h
