"""Pairwise distances into a condensed vector, and one-point-to-many distances.

Metric codes (shared with the MST and linkage kernels): 0 euclidean,
1 sqeuclidean, 2 cityblock, 3 cosine, 4 chebyshev. Every sum over features
runs in feature order, so the row kernel and the scalar kernel return the
same bits for the same pair (the linkage kernels rely on this).
"""

import math

import numpy as np
from numba import njit, prange

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)

EUCLIDEAN, SQEUCLIDEAN, CITYBLOCK, COSINE, CHEBYSHEV = 0, 1, 2, 3, 4


@njit(cache=True, nogil=True)
def condensed_index(n, i, j):
    """Index of the pair (i, j), i < j, in a condensed vector over n points."""
    return n * i - (i * (i + 1)) // 2 + (j - i - 1)


@njit(cache=True, nogil=True)
def pair_distance(X, i, Y, j, metric, norms_x, norms_y):
    """Distance between row i of X and row j of Y."""
    d = X.shape[1]
    acc = 0.0
    if metric == CITYBLOCK:
        for k in range(d):
            acc += abs(np.float64(X[i, k]) - np.float64(Y[j, k]))
        return acc
    if metric == CHEBYSHEV:
        for k in range(d):
            acc = max(acc, abs(np.float64(X[i, k]) - np.float64(Y[j, k])))
        return acc
    if metric == COSINE:
        for k in range(d):
            acc += np.float64(X[i, k]) * np.float64(Y[j, k])
        return max(1.0 - acc / (norms_x[i] * norms_y[j]), 0.0)
    for k in range(d):
        t = np.float64(X[i, k]) - np.float64(Y[j, k])
        acc += t * t
    if metric == EUCLIDEAN:
        return math.sqrt(acc)
    return acc


_BLOCK = 512


@njit(cache=True, nogil=True)
def _fill_row(X, Xt, i, metric, norms, out):
    # OUT: out[start:start + n - i - 1] = distances from row i to rows i+1..n-1.
    # Features outermost so the inner loop vectorises over rows of the
    # feature-major copy Xt; each sum still runs in feature order.
    n, d = X.shape
    if i >= n - 1:
        return
    start = condensed_index(n, i, i + 1) - (i + 1)
    for lo in range(i + 1, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        o = out[start + lo:start + hi]
        o[:] = 0.0
        for k in range(d):
            xk = np.float64(X[i, k])
            row = Xt[k, lo:hi]
            if metric == CITYBLOCK:
                for t in range(hi - lo):
                    o[t] += abs(row[t] - xk)
            elif metric == CHEBYSHEV:
                for t in range(hi - lo):
                    o[t] = max(o[t], abs(row[t] - xk))
            elif metric == COSINE:
                for t in range(hi - lo):
                    o[t] += row[t] * xk
            else:
                for t in range(hi - lo):
                    diff = row[t] - xk
                    o[t] += diff * diff
        if metric == EUCLIDEAN:
            for t in range(hi - lo):
                o[t] = math.sqrt(o[t])
        elif metric == COSINE:
            for t in range(hi - lo):
                o[t] = max(1.0 - o[t] / (norms[i] * norms[lo + t]), 0.0)


@njit(cache=True, nogil=True, parallel=True)
def pdist_condensed(X, metric, norms, out):
    """Fill ``out`` (length n(n-1)/2) with the condensed distances of ``X``.

    Rows are paired (t, n-1-t) per parallel task so that every task holds
    about n distances: the triangle balances across threads.
    """
    n, d = X.shape
    Xt = np.empty((d, n))
    for i in prange(n):
        for k in range(d):
            Xt[k, i] = X[i, k]
    for t in prange((n + 1) // 2):
        _fill_row(X, Xt, t, metric, norms, out)
        u = n - 1 - t
        if u != t:
            _fill_row(X, Xt, u, metric, norms, out)


@njit(cache=True, nogil=True)
def row_norms(X):
    """Euclidean norm of each row (for the cosine metric)."""
    n, d = X.shape
    out = np.empty(n)
    for i in range(n):
        acc = 0.0
        for k in range(d):
            acc += np.float64(X[i, k]) * np.float64(X[i, k])
        out[i] = math.sqrt(acc)
    return out
