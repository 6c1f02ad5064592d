"""k-means on a source that is not in memory: Lloyd passes as map / reduce.

Each pass maps a chunk through the in-memory Lloyd kernel (``lloyd_pass``:
labels, weights, weighted sums and second moments per cluster) and adds the
chunks' moments; the update and the stopping rule are ``_lloyd``'s, so from
the same centres the result equals the in-memory fit up to the order of
floating-point sums. Labels are not kept between passes (they would be
O(n)); "no label changed" shows as a zero centre shift, which stops the run
at the same iteration.
"""

import functools

import numpy as np

from clusterlab._kernels import kernels
from clusterlab._mapreduce import draw_rows, map_reduce
from clusterlab._moments import Moments, means
from clusterlab.cluster._init import check_init_array
from clusterlab.cluster._kmeans_parallel import kmeans_parallel_source
from clusterlab.cluster._lloyd import (
    KMeansResult,
    assign,
    make_layout,
    report,
)


def summary(source, weights, rows=None):
    """One validating pass: unweighted column moments and the total weight."""

    def part(X, w, start, stop):
        return Moments.of_rows(X), float(w.sum()), int(np.count_nonzero(w))

    moments, wsum, positive = map_reduce(source, part, _add_summary, weights=weights, rows=rows,
                                         recycle=True)
    return moments, wsum, positive


def _add_summary(a, b):
    return a[0].combine(b[0]), a[1] + b[1], a[2] + b[2]


def _lloyd_part(offset, C, chunk, X, w, start, stop):
    """One chunk's Lloyd moments: (weight, weighted sum, second moment) per cluster."""
    k = C.shape[0]
    m, d = X.shape
    lay = make_layout(m, k, d, X.itemsize, chunk)
    sums = np.empty((lay.n_blocks, k, d))
    wts = np.empty((lay.n_blocks, k))
    sq = np.empty((lay.n_blocks, k))
    changed = np.empty(lay.n_blocks, dtype=np.int64)
    labels = np.full(m, -1, dtype=np.int32)
    # an empty x_sq: the kernel adds the rows' squared norms as it reads them (a separate
    # norm pass over each chunk cost as much as the Lloyd pass)
    lloyd = kernels("lloyd", m * k * d)
    lloyd.lloyd_pass(X, offset, np.empty(0), w, C, lay.block_size, lay.chunk, labels,
                     sums, wts, sq, changed)
    total, weight, q = np.empty((k, d)), np.empty(k), np.empty(k)
    lloyd.reduce_blocks(sums, wts, sq, total, weight, q)
    return weight, total, q


def _lloyd_chunk(offset, C, chunk):
    # a partial of a module-level function: Dask pickles it by reference, so workers
    # use their cached kernels (a closure would carry the numba dispatchers by value,
    # and each worker would compile them again: ~10 s)
    return functools.partial(_lloyd_part, offset, C, chunk)


def _farthest_part(offset, C, m, X, w, start, stop):
    labels = assign(X, (C.astype(np.float64) + offset).astype(X.dtype))[0]
    dist = np.empty(X.shape[0])
    kernels("lloyd", X.size * C.shape[0]).sq_dist_to_label(X, offset, C, labels, dist)
    keep = np.argsort(-dist, kind="stable")[:m]
    return dist[keep], keep + start, X[keep], w[keep], labels[keep]


def _farthest(source, weights, offset, C, m, rows):
    """The ``m`` rows farthest from their nearest centre: (dist, row index, x, w, label)."""

    def merge(a, b):
        cat = [np.concatenate([x, y]) for x, y in zip(a, b, strict=True)]
        keep = np.lexsort((cat[1], -cat[0]))[:m]
        return tuple(c[keep] for c in cat)

    return map_reduce(source, functools.partial(_farthest_part, offset, C, m), merge,
                      weights=weights, rows=rows)


def _update(source, weights, offset, C, weight, total, rows):
    """New centres; empty clusters take the farthest rows (as ``_lloyd.update_centers``)."""
    total, weight = total.copy(), weight.copy()
    empty = np.flatnonzero(weight == 0)
    if empty.size:
        _, _, xs, ws, labs = _farthest(source, weights, offset, C, empty.size, rows)
        for new_id, x, wi, old_id in zip(empty, xs, ws, labs, strict=False):
            x = x.astype(np.float64) - offset
            total[old_id] -= wi * x
            weight[old_id] -= wi
            total[new_id] = wi * x
            weight[new_id] = wi
    return means(weight, total, C).astype(C.dtype)


def stream_lloyd(source, weights, centers_init, offset, *, max_iter=300, tol=1e-4, verbose=0,
                 chunk=None, rows=None):
    """Lloyd's k-means over ``source`` from ``centers_init`` (in ``X - offset``).

    Returns a ``KMeansResult`` whose labels are None (the caller assigns).
    """
    C = np.ascontiguousarray(centers_init, dtype=source.dtype)
    history, converged = [], False
    for it in range(max_iter):
        weight, total, q = map_reduce(source, _lloyd_chunk(offset, C, chunk), weights=weights,
                                      rows=rows, recycle=True)
        c64 = C.astype(np.float64)
        per = q - 2.0 * np.einsum("kd,kd->k", c64, total) + weight * (c64 * c64).sum(1)
        history.append(float(np.maximum(per, 0.0).sum()))
        new = _update(source, weights, offset, C, weight, total, rows)
        shift = float(((new.astype(np.float64) - C) ** 2).sum())
        report(verbose, it, history[-1], shift)
        C = new
        if shift <= tol:  # also "no label changed": the same moments give shift 0
            converged = True
            break
    return KMeansResult(None, history[-1], C, it + 1, converged, np.asarray(history))


def final_assignment(source, weights, centers, chunk=None, rows=None):
    """Inertia under ``centers`` and, for a local source, the labels (a Dask source gets
    None: its labels are computed lazily by ``predict``)."""
    labels = np.empty(source.n_rows, dtype=np.int32) if source.local else None

    def part(X, w, start, stop):
        lab, dist = assign(X, centers, chunk)
        if labels is not None:
            labels[start:stop] = lab
        return float((dist * w).sum())

    return map_reduce(source, part, weights=weights, rows=rows, recycle=True), labels


def streamed_init(source, weights, k, init, rng, positive):
    """Initial centres (data coordinates) on a source: k-means|| for 'k-means++' and
    'k-means||', weighted distinct rows for 'random', the given array, or a callable's
    centres for a sample of one chunk's worth of distinct rows drawn by weight
    (``init(sample, k, rng)``)."""
    if isinstance(init, str) and init in ("k-means++", "k-means||"):
        return kmeans_parallel_source(source, weights, k, rng)
    if callable(init):
        size = min(max(k, source.default_rows()), positive)
        sample = draw_rows(source, weights, size, int(rng.integers(0, 2**31 - 1)))
        return check_init_array(init(sample, k, rng), sample, k).astype(source.dtype)
    if isinstance(init, str):  # 'random'
        if positive < k:
            raise ValueError(f"init='random' needs at least n_clusters={k} rows with positive "
                             f"weight; found {positive}.")
        return draw_rows(source, weights, k, int(rng.integers(0, 2**31 - 1)))
    return check_init_array(init, np.empty((0, source.n_features), source.dtype), k)
