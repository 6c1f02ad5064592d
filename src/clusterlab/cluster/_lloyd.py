"""The k-means solver loop and Lloyd's assignment strategy.

``solve`` owns what every exact k-means solver shares (block layout, moment
buffers, the centre update with empty-cluster re-seeding, history, the
stopping rule); an assignment strategy (``LloydPasses`` here, the bound-based
ones in ``_bounds.py``) only assigns the rows and adds up their moments.
"""

import contextlib
import functools
import math
from typing import NamedTuple

import numpy as np

from clusterlab._config import CHUNK_BYTES, chunk_rows
from clusterlab._kernels import compiled, is_small, kernels
from clusterlab._moments import means
from clusterlab._threads import one_blas_thread

# Most blocks a pass is split into: enough for load balance on a few cores.
MAX_BLOCKS = 64


# Below this many multiply-adds per pass (n * k * d) a pass runs on one thread:
# waking the thread pool costs more than the work (measured: ~10 ms per parallel
# region on a loaded 2-core machine, 2 us on one thread).
SMALL_WORK = 2**23


@contextlib.contextmanager
def threads_for(n, k, d):
    """Run small problems on one numba thread; results do not depend on it.

    Problems small enough for the numpy kernels leave numba alone (not even
    imported: see ``clusterlab._kernels``).
    """
    if is_small(n * k * d):
        yield
        return
    import numba

    before = numba.get_num_threads()
    if n * k * d < SMALL_WORK and before > 1:
        numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


class KMeansResult(NamedTuple):
    """What one k-means run returns; ``finish(originals)``, where the strategy has one,
    gives the labels and squared distances under the final centres in the data's
    coordinates, equal to ``assign``'s and cheaper."""

    labels: np.ndarray
    inertia: float
    centers: np.ndarray
    n_iter: int
    converged: bool
    history: np.ndarray
    finish: object = None


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

    def __init__(self, layout, k, d, lloyd=None):
        # the kernel module that reduces them (None: numba's)
        self._lloyd = lloyd or compiled("lloyd")
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
        self._lloyd.reduce_blocks(self.sums, self.weights, self.sq, self.total, self.weight, self.q)

    def inertia(self, centers):
        """Inertia of the pass's labels under ``centers`` from the moments.

        ``sum_i w_i ||x_i - c_a||^2 = sum_j (Q_j - 2 c_j . S_j + W_j ||c_j||^2)``
        with float64 moments of the centred data, so no per-row distance is needed.
        """
        c = centers.astype(np.float64)
        per = self.q - 2.0 * np.einsum("kd,kd->k", c, self.total) + self.weight * (c * c).sum(1)
        return float(np.maximum(per, 0.0).sum())


def x_sq_norms(X, offset, lloyd=None):
    """``||X[i] - offset||^2`` for every row (float64), computed once per fit by the
    kernel module ``lloyd`` (None: numba's)."""
    out = np.empty(X.shape[0])
    (lloyd or compiled("lloyd")).centred_sq_norms(X, offset, out)
    return out


def tolerance(X, tol):
    """Absolute tolerance on the centre shift: ``tol`` x mean feature variance."""
    if tol == 0:
        return 0.0
    return float(np.mean(np.var(X, axis=0))) * tol


def update_centers(X, offset, w, centers, labels, buf, lloyd):
    """New centres from the reduced moments; empty clusters take far points.

    An empty cluster is re-seeded, as scikit-learn does, with the point farthest
    from its current centre (moving that point's weight out of its old cluster);
    points already on their centre are never taken (the centre stays put).
    ``lloyd`` is the kernel module of the fit. Returns the new centres (float64
    math, cast to ``X.dtype``).
    """
    total, weight = buf.total.copy(), buf.weight.copy()
    empty = np.flatnonzero(weight == 0)
    if empty.size:
        dist = np.empty(X.shape[0], dtype=np.float64)
        lloyd.sq_dist_to_label(X, offset, centers, labels, dist)
        far = np.argsort(-dist, kind="stable")[: empty.size]
        far = far[dist[far] > 0]  # a point on its centre already: moving there gains nothing
        for new_id, i in zip(empty, far, strict=False):
            old_id = labels[i]
            x = X[i].astype(np.float64) - offset
            total[old_id] -= w[i] * x
            weight[old_id] -= w[i]
            total[new_id] = w[i] * x
            weight[new_id] = w[i]
    return means(weight, total, centers).astype(X.dtype)


def report(verbose, it, inertia, shift=None, extra=""):
    if verbose:
        more = "" if shift is None else f", centre shift {shift:.4g}"
        print(f"Iteration {it}: inertia {inertia:.6g}{more}{extra}", flush=True)


