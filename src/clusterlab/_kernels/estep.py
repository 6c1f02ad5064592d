"""E-step kernels: turn one chunk of weighted log-probabilities into responsibilities.

``logp[i, j] = log(pi_j) + log p_j(x_i)`` arrives from a family's ``log_prob``;
one pass per row does the log-sum-exp, the responsibilities (soft, or one-hot
for hard / classification EM) and the row's ELBO term, in place, so no second
(n, k) temporary is needed.
"""

import math

import numpy as np
from numba import njit

from clusterlab._kernels.vexp import exp_neg_block

# Rows per block of the vectorised exp: the block's buffers stay in L1.
_ROWS = 32


@njit(cache=True, nogil=True)
def _row_max(logp, i):
    best = -np.inf
    arg = 0
    for j in range(logp.shape[1]):
        if logp[i, j] > best:
            best = logp[i, j]
            arg = j
    return best, arg


@njit(cache=True, nogil=True)
def normalize_rows(logp, hard, log_norm, elbo):
    """Overwrite ``logp`` (n, k) with responsibilities.

    Parameters
    ----------
    logp : ndarray of shape (n, k)
        IN: weighted log-probabilities. OUT: responsibilities (rows sum to 1).
    hard : bool
        One-hot responsibilities at the row's argmax (classification EM).
    log_norm : ndarray of shape (n,)
        OUT: ``logsumexp(logp[i])``, the row's log-likelihood.
    elbo : ndarray of shape (n,)
        OUT: ``sum_j r_ij (logp_ij - log r_ij)``. For soft responsibilities
        this is exactly ``log_norm`` (substitute ``log r = logp - log_norm``);
        for hard ones it is the classification log-likelihood ``max_j logp_ij``.

    Notes
    -----
    One exp per entry, ``exp(logp - row max)``, computed a block of rows at a
    time with the vectorisable exp of ``vexp.py`` (libm's scalar exp was most
    of the E-step's time); terms below exp(-708) count as 0.
    """
    n, k = logp.shape
    g = np.empty(_ROWS * k)
    e = np.empty(_ROWS * k)
    tmp = np.empty(_ROWS * k)
    best = np.empty(_ROWS)
    arg = np.empty(_ROWS, dtype=np.int64)
    for r0 in range(0, n, _ROWS):
        r1 = min(n, r0 + _ROWS)
        for i in range(r0, r1):
            q = i - r0
            best[q], arg[q] = _row_max(logp, i)
            finite = best[q] > -np.inf
            for j in range(k):
                g[q * k + j] = best[q] - logp[i, j] if finite else 0.0
        exp_neg_block(g, e, tmp, (r1 - r0) * k)
        for i in range(r0, r1):
            q = i - r0
            if best[q] == -np.inf:
                # no component can produce this point: a defined, uniform row
                log_norm[i] = -np.inf
                elbo[i] = -np.inf
                for j in range(k):
                    logp[i, j] = 1.0 / k
                continue
            total = 0.0
            for j in range(k):
                total += e[q * k + j]
            log_norm[i] = best[q] + math.log(total)
            if hard:
                for j in range(k):
                    logp[i, j] = 0.0
                logp[i, arg[q]] = 1.0
                elbo[i] = best[q]
                continue
            inv = 1.0 / total
            for j in range(k):
                logp[i, j] = e[q * k + j] * inv
            elbo[i] = log_norm[i]


@njit(cache=True, nogil=True)
def entropy_rows(resp):
    """Sum over the chunk of ``-sum_j r_ij log r_ij`` (0 log 0 = 0)."""
    n, k = resp.shape
    total = 0.0
    for i in range(n):
        for j in range(k):
            r = resp[i, j]
            if r > 0.0:
                total -= r * math.log(r)
    return total


