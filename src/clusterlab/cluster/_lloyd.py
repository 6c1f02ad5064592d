"""Lloyd's algorithm as a solver: the loop, convergence test, history and centre update.

Shared pieces (block layout, centre update with empty-cluster re-seeding, the
result object) are used by the bound-based solvers in ``_bounds.py`` too.
"""

import contextlib
import math
from typing import NamedTuple

import numba
import numpy as np
from threadpoolctl import threadpool_limits

from clusterlab._config import CHUNK_BYTES, chunk_rows
from clusterlab._kernels.lloyd import (
    assign_pass,
    centred_sq_norms,
    lloyd_pass,
    reduce_blocks,
    sq_dist_to_label,
)

# Most blocks a pass is split into: enough for load balance on a few cores.
MAX_BLOCKS = 64


# Below this many multiply-adds per pass (n * k * d) a pass runs on one thread:
# waking the thread pool costs more than the work (measured: ~10 ms per parallel
# region on a loaded 2-core machine, 2 us on one thread).
SMALL_WORK = 2**23


@contextlib.contextmanager
def threads_for(n, k, d):
    """Run small problems on one numba thread; results do not depend on it."""
    before = numba.get_num_threads()
    if n * k * d < SMALL_WORK and before > 1:
        numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


class KMeansResult(NamedTuple):
    """What one k-means run returns."""

    labels: np.ndarray
    inertia: float
    centers: np.ndarray
    n_iter: int
    converged: bool
    history: np.ndarray


class Layout(NamedTuple):
    """How a pass splits the rows: fixed blocks (by ``n`` only) and BLAS chunks."""

    block_size: int
    n_blocks: int
    chunk: int


