"""Müllner's generic linkage algorithm (2011): one loop over a priority queue
of each cluster's nearest-neighbour candidate, with two distance stores:

* ``generic_condensed``: a condensed distance vector updated by
  Lance-Williams (centroid and median; any method).
* ``generic_raw``: cluster centres in O(n d) memory (ward, centroid and
  median with euclidean distance).

The loop (``_generic_loop``) asks its store five things (nearest later
cluster, exact key, label, height, merge) and one chore (tidy); the store
is a tuple, and each question is dispatched on the tuple's type at compile
time (``numba.extending.overload``), so each store compiles to its own
specialisation of the same loop and caches like any kernel (numba cannot
cache a kernel that takes functions as arguments).

Both return merges as ``(a, b, height)`` in merge order, ``a < b``
representative point indices; the queue orders equal keys by the smaller
index.
"""

import math

import numpy as np
from numba import njit
from numba.extending import overload

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)
from clusterlab._kernels.linkage_heap import heap_of, heap_pop, heap_update
from clusterlab._kernels.linkage_methods import (
    BLOCK,
    MEDIAN,
    WARD,
    condensed_get,
    lance_williams,
)
from clusterlab._kernels.pdist import condensed_index


@njit(cache=True, nogil=True)
def _unlink(x, first, nxt, prv):
    # remove x from the doubly linked list of active indices; return new head
    p = prv[x]
    q = nxt[x]
    if p >= 0:
        nxt[p] = q
    else:
        first = q
    if q < nxt.shape[0]:
        prv[q] = p
    return first


# ------------------------------------------------------- generic, condensed


@njit(cache=True, nogil=True)
def _row_argmin(D, n, x, nxt):
    # nearest active j > x (first minimum in index order)
    best = np.inf
    bj = -1
    if x >= n - 1:
        return bj, best
    base = condensed_index(n, x, x + 1) - (x + 1)
    j = nxt[x]
    while j < n:
        v = D[base + j]
        if v < best:
            best = v
            bj = j
        j = nxt[j]
    return bj, best


@njit(cache=True, nogil=True)
def _generic_lower_bounds(D, n, method, x, y, dxy, size, first, nxt, nghbr, mindist,
                          heap, hpos, hsize):
    # distances from the union (kept at y) to active j < y; lower the bounds
    nx = size[x]
    ny = size[y]
    j = first
    while j < y:
        jy = condensed_index(n, j, y)
        v = lance_williams(method, condensed_get(D, n, j, x), D[jy], dxy, nx, ny, size[j])
        D[jy] = v
        if nghbr[j] == x:
            nghbr[j] = y
        if v < mindist[j]:
            mindist[j] = v
            nghbr[j] = y
            heap_update(heap, hpos, mindist, j, hsize)
        j = nxt[j]


@njit(cache=True, nogil=True)
def _condensed_merge(store, x, y, dxy, nghbr, mindist, heap, hpos, hsize):
    # Lance-Williams update of the union (kept at y); returns y's nearest j > y
    D, n, method, size, nxt, prv, head = store
    nx = size[x]
    ny = size[y]
    head[0] = _unlink(x, head[0], nxt, prv)
    _generic_lower_bounds(D, n, method, x, y, dxy, size, head[0], nxt, nghbr, mindist,
                          heap, hpos, hsize)
    best = np.inf
    bj = -1
    j = nxt[y]
    while j < n:
        yj = condensed_index(n, y, j)
        v = lance_williams(method, D[condensed_index(n, x, j)], D[yj], dxy, nx, ny, size[j])
        D[yj] = v
        if v < best:
            best = v
            bj = j
        j = nxt[j]
    size[y] = nx + ny
    return bj, best


@njit(cache=True, nogil=True)
def generic_condensed(D, n, method):
    """Müllner's generic linkage; ``D`` (condensed, float64) is overwritten.

    Merges come out in the order they happen (heights may decrease for
    centroid and median, as in scipy).
    """
    store = (D, n, method, np.ones(n), np.arange(1, n + 1), np.arange(-1, n - 1),
             np.zeros(1, dtype=np.int64))
    return _generic_loop(store, n)


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
    for lo in range(x + 1, m, BLOCK):
        hi = min(lo + BLOCK, m)
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
    for lo in range(0, y, BLOCK):
        hi = min(lo + BLOCK, y)
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
                heap_update(heap, hpos, mindist, j, hsize)


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
def _raw_merge(store, x, y, nghbr, mindist, heap, hpos, hsize):
    # move the union's centre to y, lower bounds before y; y's nearest j > y
    Ct, size, alive, orig, method, acc, slots = store
    _merge_centres(Ct, size, method, x, y)
    alive[x] = False
    slots[1] += 1
    _update_before(Ct, size, alive, method, x, y, nghbr, mindist, heap, hpos, hsize, acc)
    if hpos[y] < 0:
        return -1, np.inf
    return _argmin_after(Ct, size, alive, method, y, slots[0], acc)


