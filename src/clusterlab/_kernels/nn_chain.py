"""The nearest-neighbour chain (Müllner 2011) over a condensed distance vector:
complete, average, weighted and ward linkage (any reducible method).

Returns merges as ``(a, b, height)`` where ``a < b`` are representative point
indices and the merged cluster is represented by ``b`` afterwards (scipy's
convention before :func:`~clusterlab._kernels.linkage_tree.label`). Ties: a
nearest-neighbour search keeps the first minimum met in increasing index
order, and the chain's previous element wins ties (which guarantees
termination).
"""


import numpy as np
from numba import njit

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)
from clusterlab._kernels.linkage_methods import (
    LOOK,
    condensed_get,
    lance_williams,
    prefetch,
)
from clusterlab._kernels.pdist import condensed_index


@njit(cache=True, nogil=True)
def _chain_nn(D, m, x, cand, cmin, alive):
    # Nearest neighbour of slot x; `cand` (distance `cmin`) wins ties, then
    # the lowest slot. Dead slots are masked with a select, not a branch.
    y = cand
    inf = np.inf
    idx = x - 1  # condensed_index(m, 0, x)
    ahead = x - 1  # index LOOK steps down the column
    for i in range(min(LOOK, x)):
        ahead += m - i - 2
    for i in range(x):  # column part of x: strided
        if i + LOOK < x:
            prefetch(D, ahead)
            ahead += m - (i + LOOK) - 2
        v = D[idx] if alive[i] else inf
        if v < cmin:
            cmin = v
            y = i
        idx += m - i - 2
    if x < m - 1:
        base = condensed_index(m, x, x + 1) - (x + 1)
        for j in range(x + 1, m):  # row part of x: contiguous
            v = D[base + j] if alive[j] else inf
            if v < cmin:
                cmin = v
                y = j
    return y, cmin


@njit(cache=True, nogil=True)
def _chain_merge(D, m, method, x, y, dxy, size):
    # New distances to the union, stored in slot y. Slot x is left as it is
    # (masked as dead); dead slots get meaningless values, never read.
    nx = size[x]
    ny = size[y]
    ix = x - 1
    iy = y - 1
    off = 0  # distance, in entries, from row i to row i + LOOK of a column
    for i in range(min(LOOK, x)):
        off += m - i - 2
    for i in range(x):
        if i + LOOK < x:
            prefetch(D, ix + off)
            prefetch(D, iy + off)
            off += m - (i + LOOK) - 2
        step = m - i - 2
        off -= step
        D[iy] = lance_williams(method, D[ix], D[iy], dxy, nx, ny, size[i])
        ix += step
        iy += step
    rowx = condensed_index(m, x, x + 1) - (x + 1)
    iy = condensed_index(m, x + 1, y) if x + 1 < y else 0
    ahead = iy
    for i in range(x + 1, min(x + 1 + LOOK, y)):
        ahead += m - i - 2
    for i in range(x + 1, y):
        if i + LOOK < y:
            prefetch(D, ahead)
            ahead += m - (i + LOOK) - 2
        D[iy] = lance_williams(method, D[rowx + i], D[iy], dxy, nx, ny, size[i])
        iy += m - i - 2
    if y < m - 1:
        rowy = condensed_index(m, y, y + 1) - (y + 1)
        for i in range(y + 1, m):
            D[rowy + i] = lance_williams(method, D[rowx + i], D[rowy + i], dxy, nx, ny, size[i])
    size[y] = nx + ny


@njit(cache=True, nogil=True)
def _squeeze(D, m, alive, orig, size, chain, clen):
    # Drop dead slots in place (order kept): condensed index of a kept pair
    # never grows, so a forward copy reads each value before overwriting it.
    newid = np.full(m, -1, dtype=np.int64)
    w = 0
    for s in range(m):
        if alive[s]:
            newid[s] = w
            orig[w] = orig[s]
            size[w] = size[s]
            w += 1
    pos = 0
    for i in range(m - 1):
        if not alive[i]:
            continue
        base = condensed_index(m, i, i + 1) - (i + 1)
        for j in range(i + 1, m):
            if alive[j]:
                D[pos] = D[base + j]
                pos += 1
    alive[:w] = True
    alive[w:m] = False
    for c in range(clen):
        chain[c] = newid[chain[c]]
    return w


@njit(cache=True, nogil=True)
def nn_chain(D, n, method):
    """Nearest-neighbour chain linkage; ``D`` (condensed, float64) is overwritten.

    Merged-away slots are masked in the scans and squeezed out of ``D`` once a
    quarter of the slots are dead, which keeps the scans short and the matrix
    cache-friendly as clusters merge.
    """
    m = n
    size = np.ones(n)
    alive = np.ones(n, dtype=np.bool_)
    orig = np.arange(n)
    chain = np.empty(n, dtype=np.int64)
    clen = 0
    dead = 0
    a = np.empty(n - 1, dtype=np.int64)
    b = np.empty(n - 1, dtype=np.int64)
    h = np.empty(n - 1)
    for k in range(n - 1):
        if clen == 0:
            s = 0
            while not alive[s]:
                s += 1
            chain[0] = s
            clen = 1
        while True:
            x = chain[clen - 1]
            if clen > 1:
                prev = chain[clen - 2]
                y, cmin = _chain_nn(D, m, x, prev, condensed_get(D, m, x, prev), alive)
                if y == prev:
                    break
            else:
                y, cmin = _chain_nn(D, m, x, -1, np.inf, alive)
            chain[clen] = y
            clen += 1
        clen -= 2
        if x > y:
            x, y = y, x
        a[k] = orig[x]
        b[k] = orig[y]
        h[k] = cmin
        alive[x] = False
        _chain_merge(D, m, method, x, y, cmin, size)
        dead += 1
        if dead * 4 > m and m > 64:
            m = _squeeze(D, m, alive, orig, size, chain, clen)
            dead = 0
    return a, b, h