class Run:
    """What an assignment strategy works on: the data, the pass layout and buffers,
    and the Lloyd kernel module for its size (``kernels``)."""

    def __init__(self, X, w, offset, k, chunk):
        n, d = X.shape
        self.X, self.w, self.offset = X, w, offset
        self.lloyd = kernels("lloyd", n * k * d)
        self.layout = make_layout(n, k, d, X.itemsize, chunk)
        self.buf = Buffers(self.layout, k, d, self.lloyd)
        self.labels = np.full(n, -1, dtype=np.int32)
        self.x_sq = x_sq_norms(X, offset, self.lloyd)
        self._columns = None

    def columns(self):
        """The centred rows as float32 columns, chunk by chunk (``transpose_chunks``),
        made on first use: full passes read them instead of transposing X each time."""
        if self._columns is None:
            lay = self.layout
            per_block = -(-lay.block_size // lay.chunk)
            out = np.empty((lay.n_blocks * per_block, self.X.shape[1], lay.chunk),
                           dtype=np.float32)
            # only the bound strategies read columns, and only on large data: numba's
            compiled("lloyd").transpose_chunks(self.X, self.offset, lay.block_size,
                                                        lay.chunk, out)
            self._columns = out
        return self._columns


class LloydPasses:
    """Lloyd's assignment: every distance, every pass."""

    def __init__(self, run, centers):
        self.run = run

    def assign(self, centers):
        """Label every row under ``centers`` and fill ``run.buf`` (reduced)."""
        r, lay, buf = self.run, self.run.layout, self.run.buf
        r.lloyd.lloyd_pass(r.X, r.offset, r.x_sq, r.w, centers, lay.block_size, lay.chunk, r.labels,
                   buf.sums, buf.weights, buf.sq, buf.changed)
        buf.reduce()

    def moved(self, move, centers):
        """Told how far each centre moved in the update after ``assign``, to ``centers``."""

    def describe(self):
        """Extra words for the verbose line of the last pass."""
        return ""


def solve(passes, X, w, centers_init, offset, *, max_iter=300, tol=1e-4, verbose=0,
          chunk=None):
    """k-means on ``X - offset`` from ``centers_init`` (same coordinates) with the
    assignment strategy ``passes`` (a class such as ``LloydPasses``).

    Follows scikit-learn's loop exactly: stop when no label changes (strict
    convergence) or when the squared centre shift is within ``tol`` (absolute).
    The caller makes the final assignment under the returned centres (``assign``,
    or the result's ``finish``); ``labels`` and ``inertia`` here are those of the
    last pass.

    Returns
    -------
    KMeansResult
    """
    centers = np.ascontiguousarray(centers_init, dtype=X.dtype)
    run = Run(X, w, offset, centers.shape[0], chunk)
    strategy = passes(run, centers)
    buf = run.buf
    history = []
    converged = False
    with one_blas_thread():
        for it in range(max_iter):
            strategy.assign(centers)
            history.append(buf.inertia(centers))
            new = update_centers(X, offset, w, centers, run.labels, buf, run.lloyd)
            delta_sq = (new.astype(np.float64) - centers) ** 2
            shift = float(delta_sq.sum())
            strategy.moved(np.sqrt(delta_sq.sum(axis=1)), new)
            report(verbose, it, history[-1], shift, strategy.describe() if verbose else "")
            centers = new
            if it > 0 and buf.changed.sum() == 0:
                converged = True
                break
            if shift <= tol:
                converged = True
                break
    finish = getattr(strategy, "finish", None)
    return KMeansResult(run.labels, history[-1], centers, it + 1, converged,
                        np.asarray(history),
                        None if finish is None else functools.partial(finish, centers))


def assign(X, centers, chunk=None):
    """Labels and exact squared distances of ``X`` to its nearest ``centers``.

    Labels are those of exact arithmetic (ties to the lowest index): float32
    products of the data and centres shifted by the centres' mean screen, and
    rows too close to call are decided in float64 (``assign_pass``). ``fit``
    ends with this same computation, which makes ``labels_`` equal
    ``predict(X)`` exactly.
    """
    n, d = X.shape
    k = centers.shape[0]
    offset = centers.mean(axis=0).astype(X.dtype)
    C = np.ascontiguousarray(centers - offset, dtype=X.dtype)
    layout = make_layout(n, k, d, X.itemsize, chunk)
    labels = np.empty(n, dtype=np.int32)
    dist = np.empty(n, dtype=np.float64)
    with one_blas_thread():
        kernels("lloyd", n * k * d).assign_pass(
            X, offset, C, np.ascontiguousarray(centers, dtype=X.dtype), layout.block_size,
            layout.chunk, labels, dist)
    return labels, dist
