"""Operations on a finished linkage: scipy's relabelling into a linkage
matrix (union-find), flat cuts, subtree heights and cophenetic distances."""

import numpy as np
from numba import njit

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)
from clusterlab._kernels.pdist import condensed_index

# ------------------------------------------------------------- relabelling


@njit(cache=True, nogil=True)
def _find(parent, x):
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:  # path compression
        nxt = parent[x]
        parent[x] = root
        x = nxt
    return root


@njit(cache=True, nogil=True)
def label(a, b, h, n):
    """scipy's ``label``: representative indices -> cluster ids n+i, sizes.

    ``a``, ``b``, ``h`` are already in output order. Returns Z (n-1, 4).
    """
    Z = np.empty((n - 1, 4))
    parent = np.arange(2 * n - 1)
    size = np.ones(2 * n - 1)
    # slot[p] = current cluster id of representative point p
    for k in range(n - 1):
        x = _find(parent, a[k])
        y = _find(parent, b[k])
        new = n + k
        parent[x] = new
        parent[y] = new
        size[new] = size[x] + size[y]
        if x < y:
            Z[k, 0] = x
            Z[k, 1] = y
        else:
            Z[k, 0] = y
            Z[k, 1] = x
        Z[k, 2] = h[k]
        Z[k, 3] = size[new]
    return Z


# ------------------------------------------------------------ tree queries


@njit(cache=True, nogil=True)
def apply_merges(Z, n, mask):
    """Flat labels after applying the merges ``k`` with ``mask[k]``.

    Labels are 0..c-1 in order of first appearance over the points.
    """
    parent = np.arange(2 * n - 1)
    for k in range(n - 1):
        if mask[k]:
            parent[np.int64(Z[k, 0])] = n + k
            parent[np.int64(Z[k, 1])] = n + k
    labels = np.empty(n, dtype=np.int64)
    ids = np.full(2 * n - 1, -1, dtype=np.int64)
    c = 0
    for i in range(n):
        r = _find(parent, i)
        if ids[r] < 0:
            ids[r] = c
            c += 1
        labels[i] = ids[r]
    return labels


@njit(cache=True, nogil=True)
def max_heights(Z, n):
    """Largest merge height inside each merge's subtree (scipy's ``maxdists``)."""
    out = np.empty(n - 1)
    for k in range(n - 1):
        v = Z[k, 2]
        for c in range(2):
            child = np.int64(Z[k, c])
            if child >= n:
                v = max(v, out[child - n])
        out[k] = v
    return out


@njit(cache=True, nogil=True)
def cophenetic(Z, n):
    """Condensed cophenetic distances: the height at which two points first meet."""
    out = np.empty(n * (n - 1) // 2)
    head = np.empty(2 * n - 1, dtype=np.int64)
    tail = np.empty(2 * n - 1, dtype=np.int64)
    nxt = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        head[i] = i
        tail[i] = i
    for k in range(n - 1):
        left = np.int64(Z[k, 0])
        right = np.int64(Z[k, 1])
        hk = Z[k, 2]
        i = head[left]
        while i != -1:
            j = head[right]
            while j != -1:
                if i < j:
                    out[condensed_index(n, i, j)] = hk
                else:
                    out[condensed_index(n, j, i)] = hk
                j = nxt[j]
            i = nxt[i]
        nxt[tail[left]] = head[right]
        head[n + k] = head[left]
        tail[n + k] = tail[right]
    return out
