"""Initial centres on a source that is not in memory: k-means|| and weighted row draws.

k-means|| (Bahmani, Moseley, Vattani, Kumar and Vassilvitskii, 2012): a few
rounds, each drawing about ``oversampling * k`` rows with probability
proportional to ``w * d^2`` (their weighted squared distance to the candidates
so far), then one pass that gives each candidate the weight of the rows
nearest to it, and a *weighted* k-means++ and Lloyd run on the candidates
(dask-ml reclusters without those weights). Two passes a round plus two.

Row draws are exact weighted sampling without replacement in one pass
(Efraimidis and Spirakis' keys ``log(u) / w``: each chunk keeps its largest
keys, the reduction the largest overall), with each chunk's random numbers
seeded by the run's seed and the chunk's first row.
"""

import numpy as np

from clusterlab._mapreduce import map_reduce
from clusterlab.cluster._lloyd import assign

ROUNDS = 5


def _chunk_rng(seed, *keys):
    return np.random.default_rng([seed, *keys])


def draw_rows(source, weights, m, seed, rows=None):
    """``m`` distinct rows drawn with probability proportional to weight (one pass)."""

    def top(X, w, start, stop):
        u = _chunk_rng(seed, 0, start).uniform(size=stop - start)
        with np.errstate(divide="ignore"):
            keys = np.where(w > 0, np.log(u) / np.where(w > 0, w, 1.0), -np.inf)
        # zero-weight rows are drawn last (after every positive one), by a uniform key
        keys = np.where(np.isinf(keys), -1e300 * (1 + u), keys)
        keep = np.argsort(-keys, kind="stable")[:m]
        return keys[keep], X[keep]

    def merge(a, b):
        keys, X = np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]])
        keep = np.argsort(-keys, kind="stable")[:m]
        return keys[keep], X[keep]

    return np.ascontiguousarray(map_reduce(source, top, merge, weights=weights, rows=rows)[1])


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


def kmeans_parallel(source, weights, k, rng, *, oversampling=2.0, rounds=ROUNDS, rows=None):
    """k centres by k-means|| on a source, candidates reclustered with their weights.

    Parameters
    ----------
    source : Source
    weights : clusterlab._mapreduce.Weights
    k : int
    rng : numpy.random.Generator
    oversampling : float, default=2.0
        Expected rows drawn per round, in units of ``k``.
    rounds : int, default=5

    Returns
    -------
    ndarray of shape (k, n_features)

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab.sources import as_source
    >>> from clusterlab._mapreduce import Weights
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 0.1, (200, 2)), rng.normal(5, 0.1, (200, 2))])
    >>> src = as_source(X)
    >>> C = kmeans_parallel(src, Weights(None, src), 2, np.random.default_rng(0), rows=64)
    >>> sorted(np.round(C[:, 0]).tolist())
    [0.0, 5.0]
    """
    from clusterlab.cluster._kmeans import KMeans

    seed = int(rng.integers(0, 2**31 - 1))
    ell = oversampling * k
    candidates = draw_rows(source, weights, 1, seed, rows)
    for rnd in range(rounds):
        phi = _potential(source, weights, candidates, rows)
        if phi <= 0:
            break
        new = _oversample(source, weights, candidates, phi, ell, seed, rnd, rows)
        candidates = np.ascontiguousarray(np.concatenate([candidates, new]))
    if candidates.shape[0] < k:  # too few distinct rows drawn: top up with weighted draws
        extra = draw_rows(source, weights, k, seed + 1, rows)
        candidates = np.ascontiguousarray(np.concatenate([candidates, extra]))
    n_cand = candidates.shape[0]
    cand_w = map_reduce(
        source, lambda X, w, a, b: np.bincount(assign(X, candidates)[0], w, minlength=n_cand),
        weights=weights, rows=rows)
    if np.count_nonzero(cand_w) < k:  # fewer weighted candidates than clusters
        cand_w = cand_w + (cand_w == 0) * 1e-12 * max(cand_w.max(), 1.0)
    km = KMeans(k, init="k-means++", n_init=1, random_state=seed, refine="none")
    return km.fit(candidates, sample_weight=cand_w).cluster_centers_.astype(source.dtype)
