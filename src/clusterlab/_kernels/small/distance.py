"""numpy twin of ``clusterlab._kernels.distance`` (k-means++ and the swap refinement)."""

import numpy as np


def _row_sums(diff):
    """``sum_f diff[..., f]^2`` accumulated in float64 in feature order, each
    square in the difference's dtype (as the numba loops)."""
    s = np.zeros(diff.shape[:-1])
    for f in range(diff.shape[-1]):
        s += diff[..., f] * diff[..., f]
    return s


def all_sq_distances(X, C, out):
    """``out[i, j] = ||X[i] - C[j]||^2`` computed directly (no cancellation)."""
    out[:] = _row_sums(X[:, None, :] - C[None, :, :])


def min_sq_dist_update(X, cand, closest, out_pot):
    """``out_pot[t, i] = min(closest[i], ||X[i] - cand[t]||^2)``."""
    np.minimum(closest, _row_sums(X[None, :, :] - cand[:, None, :]), out=out_pot)


def cluster_costs(X, w, C, labels, removal, sse):
    """Per-cluster cost of removing each centre, and each cluster's inertia
    (see the numba ``cluster_costs``)."""
    n = X.shape[0]
    k = C.shape[0]
    dist = _row_sums(X[:, None, :] - C[None, :, :])
    own = dist[np.arange(n), labels]
    sse[:] = np.bincount(labels, w * own, minlength=k)
    removal[:] = 0.0
    if k > 1:
        dist[np.arange(n), labels] = np.inf
        removal[:] = np.bincount(labels, w * (dist.min(axis=1) - own), minlength=k)
