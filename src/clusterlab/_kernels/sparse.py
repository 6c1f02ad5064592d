"""k-means kernels over CSR rows (``indptr``, ``indices``, ``data``), never densified.

A row's dot products with all ``k`` centres are accumulated from its non-zeros
against the centres stored transposed (``CT``, shape ``(n_features, k)``), so
each non-zero reads ``k`` contiguous numbers: ``O(nnz x k)`` work per pass and
no memory beyond the centres and ``O(k)`` per thread. Sums are float64 whatever
the data's dtype.
"""

import numpy as np
from numba import njit, prange

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)

# Rows per parallel block: one accumulator of k numbers is reused across a block.
BLOCK = 256


@njit(cache=True, nogil=True)
def csr_has_duplicates(indptr, indices, n_features):
    """True when some row names a column twice (sorted or not); O(nnz + n_features)."""
    seen = np.full(n_features, -1, dtype=np.int64)
    for i in range(indptr.size - 1):
        for j in range(indptr[i], indptr[i + 1]):
            if seen[indices[j]] == i:
                return True
            seen[indices[j]] = i
    return False


@njit(cache=True, nogil=True)
def csr_row_sq_norms(indptr, data, out):
    """``out[i] = ||X[i]||^2`` (float64)."""
    for i in range(indptr.size - 1):
        s = 0.0
        for j in range(indptr[i], indptr[i + 1]):
            s += float(data[j]) * float(data[j])
        out[i] = s


@njit(cache=True, nogil=True)
def _row_dots(indptr, indices, data, i, CT, acc):
    acc[:] = 0.0
    k = CT.shape[1]
    for j in range(indptr[i], indptr[i + 1]):
        v = float(data[j])
        col = indices[j]
        for c in range(k):
            acc[c] += v * CT[col, c]


@njit(cache=True, nogil=True, parallel=True)
def csr_nearest(indptr, indices, data, x_sq, CT, c_sq, labels, dist):
    """Nearest centre (ties to the lowest index) and the squared distance to it.

    ``dist[i] = max(||x||^2 - 2 x.c + ||c||^2, 0)``; returns nothing, fills the
    outputs. With unit rows and unit centres this is also the cosine assignment.
    """
    n = indptr.size - 1
    k = CT.shape[1]
    n_blocks = (n + BLOCK - 1) // BLOCK
    for b in prange(n_blocks):
        acc = np.empty(k)
        for i in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
            _row_dots(indptr, indices, data, i, CT, acc)
            best = c_sq[0] - 2.0 * acc[0]
            arg = 0
            for c in range(1, k):
                v = c_sq[c] - 2.0 * acc[c]
                if v < best:
                    best = v
                    arg = c
            labels[i] = arg
            dist[i] = max(x_sq[i] + best, 0.0)


@njit(cache=True, nogil=True, parallel=True)
def csr_sq_distances(indptr, indices, data, x_sq, CT, c_sq, out):
    """``out[c, i] = max(||x_i - c||^2, 0)`` for every row and centre (``out`` is (k, n))."""
    n = indptr.size - 1
    k = CT.shape[1]
    n_blocks = (n + BLOCK - 1) // BLOCK
    for b in prange(n_blocks):
        acc = np.empty(k)
        for i in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
            _row_dots(indptr, indices, data, i, CT, acc)
            for c in range(k):
                out[c, i] = max(x_sq[i] - 2.0 * acc[c] + c_sq[c], 0.0)


@njit(cache=True, nogil=True)
def csr_cluster_sums(indptr, indices, data, w, labels, sums, weight):
    """``sums[l] += w_i x_i`` and ``weight[l] += w_i`` over rows (``sums`` zeroed first)."""
    sums[:] = 0.0
    weight[:] = 0.0
    for i in range(indptr.size - 1):
        lab = labels[i]
        wi = float(w[i])
        weight[lab] += wi
        for j in range(indptr[i], indptr[i + 1]):
            sums[lab, indices[j]] += wi * float(data[j])


@njit(cache=True, nogil=True)
def csr_add_row(indptr, indices, data, i, scale, out):
    """``out += scale * X[i]`` (one sparse row into a dense vector)."""
    for j in range(indptr[i], indptr[i + 1]):
        out[indices[j]] += scale * float(data[j])
