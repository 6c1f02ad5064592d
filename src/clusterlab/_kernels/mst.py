"""Memory-saving linkage over raw data, and Prim over a condensed vector.

* ``prim_raw`` / ``prim_condensed``: Prim's minimum spanning tree for single
  linkage (Müllner 2011, MST-linkage). The raw variant runs in O(n d) memory.
  Points not yet in the tree stay packed at the front of the working arrays
  (swap-remove), so each step is one contiguous pass. Among equally near
  outside points the one with the smallest original index joins first.
* ``generic_raw``: Müllner's generic algorithm over cluster centres in
  O(n d) memory (ward, centroid, median with euclidean distance).
"""

import math

import numpy as np
from numba import njit

from clusterlab._kernels.linkage import (
    MEDIAN,
    WARD,
    _heap_build,
    _heap_pop,
    _heap_update,
)
from clusterlab._kernels.pdist import (
    CHEBYSHEV,
    CITYBLOCK,
    COSINE,
    EUCLIDEAN,
    condensed_index,
)

_BLOCK = 256


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
    acc = np.empty(_BLOCK)
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
        for lo in range(0, m, _BLOCK):
            hi = min(lo + _BLOCK, m)
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


# ------------------------------------------------- generic, raw data, O(n d)
# Clusters live in "slots" 0..m-1 of a feature-major centre matrix Ct (d, n);
# slot order equals original-index order, so "j > i" is the same relation as
# in the condensed algorithm. Dead slots are skipped with `alive` and squeezed
# out once a quarter of the slots are dead (order kept, so the heap stays
# valid after renumbering).


@njit(cache=True, nogil=True)
def _key_scale(method, ni, nj):
    # ward compares n_i n_j / (n_i + n_j) * |c_i - c_j|^2; others |c_i - c_j|^2
    if method == WARD:
        return ni * nj / (ni + nj)
    return 1.0


@njit(cache=True, nogil=True)
def _key(Ct, size, method, i, j):
    acc = 0.0
    for k in range(Ct.shape[0]):
        t = Ct[k, i] - Ct[k, j]
        acc += t * t
    return acc * _key_scale(method, size[i], size[j])


@njit(cache=True, nogil=True, error_model="numpy")  # no zero check: ward's division vectorises
def _block_keys(Ct, size, method, x, lo, hi, acc):
    # OUT: acc[0:hi-lo] = keys from slot x to slots lo..hi-1 (feature-order
    # sums; 1-D slices so the inner loop vectorises)
    a = acc[: hi - lo]
    a[:] = 0.0
    for k in range(Ct.shape[0]):
        cx = Ct[k, x]
        row = Ct[k, lo:hi]
        for t in range(a.shape[0]):
            diff = row[t] - cx
            a[t] += diff * diff
    if method == WARD:
        sx = size[x]
        sz = size[lo:hi]
        for t in range(a.shape[0]):
            a[t] *= sx * sz[t] / (sx + sz[t])


@njit(cache=True, nogil=True)
def _argmin_after(Ct, size, alive, method, x, m, acc):
    # nearest alive slot j > x; the key is recomputed by the scalar `_key` so
    # that the staleness test in the main loop compares identical numbers
    bj = -1
    best = np.inf
    for lo in range(x + 1, m, _BLOCK):
        hi = min(lo + _BLOCK, m)
        _block_keys(Ct, size, method, x, lo, hi, acc)
        for t in range(hi - lo):
            if alive[lo + t] and acc[t] < best:
                best = acc[t]
                bj = lo + t
    if bj >= 0:
        best = _key(Ct, size, method, x, bj)
    return bj, best


@njit(cache=True, nogil=True)
def _merge_centres(Ct, size, method, x, y):
    nx = size[x]
    ny = size[y]
    for k in range(Ct.shape[0]):
        if method == MEDIAN:
            Ct[k, y] = 0.5 * (Ct[k, x] + Ct[k, y])
        else:
            Ct[k, y] = (nx * Ct[k, x] + ny * Ct[k, y]) / (nx + ny)
    size[y] = nx + ny