@njit(cache=True, nogil=True)
def diag_log_prob(X, means_t, precisions_t, log_det, out):
    """Gaussian diagonal log-densities.

    ``out[i, j] = log_det[j] - 0.5 * sum_f precisions_t[f, j] (X[i, f] - means_t[f, j])^2``.
    Means and precisions come transposed, (d, k), so the innermost loop runs
    over components without a reduction and vectorises.
    """
    n, d = X.shape
    k = means_t.shape[1]
    acc = np.empty(k)
    for i in range(n):
        for j in range(k):
            acc[j] = 0.0
        for f in range(d):
            x = X[i, f]
            for j in range(k):
                diff = x - means_t[f, j]
                acc[j] += precisions_t[f, j] * diff * diff
        for j in range(k):
            out[i, j] = log_det[j] - 0.5 * acc[j]


# Rows handled together by the diagonal kernels: each (k, d) parameter or
# accumulator row is loaded once per block instead of once per row.
_BLOCK = 8


@njit(cache=True, nogil=True, fastmath={"contract"})
def diag_statistics(X, resp, weights, shift, counts, moments):
    """Weighted zeroth, first and second moments per component, in one pass.

    OUT: ``counts[j] = sum_i w_i r_ij`` and ``moments[j] = sum_i w_i r_ij
    [y_i, y_i^2]`` (shape (k, 2d)) with ``y = X - shift``. Shifting by a
    central point (the chunk's mean) keeps the later ``squares - sums^2 /
    counts`` well conditioned. Rows go in blocks of ``_BLOCK`` so that each
    accumulator row is loaded and stored once per block (the loop was bound by
    those loads, not by its FMAs).
    """
    n, d = X.shape
    k = resp.shape[1]
    width = 2 * d
    counts[:] = 0.0
    moments[:] = 0.0
    y = np.zeros((_BLOCK, width))
    wr = np.zeros(_BLOCK)
    for i0 in range(0, n, _BLOCK):
        m = min(_BLOCK, n - i0)
        for q in range(m):
            for f in range(d):
                v = X[i0 + q, f] - shift[f]
                y[q, f] = v
                y[q, d + f] = v * v
        for q in range(m, _BLOCK):  # a short last block adds zeros
            for f in range(width):
                y[q, f] = 0.0
        for j in range(k):
            total = 0.0
            for q in range(_BLOCK):
                wr[q] = weights[i0 + q] * resp[i0 + q, j] if q < m else 0.0
                total += wr[q]
            counts[j] += total
            row = moments[j]
            for f in range(width):
                acc = row[f]
                for q in range(_BLOCK):
                    acc += wr[q] * y[q, f]
                row[f] = acc


@njit(cache=True, nogil=True)
def blocked_log_prob(Y, shift, log_det, out):
    """Full-covariance log-densities from one stacked product ``Y = X @ W``.

    Column ``f * k + j`` of ``Y`` is feature ``f`` of ``x P_j`` and
    ``shift[f * k + j]`` that of ``m_j P_j`` (feature-major, so the innermost
    loop runs over components and vectorises):
    ``out[i, j] = log_det[j] - 0.5 * sum_f (Y[i, f*k + j] - shift[f*k + j])^2``.
    """
    n = Y.shape[0]
    k = out.shape[1]
    d = Y.shape[1] // k
    acc = np.empty(k)
    for i in range(n):
        for j in range(k):
            acc[j] = 0.0
        for f in range(d):
            base = f * k
            for j in range(k):
                y = Y[i, base + j] - shift[base + j]
                acc[j] += y * y
        for j in range(k):
            out[i, j] = log_det[j] - 0.5 * acc[j]


@njit(cache=True, nogil=True)
def weighted_deviations(X, wr, means, out):
    """``out[i, j*d + f] = wr[i, j] * (X[i, f] - means[j, f])`` (stacked for one GEMM)."""
    n, d = X.shape
    k = means.shape[0]
    for i in range(n):
        for j in range(k):
            r = wr[i, j]
            base = j * d
            for f in range(d):
                out[i, base + f] = r * (X[i, f] - means[j, f])
