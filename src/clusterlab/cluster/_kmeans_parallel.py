"""Initial centres on a source that is not in memory: k-means||.

k-means|| (Bahmani, Moseley, Vattani, Kumar and Vassilvitskii, 2012): a few
rounds, each drawing about ``oversampling * k`` rows with probability
proportional to ``w * d^2`` (their weighted squared distance to the candidates
so far), then one pass that gives each candidate the weight of the rows
nearest to it, and a *weighted* k-means++ and Lloyd run on the candidates
(dask-ml reclusters without those weights). Two passes a round plus two; each
chunk's random numbers are seeded by the run's seed, the round and the chunk's
first row.
"""

import math

import numpy as np

from clusterlab._mapreduce import Weights, draw_rows, map_reduce
from clusterlab._rng import as_generator
from clusterlab.cluster._init import _plusplus
from clusterlab.cluster._lloyd import LloydPasses, assign, solve
from clusterlab.sources import as_source

ROUNDS = 5


def _chunk_rng(seed, *keys):
    return np.random.default_rng([seed, *keys])


def _potential(source, weights, candidates, rows):
    return map_reduce(source, lambda X, w, a, b: float(w @ assign(X, candidates)[1]),
                      weights=weights, rows=rows)


def _oversample(source, weights, candidates, phi, ell, seed, rnd, rows):
    def pick(X, w, start, stop):
        dist = assign(X, candidates)[1]
        u = _chunk_rng(seed, rnd + 1, start).uniform(size=stop - start)
        return X[u * phi < ell * w * dist]

    return map_reduce(source, pick, lambda a, b: np.concatenate([a, b]), weights=weights,
                      rows=rows)


def recluster(candidates, cand_w, k, rng):
    """Weighted k-means++ then weighted Lloyd on the candidates (in memory)."""
    offset = candidates.mean(axis=0).astype(candidates.dtype)
    start, _ = _plusplus(candidates, k, cand_w, rng, 2 + int(math.log(k)))
    res = solve(LloydPasses, candidates, cand_w, np.ascontiguousarray(start - offset), offset,
                max_iter=300, tol=0.0)
    return (res.centers.astype(np.float64) + offset).astype(candidates.dtype)


def kmeans_parallel_source(source, weights, k, rng, *, oversampling=2.0, rounds=ROUNDS,
                           rows=None):
    """k-means|| on a validated source and its ``Weights``; see ``kmeans_parallel``."""
    seed = int(rng.integers(0, 2**31 - 1))
    ell = oversampling * k
    candidates = draw_rows(source, weights, 1, seed, rows)
    for rnd in range(rounds):
        phi = _potential(source, weights, candidates, rows)
        if phi <= 0:
            break
        new = _oversample(source, weights, candidates, phi, ell, seed, rnd, rows)
        candidates = np.ascontiguousarray(np.concatenate([candidates, new]))
    if candidates.shape[0] < k:  # too few rows drawn: top up with weighted draws
        extra = draw_rows(source, weights, k, seed + 1, rows)
        candidates = np.ascontiguousarray(np.concatenate([candidates, extra]))
    n_cand = candidates.shape[0]
    cand_w = map_reduce(
        source, lambda X, w, a, b: np.bincount(assign(X, candidates)[0], w, minlength=n_cand),
        weights=weights, rows=rows).astype(candidates.dtype)
    if np.count_nonzero(cand_w) < k:  # fewer weighted candidates than clusters
        cand_w = cand_w + (cand_w == 0) * 1e-12 * max(cand_w.max(), 1.0)
    return recluster(candidates, cand_w, k, np.random.default_rng(seed))


def kmeans_parallel(X, n_clusters, *, sample_weight=None, random_state=None,
                    oversampling=2.0, rounds=ROUNDS):
    """Initial centres by k-means|| (Bahmani et al. 2012), for data of any source.

    ``rounds`` passes each draw about ``oversampling * n_clusters`` rows with
    probability proportional to their weighted squared distance to the
    candidates so far; a last pass weighs each candidate by the rows nearest to
    it, and weighted k-means++ plus Lloyd on the weighted candidates gives the
    centres. ``KMeans`` uses it for ``init='k-means||'`` and, on data that is
    not in memory, for ``init='k-means++'``.

    Parameters
    ----------
    X : array-like, memmap, path to a .npy or Parquet file, Dask array or Source
        The data.
    n_clusters : int
        Number of centres.
    sample_weight : array-like, memmap, path or Dask array, default=None
        Weights of the rows (unit weights when None).
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws.
    oversampling : float, default=2.0
        Expected rows drawn per round, in units of ``n_clusters``.
    rounds : int, default=5
        Sampling rounds.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab.cluster import kmeans_parallel
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 0.1, (200, 2)), rng.normal(5, 0.1, (200, 2))])
    >>> C = kmeans_parallel(X, 2, random_state=0)
    >>> sorted(int(round(c)) for c in C[:, 0])
    [0, 5]
    """
    source = as_source(X)
    if not (isinstance(n_clusters, int | np.integer) and 1 <= n_clusters <= source.n_rows):
        raise ValueError(f"n_clusters must be an int in [1, n_samples={source.n_rows}]; got "
                         f"{n_clusters!r}.")
    return kmeans_parallel_source(source, Weights(sample_weight, source), int(n_clusters),
                                  as_generator(random_state), oversampling=oversampling,
                                  rounds=rounds)