@njit(cache=True, nogil=True)
def _update_before(Ct, size, alive, method, x, y, nghbr, mindist, heap, hpos, hsize, acc):
    # keys from the merged cluster y to alive slots j < y: lower the bounds
    for lo in range(0, y, _BLOCK):
        hi = min(lo + _BLOCK, y)
        _block_keys(Ct, size, method, y, lo, hi, acc)
        for t in range(hi - lo):
            j = lo + t
            if not alive[j]:
                continue
            if nghbr[j] == x:
                nghbr[j] = y
            if acc[t] < mindist[j]:
                mindist[j] = acc[t]
                nghbr[j] = y
                _heap_update(heap, hpos, mindist, j, hsize)


@njit(cache=True, nogil=True)
def _compact(Ct, size, alive, orig, nghbr, mindist, heap, hpos, hsize, m):
    # renumber alive slots 0..w-1 in order; returns w
    newid = np.full(m, -1, dtype=np.int64)
    w = 0
    for s in range(m):
        if alive[s]:
            newid[s] = w
            w += 1
    for s in range(m):  # newid[s] <= s: moving forward never overwrites unread data
        if alive[s]:
            t = newid[s]
            for k in range(Ct.shape[0]):
                Ct[k, t] = Ct[k, s]
            size[t] = size[s]
            orig[t] = orig[s]
            nghbr[t] = newid[nghbr[s]] if nghbr[s] >= 0 else -1
            mindist[t] = mindist[s]
    alive[:w] = True
    alive[w:m] = False
    hpos[:m] = -1
    for p in range(hsize):
        heap[p] = newid[heap[p]]
        hpos[heap[p]] = p
    return w


@njit(cache=True, nogil=True)
def generic_raw(X, method):
    """Generic linkage over the rows of ``X`` for ward, centroid or median.

    Memory is O(n d). Returns ``(a, b, height)`` in merge order with ``a < b``
    original indices (the merged cluster keeps the larger one).
    """
    n, d = X.shape
    Ct = np.empty((d, n))
    for i in range(n):
        for k in range(d):
            Ct[k, i] = X[i, k]
    size = np.ones(n)
    alive = np.ones(n, dtype=np.bool_)
    orig = np.arange(n)
    nghbr = np.full(n, -1, dtype=np.int64)
    mindist = np.full(n, np.inf)
    acc = np.empty(_BLOCK)
    m = n
    for i in range(n - 1):
        nghbr[i], mindist[i] = _argmin_after(Ct, size, alive, method, i, m, acc)
    heap = np.arange(n - 1)
    hpos = np.full(n, -1, dtype=np.int64)
    hsize = n - 1
    _heap_build(heap, hpos, mindist, hsize)
    a = np.empty(n - 1, dtype=np.int64)
    b = np.empty(n - 1, dtype=np.int64)
    h = np.empty(n - 1)
    dead = 0
    for k in range(n - 1):
        x = heap[0]
        while mindist[x] < _key(Ct, size, method, x, nghbr[x]):
            nghbr[x], mindist[x] = _argmin_after(Ct, size, alive, method, x, m, acc)
            _heap_update(heap, hpos, mindist, x, hsize)
            x = heap[0]
        y = nghbr[x]
        key = mindist[x]
        hsize = _heap_pop(heap, hpos, mindist, hsize)
        a[k] = orig[x]
        b[k] = orig[y]
        h[k] = math.sqrt(2.0 * key) if method == WARD else math.sqrt(key)
        _merge_centres(Ct, size, method, x, y)
        alive[x] = False
        dead += 1
        _update_before(Ct, size, alive, method, x, y, nghbr, mindist, heap, hpos, hsize, acc)
        if hpos[y] >= 0:
            nghbr[y], mindist[y] = _argmin_after(Ct, size, alive, method, y, m, acc)
            _heap_update(heap, hpos, mindist, y, hsize)
        if dead * 4 > m and m > 2 * _BLOCK:
            m = _compact(Ct, size, alive, orig, nghbr, mindist, heap, hpos, hsize, m)
            dead = 0
    return a, b, h
