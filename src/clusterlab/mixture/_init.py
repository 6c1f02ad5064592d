"""Initialisers: each returns labels (``-1`` = unassigned) or responsibilities.

One M-step then turns them into parameters, so every family gets every
initialiser.
"""

import functools

import numpy as np

from clusterlab._mapreduce import draw_rows
from clusterlab.cluster import KMeans, kmeans_parallel, kmeans_plusplus
from clusterlab.mixture._hc import hc_vvv_partitions, svd_scaled


def _kmeans_labels(X, weights, k, rng):
    seed = int(rng.integers(0, 2**31 - 1))
    return KMeans(n_clusters=k, n_init=1, random_state=seed).fit(X, sample_weight=weights).labels_


def _kmeans_plusplus_labels(X, weights, k, rng):
    seed = int(rng.integers(0, 2**31 - 1))
    _, indices = kmeans_plusplus(X, k, sample_weight=weights, random_state=seed)
    labels = np.full(X.shape[0], -1, dtype=np.intp)
    labels[np.asarray(indices)] = np.arange(k)
    return labels


def _random_resp(X, weights, k, rng):
    resp = rng.uniform(size=(X.shape[0], k))
    resp /= resp.sum(axis=1, keepdims=True)
    return resp


def _random_from_data_labels(X, weights, k, rng):
    # draw among rows that carry weight, so a chosen seed point always counts
    candidates = np.flatnonzero(weights > 0)
    picks = rng.choice(candidates, size=k, replace=False)
    labels = np.full(X.shape[0], -1, dtype=np.intp)
    labels[picks] = np.arange(k)
    return labels


# mclust's default subset for its hierarchical initialisation on large data
_HC_ROWS = 2000


def _hc_labels(X, weights, k, rng):
    """mclust's model-based agglomerative start (``hc`` with its default model
    ``"VVV"`` on ``hcUse="SVD"`` data, then ``hclass``; see ``_hc.py``), on a
    subset of ``_HC_ROWS`` rows for large data (the other rows start unassigned,
    as in mclust). Sample weights only choose the subset."""
    candidates = np.flatnonzero(weights > 0)
    rows = candidates
    if candidates.size > _HC_ROWS:
        rows = np.sort(rng.choice(candidates, size=_HC_ROWS, replace=False))
    part = hc_vvv_partitions(svd_scaled(np.asarray(X[rows], dtype=np.float64)), [k])[k]
    labels = np.full(X.shape[0], -1, dtype=np.intp)
    labels[rows] = part
    return labels


INITIALISERS = {
    "hc": _hc_labels,
    "kmeans": _kmeans_labels,
    "k-means++": _kmeans_plusplus_labels,
    "random": _random_resp,
    "random_from_data": _random_from_data_labels,
}


def initialise(X, weights, n_components, method, rng):
    """Labels of shape (n,) or responsibilities of shape (n, k) to start EM from.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    weights : ndarray of shape (n_samples,)
    n_components : int
    method : {"hc", "kmeans", "k-means++", "random", "random_from_data"} or callable
        A callable is called as ``method(X, n_components, rng)`` and returns
        labels or responsibilities.
    rng : numpy.random.Generator

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(6.0).reshape(3, 2)
    >>> initialise(X, np.ones(3), 2, "random", np.random.default_rng(0)).shape
    (3, 2)
    """
    if callable(method):
        out = np.asarray(method(X, n_components, rng))
        if out.shape not in ((X.shape[0],), (X.shape[0], n_components)):
            raise ValueError(
                f"init_params callable must return labels of shape ({X.shape[0]},) or "
                f"responsibilities of shape ({X.shape[0]}, {n_components}); got {out.shape}."
            )
        return out.astype(np.intp) if out.ndim == 1 else out
    if method == "random_from_data" and np.count_nonzero(weights) < n_components:
        raise ValueError(
            f"init_params='random_from_data' needs at least n_components={n_components} "
            "samples with positive weight."
        )
    return INITIALISERS[method](X, weights, n_components, rng)


def _callable_resp(method, n_components, seed, X, start):
    """Responsibilities of one chunk by the user's ``method`` (labels made one-hot)."""
    out = initialise(X, None, n_components, method, np.random.default_rng([seed, start]))
    if out.ndim == 2:
        return np.ascontiguousarray(out, dtype=np.float64)
    resp = np.zeros((X.shape[0], n_components))
    hit = out >= 0
    resp[np.flatnonzero(hit), out[hit]] = 1.0
    return resp


def streamed_initialise(source, weights, n_components, method, rng):
    """The initialisation of a streamed fit, as ``_em.streamed_stats_from_init`` takes it.

    'kmeans': k-means (k-means|| then Lloyd passes) on the source, rows labelled
    by its ``predict`` (their nearest centre); 'k-means++': the k-means|| centres as one row per
    component; 'random': random responsibilities seeded per chunk;
    'random_from_data': ``n_components`` rows drawn by weight; a callable is called on
    every chunk as ``method(X_chunk, n_components, rng)`` (``rng`` seeded by the run's
    seed and the chunk's first row) and returns that chunk's labels or responsibilities.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab.sources import as_source
    >>> from clusterlab._mapreduce import Weights
    >>> src = as_source(np.arange(8.0).reshape(4, 2))
    >>> streamed_initialise(src, Weights(None, src), 2, "random", np.random.default_rng(0))[0]
    'random'
    """
    seed = int(rng.integers(0, 2**31 - 1))
    if callable(method):  # called on every chunk, with a generator seeded by its first row
        return ("callable", functools.partial(_callable_resp, method, n_components, seed))
    if method == "kmeans":
        km = KMeans(n_clusters=n_components, n_init=1, random_state=seed)
        centres = km.fit(source, sample_weight=weights.w).cluster_centers_
        # a light copy goes to the map (on Dask, into every task): centres only
        light = KMeans(n_clusters=n_components)
        light.cluster_centers_, light.n_features_in_ = centres, centres.shape[1]
        return ("centers", light)
    if method == "k-means++":
        C = kmeans_parallel(source, n_components, sample_weight=weights.w, random_state=seed)
        return ("rows", C, np.ones(n_components))
    if method == "random":
        return ("random", seed)
    if method == "hc":  # on a drawn subset; every row starts at its nearest subset cluster
        sub = draw_rows(source, weights, min(_HC_ROWS, source.n_rows), seed)
        labels = _hc_labels(sub, np.ones(sub.shape[0]), n_components, rng)
        return ("centers", np.array([sub[labels == j].mean(axis=0)
                                     for j in range(n_components)]))
    rows = draw_rows(source, weights, n_components, seed)
    return ("rows", rows, np.ones(n_components))