@njit(cache=True, nogil=True)
def _raw_tidy(store, nghbr, mindist, heap, hpos, hsize):
    # squeeze dead slots out once a quarter of them are dead
    Ct, size, alive, orig, method, acc, slots = store
    m = slots[0]
    if slots[1] * 4 > m and m > 2 * BLOCK:
        slots[0] = _compact(Ct, size, alive, orig, nghbr, mindist, heap, hpos, hsize, m)
        slots[1] = 0


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
    # slots: [number of slots in use, dead slots among them]
    slots = np.array([n, 0], dtype=np.int64)
    store = (Ct, np.ones(n), np.ones(n, dtype=np.bool_), np.arange(n), method,
             np.empty(BLOCK), slots)
    return _generic_loop(store, n)


# ------------------------------------------------------------- the one loop
# Each question dispatches on the store: a condensed store starts with the
# 1-D distance vector, a raw store with the 2-D centre matrix.


def _nearest_after(store, x):
    """Nearest active cluster j > x and its key (compile-time dispatch)."""


def _exact_key(store, x, j):
    """The current key between x and j (compile-time dispatch)."""


def _label(store, x):
    """The representative point index of cluster x (compile-time dispatch)."""


def _height(store, key):
    """The merge height of a key (compile-time dispatch)."""


def _merge(store, x, y, key, nghbr, mindist, heap, hpos, hsize):
    """Merge x into y; return y's nearest j > y (compile-time dispatch)."""


def _tidy(store, nghbr, mindist, heap, hpos, hsize):
    """Housekeeping after a merge (compile-time dispatch)."""


def _condensed(store):
    return store[0].ndim == 1


@overload(_nearest_after)
def _nearest_after_impl(store, x):
    if _condensed(store):
        return lambda store, x: _row_argmin(store[0], store[1], x, store[4])
    return lambda store, x: _argmin_after(store[0], store[1], store[2], store[4], x,
                                          store[6][0], store[5])


@overload(_exact_key)
def _exact_key_impl(store, x, j):
    if _condensed(store):
        return lambda store, x, j: store[0][condensed_index(store[1], x, j)]
    return lambda store, x, j: _key(store[0], store[1], store[4], x, j)


@overload(_label)
def _label_impl(store, x):
    if _condensed(store):
        return lambda store, x: x
    return lambda store, x: store[3][x]


@overload(_height)
def _height_impl(store, key):
    if _condensed(store):
        return lambda store, key: key
    return lambda store, key: math.sqrt(2.0 * key) if store[4] == WARD else math.sqrt(key)


@overload(_merge)
def _merge_impl(store, x, y, key, nghbr, mindist, heap, hpos, hsize):
    if _condensed(store):
        return (lambda store, x, y, key, nghbr, mindist, heap, hpos, hsize:
                _condensed_merge(store, x, y, key, nghbr, mindist, heap, hpos, hsize))
    return (lambda store, x, y, key, nghbr, mindist, heap, hpos, hsize:
            _raw_merge(store, x, y, nghbr, mindist, heap, hpos, hsize))


@overload(_tidy)
def _tidy_impl(store, nghbr, mindist, heap, hpos, hsize):
    if _condensed(store):
        return lambda store, nghbr, mindist, heap, hpos, hsize: None
    return (lambda store, nghbr, mindist, heap, hpos, hsize:
            _raw_tidy(store, nghbr, mindist, heap, hpos, hsize))


@njit(cache=True, nogil=True)
def _generic_loop(store, n):
    nghbr = np.full(n, -1, dtype=np.int64)
    mindist = np.full(n, np.inf)
    for i in range(n - 1):
        nghbr[i], mindist[i] = _nearest_after(store, i)
    heap, hpos = heap_of(mindist, n - 1)
    hsize = n - 1
    a = np.empty(n - 1, dtype=np.int64)
    b = np.empty(n - 1, dtype=np.int64)
    h = np.empty(n - 1)
    for k in range(n - 1):
        x = heap[0]
        # lazily repair a stale lower bound until the top is exact
        while mindist[x] < _exact_key(store, x, nghbr[x]):
            nghbr[x], mindist[x] = _nearest_after(store, x)
            heap_update(heap, hpos, mindist, x, hsize)
            x = heap[0]
        y = nghbr[x]
        key = mindist[x]
        hsize = heap_pop(heap, hpos, mindist, hsize)
        a[k] = _label(store, x)
        b[k] = _label(store, y)
        h[k] = _height(store, key)
        bj, best = _merge(store, x, y, key, nghbr, mindist, heap, hpos, hsize)
        if hpos[y] >= 0:
            nghbr[y] = bj
            mindist[y] = best
            heap_update(heap, hpos, mindist, y, hsize)
        _tidy(store, nghbr, mindist, heap, hpos, hsize)
    return a, b, h
