"""k-means on CSR matrices: the solver loop, assignment, k-means++ and tolerance.

Everything works on the CSR arrays through ``_kernels/sparse.py``: memory is
the matrix itself, the dense ``(k, n_features)`` centres (twice: as rows and
transposed) and a few numbers per row. The loop is ``_lloyd.solve``'s:
stop when no label changes or when the squared centre shift is within ``tol``;
empty clusters take the points farthest from their centres.

``spherical=True`` gives spherical k-means (Dhillon and Modha, 2001): rows are
unit vectors, a point goes to the centre of highest cosine similarity, and a
centre is its cluster's weighted mean renormalised to unit length.
"""

import numpy as np
import scipy.sparse as sp

from clusterlab._kernels import compiled
from clusterlab.cluster._lloyd import KMeansResult, report


def _csr():
    """The CSR kernels (numba), imported on first use: dense fits never load numba."""
    return compiled("sparse")


def is_sparse(X):
    """True for a scipy sparse matrix or array."""
    return sp.issparse(X)


def row_sq_norms(X):
    """``||X[i]||^2`` of every CSR row, float64."""
    out = np.empty(X.shape[0])
    _csr().csr_row_sq_norms(X.indptr, X.data, out)
    return out


def _prepared(centers):
    C = np.asarray(centers, dtype=np.float64)
    return np.ascontiguousarray(C.T), np.einsum("kd,kd->k", C, C)


def assign(X, centers, x_sq=None):
    """Labels (int32) and squared distances (float64) of CSR ``X`` to ``centers``."""
    x_sq = row_sq_norms(X) if x_sq is None else x_sq
    CT, c_sq = _prepared(centers)
    labels = np.empty(X.shape[0], dtype=np.int32)
    dist = np.empty(X.shape[0])
    _csr().csr_nearest(X.indptr, X.indices, X.data, x_sq, CT, c_sq, labels, dist)
    return labels, dist


def sq_distances(X, centers, x_sq=None):
    """Squared distances of every CSR row to every centre, shape (n, k)."""
    x_sq = row_sq_norms(X) if x_sq is None else x_sq
    CT, c_sq = _prepared(centers)
    out = np.empty((CT.shape[1], X.shape[0]))
    _csr().csr_sq_distances(X.indptr, X.indices, X.data, x_sq, CT, c_sq, out)
    return out.T


def tolerance(X, tol):
    """``tol`` x the mean feature variance, from column sums (no densifying)."""
    if tol == 0:
        return 0.0
    n = X.shape[0]
    mean = np.asarray(X.sum(axis=0), dtype=np.float64).ravel() / n
    mean_sq = np.asarray(X.multiply(X).sum(axis=0), dtype=np.float64).ravel() / n
    return float(np.mean(np.maximum(mean_sq - mean * mean, 0.0))) * tol


def plusplus(X, n_clusters, w, rng, n_local_trials, x_sq=None):
    """Greedy k-means++ on CSR rows, drawing as ``_init._plusplus`` does."""
    n = X.shape[0]
    x_sq = row_sq_norms(X) if x_sq is None else x_sq
    w64 = w.astype(np.float64)
    indices = np.empty(n_clusters, dtype=np.int64)
    first = int(rng.choice(n, p=w64 / w64.sum()))
    indices[0] = first
    closest = sq_distances(X, X[[first]].toarray(), x_sq)[:, 0]
    current = float(closest @ w64)
    for c in range(1, n_clusters):
        if current > 0:
            cum = np.cumsum(w64 * closest)
            ids = np.searchsorted(cum, rng.uniform(size=n_local_trials) * cum[-1])
            ids = np.minimum(ids, n - 1)
        else:  # every point already coincides with a centre: any point will do
            ids = rng.integers(0, n, size=n_local_trials)
        pots = np.minimum(sq_distances(X, X[ids].toarray(), x_sq).T, closest)
        cand_pot = pots @ w64
        best = int(np.argmin(cand_pot))
        current = float(cand_pot[best])
        closest = pots[best].copy()
        indices[c] = ids[best]
    return X[indices].toarray().astype(X.dtype), indices


def normalize_rows(X):
    """CSR rows scaled to unit Euclidean norm (an all-zero row stays zero)."""
    norms = np.sqrt(row_sq_norms(X))
    inv = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    scale = np.repeat(inv, np.diff(X.indptr)).astype(X.dtype)
    return sp.csr_array((X.data * scale, X.indices, X.indptr), shape=X.shape)


def _update(X, w, labels, dist, centers, spherical):
    """Weighted means per cluster (renormalised when spherical); empty clusters
    take the points farthest from their centres, moved out of their old cluster.
    A cluster left without weight keeps its centre."""
    k = centers.shape[0]
    sums = np.zeros((k, X.shape[1]))
    weight = np.zeros(k)
    _csr().csr_cluster_sums(X.indptr, X.indices, X.data, w, labels, sums, weight)
    empty = np.flatnonzero(weight == 0)
    if empty.size:
        far = np.argsort(-dist, kind="stable")[: empty.size]
        far = far[dist[far] > 0]  # a point on its centre already: moving there gains nothing
        for new_id, i in zip(empty, far, strict=False):
            old = labels[i]
            _csr().csr_add_row(X.indptr, X.indices, X.data, i, -float(w[i]), sums[old])
            weight[old] -= w[i]
            sums[new_id] = 0.0
            _csr().csr_add_row(X.indptr, X.indices, X.data, i, float(w[i]), sums[new_id])
            weight[new_id] = w[i]
    scale = np.sqrt(np.einsum("kd,kd->k", sums, sums)) if spherical else weight
    keep = (scale <= 0) if spherical else (weight == 0)
    out = sums / np.where(keep, 1.0, scale)[:, None]
    out[keep] = centers[keep]
    return out


def solve(X, w, centers_init, *, max_iter=300, tol=1e-4, verbose=0, spherical=False):
    """k-means (or spherical k-means) iterations on CSR ``X`` from ``centers_init``.

    Returns
    -------
    KMeansResult
        Labels and inertia of the last pass, the final centres (``X.dtype``),
        ``n_iter``, ``converged`` and the inertia history.
    """
    x_sq = row_sq_norms(X)
    centers = np.asarray(centers_init, dtype=np.float64)
    labels = np.full(X.shape[0], -1, dtype=np.int32)
    history, converged, it = [], False, 0
    for it in range(max_iter):
        new_labels, dist = assign(X, centers, x_sq)
        changed = bool(np.any(new_labels != labels))
        labels = new_labels
        # spherical: the objective sum w (1 - cos), cos = (|x|^2 + 1 - dist) / 2
        history.append(float(w @ (1.0 - 0.5 * (x_sq + 1.0 - dist))) if spherical
                       else float(dist @ w))
        new = _update(X, w, labels, dist, centers, spherical)
        shift = float(((new - centers) ** 2).sum())
        report(verbose, it, history[-1], shift)
        centers = new
        if (it > 0 and not changed) or shift <= tol:
            converged = True
            break
    return KMeansResult(labels, history[-1], centers.astype(X.dtype), it + 1, converged,
                        np.asarray(history))