def make_layout(n, k, d, itemsize, chunk=None):
    """Block and chunk sizes; blocks depend on the data shape only, never on threads.

    The per-block partial sums cost ``n_blocks * k * d * 8`` bytes; blocks are
    capped so that this stays within four chunk budgets.
    """
    by_memory = max(1, (4 * CHUNK_BYTES) // max(1, k * d * 8))
    n_blocks = max(1, min(MAX_BLOCKS, math.ceil(n / 1024), by_memory, n))
    block_size = math.ceil(n / n_blocks)
    n_blocks = math.ceil(n / block_size)
    if chunk is None:
        # 256 rows keep the (k, chunk) dot block in L2, as scikit-learn's chunks do
        chunk = min(chunk_rows(n, k * itemsize), 256)
    chunk = int(max(1, min(chunk, block_size)))
    return Layout(block_size, n_blocks, chunk)


class Buffers:
    """Per-block partial results of one pass."""

    def __init__(self, layout, k, d):
        nb = layout.n_blocks
        self.sums = np.zeros((nb, k, d))
        self.weights = np.zeros((nb, k))
        self.sq = np.zeros((nb, k))
        self.changed = np.zeros(nb, dtype=np.int64)
        self.total = np.zeros((k, d))
        self.weight = np.zeros(k)
        self.q = np.zeros(k)

    def reduce(self):
        """Add the block moments (in block order)."""
        reduce_blocks(self.sums, self.weights, self.sq, self.total, self.weight, self.q)

    def inertia(self, centers):
        """Inertia of the pass's labels under ``centers`` from the moments.

        ``sum_i w_i ||x_i - c_a||^2 = sum_j (Q_j - 2 c_j . S_j + W_j ||c_j||^2)``
        with float64 moments of the centred data, so no per-row distance is needed.
        """
        c = centers.astype(np.float64)
        per = self.q - 2.0 * np.einsum("kd,kd->k", c, self.total) + self.weight * (c * c).sum(1)
        return float(np.maximum(per, 0.0).sum())


def x_sq_norms(X, offset):
    """``||X[i] - offset||^2`` for every row (float64), computed once per fit."""
    out = np.empty(X.shape[0])
    centred_sq_norms(X, offset, out)
    return out


def tolerance(X, tol):
    """Absolute tolerance on the centre shift: ``tol`` x mean feature variance."""
    if tol == 0:
        return 0.0
    return float(np.mean(np.var(X, axis=0))) * tol


def update_centers(X, offset, w, centers, labels, buf):
    """New centres from the reduced moments; empty clusters take far points.

    An empty cluster is re-seeded, as scikit-learn does, with the point farthest
    from its current centre (moving that point's weight out of its old cluster).
    Returns the new centres (float64 math, cast to ``X.dtype``).
    """
    total, weight = buf.total.copy(), buf.weight.copy()
    empty = np.flatnonzero(weight == 0)
    if empty.size:
        dist = np.empty(X.shape[0], dtype=np.float64)
        sq_dist_to_label(X, offset, centers, labels, dist)
        far = np.argsort(-dist, kind="stable")[: empty.size]
        for new_id, i in zip(empty, far, strict=False):
            old_id = labels[i]
            x = X[i].astype(np.float64) - offset
            total[old_id] -= w[i] * x
            weight[old_id] -= w[i]
            total[new_id] = w[i] * x
            weight[new_id] = w[i]
    new = centers.astype(np.float64, copy=True)
    filled = weight > 0
    new[filled] = total[filled] * (1.0 / weight[filled])[:, None]
    return new.astype(X.dtype)


def report(verbose, it, inertia, shift=None):
    if verbose:
        extra = "" if shift is None else f", centre shift {shift:.4g}"
        print(f"Iteration {it}: inertia {inertia:.6g}{extra}", flush=True)


def lloyd(X, w, centers_init, offset, *, max_iter=300, tol=1e-4, verbose=0, chunk=None):
    """Run Lloyd's algorithm on ``X - offset`` from ``centers_init`` (same coordinates).

    Follows scikit-learn's loop exactly: stop when no label changes (strict
    convergence) or when the squared centre shift is within ``tol`` (absolute).
    The caller makes the final assignment under the returned centres (``assign``);
    ``labels`` and ``inertia`` here are those of the last pass.

    Returns
    -------
    KMeansResult
    """
    n, d = X.shape
    k = centers_init.shape[0]
    layout = make_layout(n, k, d, X.itemsize, chunk)
    buf = Buffers(layout, k, d)
    labels = np.full(n, -1, dtype=np.int32)
    centers = np.ascontiguousarray(centers_init, dtype=X.dtype)
    history = []
    converged = False
    x_sq = x_sq_norms(X, offset)

    def run_pass():
        lloyd_pass(X, offset, x_sq, w, centers, layout.block_size, layout.chunk, labels,
                   buf.sums, buf.weights, buf.sq, buf.changed)
        buf.reduce()

    with threadpool_limits(limits=1, user_api="blas"):
        for it in range(max_iter):
            run_pass()
            history.append(buf.inertia(centers))
            new = update_centers(X, offset, w, centers, labels, buf)
            shift = float(((new.astype(np.float64) - centers) ** 2).sum())
            report(verbose, it, history[-1], shift)
            centers = new
            if it > 0 and buf.changed.sum() == 0:
                converged = True
                break
            if shift <= tol:
                converged = True
                break
    return KMeansResult(labels, history[-1], centers, it + 1, converged, np.asarray(history))


def assign(X, centers, chunk=None):
    """Labels and exact squared distances of ``X`` to its nearest ``centers``.

    The data and centres are first shifted by the centres' mean, so that the
    dot-product expansion works near the origin; ``fit`` ends with this same
    computation, which makes ``labels_`` equal ``predict(X)`` exactly.
    """
    n, d = X.shape
    k = centers.shape[0]
    offset = centers.mean(axis=0).astype(X.dtype)
    C = np.ascontiguousarray(centers - offset, dtype=X.dtype)
    layout = make_layout(n, k, d, X.itemsize, chunk)
    labels = np.empty(n, dtype=np.int32)
    dist = np.empty(n, dtype=np.float64)
    with threadpool_limits(limits=1, user_api="blas"):
        assign_pass(X, offset, C, layout.block_size, layout.chunk, labels, dist)
    return labels, dist
