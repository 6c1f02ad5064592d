"""Swap refinement: move a redundant centre to where one is missing, keep it if it helps.

k-means from any seeding can stop with two centres in one true cluster and one
centre shared by two true clusters (a wrong centroid index, Fraenti 2014).
Local moves cannot fix that; a swap can. Each trial removes the centre whose
removal costs least (its points have a close second centre) and re-seeds it at
a point drawn, with probability proportional to the squared distance, from the
cluster with the largest inertia; k-means then converges from there, and the
result is kept only when its inertia is lower (deterministic swap, as in
Fraenti and Kivijaervi's random-swap clustering, with a greedy choice).
"""

import numpy as np

from clusterlab._kernels import kernels


def swap_once(X, w, centers, labels, dist, rng):
    """Centres with one swap applied (in the same coordinates as ``centers``)."""
    k = centers.shape[0]
    removal = np.empty(k)
    sse = np.empty(k)
    kernels("distance", X.size * k).cluster_costs(
        X, w.astype(np.float64), centers.astype(np.float64), labels, removal, sse)
    drop = int(np.argmin(removal))
    sse[drop] = -np.inf  # do not split the cluster we empty
    target = int(np.argmax(sse))
    members = np.flatnonzero(labels == target)
    p = dist[members] * w[members]
    if members.size == 0 or not np.any(p > 0):
        return None
    pick = members[rng.choice(members.size, p=p / p.sum())]
    new = centers.copy()
    new[drop] = X[pick]
    return new


def swap_refine(run, X, w, result, rng, *, patience):
    """Apply swaps while they lower the inertia; stop after ``patience`` failures.

    ``run(centers) -> (inertia, centers, labels, dist, res)`` runs k-means from
    ``centers`` (data coordinates) and makes the final assignment.
    """
    best = result
    failures = 0
    while failures < patience and best[1].shape[0] > 1:
        start = swap_once(X, w, best[1], best[2], best[3], rng)
        if start is None:
            break
        trial = run(start)
        if trial[0] < best[0] * (1 - 1e-12):
            best, failures = trial, 0
        else:
            failures += 1
    return best
