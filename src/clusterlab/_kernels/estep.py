"""E-step kernels: turn one chunk of weighted log-probabilities into responsibilities.

``logp[i, j] = log(pi_j) + log p_j(x_i)`` arrives from a family's ``log_prob``;
one pass per row does the log-sum-exp, the responsibilities (soft, or one-hot
for hard / classification EM) and the row's ELBO term, in place, so no second
(n, k) temporary is needed.
"""

import math

import numpy as np
from numba import njit

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)
from clusterlab._kernels.vexp import exp_neg_block

# Rows per block of the vectorised exp: the block's buffers stay in L1.
_ROWS = 64


@njit(cache=True, nogil=True, error_model="numpy")
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
    of the E-step's time); terms below exp(-708) count as 0. Each block is
    first transposed so that the row maxima, argmaxima and sums run across
    rows, elementwise, instead of as short serial reductions along each row.
    """
    n, k = logp.shape
    T = np.empty(k * _ROWS)  # T[j * _ROWS + q] = logp[r0 + q, j]
    e = np.empty(k * _ROWS)
    tmp = np.empty(k * _ROWS)
    best = np.empty(_ROWS)
    total = np.empty(_ROWS)
    arg = np.empty(_ROWS, dtype=np.int64)
    for r0 in range(0, n, _ROWS):
        m = min(_ROWS, n - r0)
        for q in range(m):
            for j in range(k):
                T[j * _ROWS + q] = logp[r0 + q, j]
        for q in range(m):
            best[q] = T[q]
            arg[q] = 0
        for j in range(1, k):  # first maximum wins ties
            for q in range(m):
                v = T[j * _ROWS + q]
                gt = v > best[q]
                best[q] = v if gt else best[q]
                arg[q] = j if gt else arg[q]
        for j in range(k):
            for q in range(m):
                T[j * _ROWS + q] = best[q] - T[j * _ROWS + q] if best[q] > -np.inf else 0.0
        exp_neg_block(T, e, tmp, k * _ROWS)
        for q in range(m):
            total[q] = 0.0
        for j in range(k):
            for q in range(m):
                total[q] += e[j * _ROWS + q]
        for q in range(m):
            i = r0 + q
            if best[q] == -np.inf:
                # no component can produce this point: a defined, uniform row
                log_norm[i] = -np.inf
                elbo[i] = -np.inf
                for j in range(k):
                    logp[i, j] = 1.0 / k
                continue
            log_norm[i] = best[q] + math.log(total[q])
            if hard:
                for j in range(k):
                    logp[i, j] = 0.0
                logp[i, arg[q]] = 1.0
                elbo[i] = best[q]
                continue
            inv = 1.0 / total[q]
            for j in range(k):
                logp[i, j] = e[j * _ROWS + q] * inv
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


@njit(cache=True, nogil=True, inline="always")
def _diag_row_log_prob(X, i, means_t, precisions_t, log_det, acc, out, r):
    """``out[r, j] = log_det[j] - 0.5 * sum_f precisions_t[f, j] (X[i, f] - means_t[f, j])^2``.

    ``acc`` (k,) is scratch. Means and precisions come transposed, (d, k), so
    the innermost loop runs over components without a reduction and vectorises.
    """
    k = means_t.shape[1]
    for j in range(k):
        acc[j] = 0.0
    for f in range(X.shape[1]):
        x = X[i, f]
        for j in range(k):
            diff = x - means_t[f, j]
            acc[j] += precisions_t[f, j] * diff * diff
    for j in range(k):
        out[r, j] = log_det[j] - 0.5 * acc[j]


@njit(cache=True, nogil=True)
def diag_log_prob(X, means_t, precisions_t, log_det, out):
    """Gaussian diagonal log-densities of every row (see ``_diag_row_log_prob``)."""
    acc = np.empty(means_t.shape[1])
    for i in range(X.shape[0]):
        _diag_row_log_prob(X, i, means_t, precisions_t, log_det, acc, out, i)


# Rows handled together by the diagonal kernels: each (k, d) parameter or
# accumulator row is loaded once per block instead of once per row.
_BLOCK = 8


@njit(cache=True, nogil=True, fastmath={"contract"})
def _add_diag_moments(X, resp, weights, shift, counts, moments):
    """Add ``w r`` and ``w r [y, y^2]`` (``y = X - shift``) to ``counts`` and ``moments``.

    Rows go in blocks of ``_BLOCK`` so that each accumulator row is loaded and
    stored once per block (the loop was bound by those loads, not its FMAs).
    """
    n, d = X.shape
    k = resp.shape[1]
    width = 2 * d
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
def column_means(X, out):
    """``out[f]`` = mean of column f of ``X`` (a central shift for the moments)."""
    n, d = X.shape
    out[:] = 0.0
    for i in range(n):
        for f in range(d):
            out[f] += X[i, f]
    for f in range(d):
        out[f] /= max(n, 1)


@njit(cache=True, nogil=True)
def diag_statistics(X, resp, weights, shift, counts, moments):
    """Weighted zeroth, first and second moments per component, in one pass.

    OUT: ``counts[j] = sum_i w_i r_ij`` and ``moments[j] = sum_i w_i r_ij
    [y_i, y_i^2]`` (shape (k, 2d)) with ``y = X - shift``. Shifting by a
    central point (the chunk's mean) keeps the later ``squares - sums^2 /
    counts`` well conditioned.
    """
    counts[:] = 0.0
    moments[:] = 0.0
    _add_diag_moments(X, resp, weights, shift, counts, moments)


# Rows per piece of the fused diagonal E-step: its (rows, k) responsibilities stay in L1.
_PIECE = 64


@njit(cache=True, nogil=True)
def diag_estep(X, means_t, precisions_t, log_det, log_weights, weights, hard, shift, counts,
               moments):
    """The whole E-step of a diagonal Gaussian mixture over one chunk, fused.

    Per piece of rows: log-densities (as ``diag_log_prob``) plus the log
    weights, responsibilities (``normalize_rows``), and their moments (as
    ``diag_statistics``), so no (n, k) array is ever written. OUT: ``counts``
    and ``moments`` as ``diag_statistics``. Returns the weighted sums of the
    rows' log-likelihoods and ELBO terms.
    """
    n, d = X.shape
    k = means_t.shape[1]
    counts[:] = 0.0
    moments[:] = 0.0
    resp = np.empty((_PIECE, k))
    log_norm = np.empty(_PIECE)
    elbo = np.empty(_PIECE)
    acc = np.empty(k)
    ll_sum = 0.0
    elbo_sum = 0.0
    for r0 in range(0, n, _PIECE):
        m = min(_PIECE, n - r0)
        for q in range(m):
            _diag_row_log_prob(X, r0 + q, means_t, precisions_t, log_det, acc, resp, q)
            for j in range(k):
                resp[q, j] += log_weights[j]
        normalize_rows(resp[:m], hard, log_norm[:m], elbo[:m])
        for q in range(m):
            ll_sum += weights[r0 + q] * log_norm[q]
            elbo_sum += weights[r0 + q] * elbo[q]
        _add_diag_moments(X[r0:r0 + m], resp[:m], weights[r0:r0 + m], shift, counts, moments)
    return ll_sum, elbo_sum


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
