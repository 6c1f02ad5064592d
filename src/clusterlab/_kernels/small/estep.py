"""numpy twin of ``clusterlab._kernels.estep`` (the E-step of a small Gaussian mixture)."""

import numpy as np


def normalize_rows(logp, hard, log_norm, elbo):
    """Overwrite ``logp`` (n, k) with responsibilities; ``log_norm`` and ``elbo`` as the
    numba ``normalize_rows`` (a row that no component can produce becomes uniform
    with ``-inf`` log-likelihood).

    Works on the transpose (k, n): reductions across components then run along
    contiguous rows of n values (along the short axis they were 4x slower).
    """
    n, k = logp.shape
    lt = np.ascontiguousarray(logp.T)
    best = lt.max(axis=0)
    dead = best == -np.inf
    with np.errstate(under="ignore"):
        e = np.exp(lt - np.where(dead, 0.0, best))
    total = e.sum(axis=0)
    with np.errstate(divide="ignore"):
        log_norm[:] = np.where(dead, -np.inf, best + np.log(total))
    if hard:
        first = np.full(n, k - 1)
        for j in range(k - 2, -1, -1):  # the first maximum wins ties
            first[lt[j] == best] = j
        logp[:] = 0.0
        logp[np.arange(n), first] = 1.0
        elbo[:] = best
    else:
        e /= np.where(dead, 1.0, total)
        logp[:] = e.T
        elbo[:] = log_norm
    logp[dead] = 1.0 / k
    elbo[dead] = -np.inf


def entropy_rows(resp):
    """Sum over the chunk of ``-sum_j r_ij log r_ij`` (0 log 0 = 0)."""
    r = resp[resp > 0.0]
    return float(-(r * np.log(r)).sum())


def diag_log_prob(X, means_t, precisions_t, log_det, out):
    """``out[i, j] = log_det[j] - 0.5 sum_f precisions_t[f, j] (X[i, f] - means_t[f, j])^2``."""
    acc = np.zeros(out.shape)
    for f in range(X.shape[1]):
        diff = X[:, f, None] - means_t[f]
        acc += precisions_t[f] * diff * diff
    out[:] = log_det - 0.5 * acc


def blocked_log_prob(Y, shift, log_det, out):
    """Full-covariance log-densities from one stacked product ``Y = X @ W`` (column
    ``f * k + j`` is feature ``f`` of component ``j``)."""
    n, k = out.shape
    diff = Y.reshape(n, -1, k) - shift.reshape(-1, k)
    np.einsum("nfk,nfk->nk", diff, diff, out=out)
    out *= -0.5
    out += log_det


def weighted_deviations(X, wr, means, out):
    """``out[i, j*d + f] = wr[i, j] * (X[i, f] - means[j, f])`` (stacked for one GEMM)."""
    n, d = X.shape
    stacked = out.reshape(n, means.shape[0], d)  # a view: no temporary of that size
    np.subtract(X[:, None, :], means[None, :, :], out=stacked)
    stacked *= wr[:, :, None]


def column_means(X, out):
    """``out[f]`` = mean of column f of ``X``."""
    out[:] = X.sum(axis=0) / max(X.shape[0], 1)


def diag_statistics(X, resp, weights, shift, counts, moments):
    """``counts[j] = sum_i w_i r_ij`` and ``moments[j] = sum_i w_i r_ij [y_i, y_i^2]``
    with ``y = X - shift`` (shape (k, 2d))."""
    d = X.shape[1]
    wr = weights[:, None] * resp
    y = X - shift
    counts[:] = wr.sum(axis=0)
    moments[:, :d] = wr.T @ y
    moments[:, d:] = wr.T @ (y * y)


def diag_estep(X, means_t, precisions_t, log_det, log_weights, weights, hard, shift, counts,
               moments):
    """The whole E-step of a diagonal Gaussian mixture: log-densities, responsibilities
    and their moments (as ``diag_statistics``); returns the weighted sums of the rows'
    log-likelihoods and ELBO terms."""
    n = X.shape[0]
    resp = np.empty((n, means_t.shape[1]))
    diag_log_prob(X, means_t, precisions_t, log_det, resp)
    resp += log_weights
    log_norm = np.empty(n)
    elbo = np.empty(n)
    normalize_rows(resp, hard, log_norm, elbo)
    diag_statistics(X, resp, weights, shift, counts, moments)
    return float(weights @ log_norm), float(weights @ elbo)
