"""The EM engine: chunked E/M passes for any family, never branching on it.

map (E-step over a chunk -> sufficient statistics), reduce (``family.combine``),
update (``family.m_step`` plus the mixture weights). Memory is one chunk's
(rows x k) responsibilities plus the family's statistics.
"""

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from clusterlab._config import chunk_rows
from clusterlab._kernels import kernels
from clusterlab._mapreduce import map_reduce
from clusterlab._threads import one_blas_thread
from clusterlab.mixture._squarem import squarem
from clusterlab.mixture._stopping import criterion
from clusterlab.sources import Source

# scikit-learn adds 10 eps to every count, so an empty component keeps a finite log-weight
_EPS = 10 * np.finfo(np.float64).eps
# chunks in flight at once (threads); the machines we target have few cores
_MAX_THREADS = int(os.environ.get("CLUSTERLAB_NUM_THREADS", "8"))


@dataclass
class EMResult:
    """What one EM run returns (the estimator copies it into ``*_`` attributes)."""

    params: dict
    weights: np.ndarray
    log_likelihood: list = field(default_factory=list)
    elbo: list = field(default_factory=list)
    lower_bound: float = -np.inf
    n_iter: int = 0
    converged: bool = False
    stats: dict | None = None
    change: list = field(default_factory=list)
    n_evaluations: int = 0


def chunks(n_samples, rows):
    """Slices of ``rows`` consecutive samples covering ``range(n_samples)``.

    Examples
    --------
    >>> [(s.start, s.stop) for s in chunks(5, 2)]
    [(0, 2), (2, 4), (4, 5)]
    """
    return [slice(i, min(i + rows, n_samples)) for i in range(0, n_samples, rows)]


def default_rows(X, family, n_components):
    """Rows per chunk for ``X`` under the memory budget of ``_config``.

    The chunks are of equal size and, when there are several, of an even
    number, so two threads get the same work (the layout never depends on the
    thread count, so neither do the sums).

    Examples
    --------
    >>> from clusterlab.mixture.families import Gaussian
    >>> default_rows(np.zeros((100_000, 16)), Gaussian("full"), 16)
    1667
    """
    n = X.shape[0]
    rows = chunk_rows(n, family.row_bytes(n_components, X.shape[1]))
    n_chunks = -(-n // rows)
    if n_chunks > 1:
        n_chunks += n_chunks % 2
    return -(-n // n_chunks)


def _chunk_resp(X, family, params, log_weights, hard):
    logp = np.ascontiguousarray(family.log_prob(X, params), dtype=np.float64)
    logp += log_weights
    log_norm = np.empty(logp.shape[0])
    elbo = np.empty(logp.shape[0])
    kernels("estep", X.size * logp.shape[1]).normalize_rows(logp, hard, log_norm, elbo)
    return logp, log_norm, elbo


def responsibilities(X, family, params, log_weights, *, hard=False, rows=None):
    """Yield ``(slice, resp, log_norm, elbo)`` chunk by chunk."""
    rows = rows or default_rows(X, family, log_weights.shape[0])
    for sl in chunks(X.shape[0], rows):
        yield (sl, *_chunk_resp(X[sl], family, params, log_weights, hard))


def _reduce(family, total, part):
    if total is None:
        return part
    return family.combine(total[0], part[0]), total[1] + part[1]


@functools.cache
def _threads():
    return max(1, min(os.cpu_count() or 1, _MAX_THREADS))


_POOL = {}


def _pool():
    # one pool per process, kept: starting threads on every E-step cost ~0.5 ms
    # (4% of a GMM-A iteration); a forked child makes its own
    pid = os.getpid()
    if pid not in _POOL:
        _POOL.clear()
        _POOL[pid] = ThreadPoolExecutor(max_workers=_threads(),
                                        thread_name_prefix="clusterlab-em")
    return _POOL[pid]


def map_chunks(fn, slices):
    """``[fn(s) for s in slices]``, on a few threads when there are several chunks.

    The kernels release the GIL (numba ``nogil``, BLAS), so chunks overlap;
    BLAS itself is held to one thread meanwhile so the two levels of
    parallelism do not oversubscribe the cores. Results come back in chunk
    order, so the reduction (and the result) does not depend on the threads.
    """
    if min(_threads(), len(slices)) <= 1:
        return [fn(s) for s in slices]
    with one_blas_thread():
        return list(_pool().map(fn, slices))


def e_pass(X, weights, family, params, log_weights, *, hard=False, rows=None):
    """One E-step over all chunks.

    Returns
    -------
    stats : dict
        The family's statistics.
    nk : ndarray of shape (k,)
        Weighted responsibility per component.
    log_likelihood, elbo : float
        Weighted sums over the samples.
    """
    if isinstance(X, Source):
        return _streamed_e_pass(X, weights, family, params, log_weights, hard, rows)
    rows = rows or default_rows(X, family, log_weights.shape[0])

    def one(sl):
        w = weights[sl]
        fused = family.fused_estep(X[sl], w, params, log_weights, hard)
        if fused is not None:
            stats, nk, ll, el = fused
            return (stats, nk), float(ll), float(el)
        resp, log_norm, elbo = _chunk_resp(X[sl], family, params, log_weights, hard)
        part = (family.statistics(X[sl], resp, w), w @ resp)
        return part, float(w @ log_norm), float(w @ elbo)

    total, ll, el = None, 0.0, 0.0
    for part, part_ll, part_el in map_chunks(one, chunks(X.shape[0], rows)):
        total = _reduce(family, total, part)
        ll += part_ll
        el += part_el
    return total[0], total[1], ll, el


def _streamed_e_pass(source, weights, family, params, log_weights, hard, rows):
    """``e_pass`` as a map over the source's chunks (each an in-memory ``e_pass``)."""

    def part(X, w, start, stop):
        family.check_X(X)
        return e_pass(X, w, family, params, log_weights, hard=hard, rows=rows)

    def combine(a, b):
        return family.combine(a[0], b[0]), a[1] + b[1], a[2] + b[2], a[3] + b[3]

    # the statistics hold no view of the chunk: its read buffers can be reused
    return map_reduce(source, part, combine, weights=weights, recycle=True)


def streamed_stats_from_init(source, weights, family, init, n_components, *, rows=None):
    """Statistics of a streamed initialisation: ``("centers", clusterer)`` (labels by
    its ``predict``), ``("rows", X, w)`` (given rows, one per component), ``("random", seed)``
    (random responsibilities, seeded per chunk) or ``("callable", fn)`` (``fn(X, start)``:
    the responsibilities of a chunk by the user's initialiser)."""
    kind = init[0]
    if kind == "rows":
        resp = np.eye(n_components)
        return family.statistics(init[1], resp, init[2]), init[2] @ resp
    if kind == "centers":  # a fitted clusterer: rows labelled by its predict
        clusterer = init[1]

        def resp_of(X, start):
            resp = np.zeros((X.shape[0], n_components))
            resp[np.arange(X.shape[0]), clusterer.predict(X)] = 1.0
            return resp
    elif kind == "callable":  # the user's initialiser, chunk by chunk (``_init``)
        resp_of = init[1]
    else:
        def resp_of(X, start):
            resp = np.random.default_rng([init[1], start]).uniform(size=(X.shape[0],
                                                                         n_components))
            return resp / resp.sum(axis=1, keepdims=True)

    def part(X, w, start, stop):
        family.check_X(X)
        resp = resp_of(X, start)
        return family.statistics(X, resp, w), w @ resp

    return map_reduce(source, part, lambda a, b: (family.combine(a[0], b[0]), a[1] + b[1]),
                      weights=weights)


def stats_from_init(X, weights, family, init, n_components, *, rows=None):
    """Statistics of an initialisation: labels (``-1``: unassigned) or responsibilities."""
    if isinstance(X, Source):
        return streamed_stats_from_init(X, weights, family, init, n_components, rows=rows)
    rows = rows or default_rows(X, family, n_components)
    total = None
    for sl in chunks(X.shape[0], rows):
        if init.ndim == 1:
            resp = np.zeros((sl.stop - sl.start, n_components))
            lab = init[sl]
            hit = lab >= 0
            resp[np.flatnonzero(hit), lab[hit]] = 1.0
        else:
            resp = np.ascontiguousarray(init[sl], dtype=np.float64)
        w = weights[sl]
        total = _reduce(family, total, (family.statistics(X[sl], resp, w), w @ resp))
    return total


def m_step(family, stats, nk, learn_weights):
    """Parameters and log mixture weights from statistics."""
    k = nk.shape[0]
    if learn_weights:
        counts = nk + _EPS
        weights = counts / counts.sum()
    else:
        weights = np.full(k, 1.0 / k)
    return family.m_step(stats), weights


def run_em(X, weights, family, params, mix_weights, *, max_iter, tol, stopping="absolute",
           acceleration=None, hard=False, learn_weights=True, rows=None, callback=None,
           previous=-np.inf):
    """Iterate E and M steps from ``params`` until the stopping rule's value < ``tol``.

    The objective is the weighted mean log-likelihood (soft EM) or the mean
    classification log-likelihood, the ELBO of one-hot responsibilities
    (hard EM). Both never decrease. As in scikit-learn, ``lower_bound`` is the
    objective of the last E-step. ``stopping`` names the rule
    (``_stopping.STOPPING_RULES``); ``acceleration="squarem"`` extrapolates
    soft EM (``_squarem.py``), for any family. ``previous`` is the objective a
    warm start continues from (scikit-learn: the first change is measured
    against it); ``max_iter=0`` returns the initial parameters unchanged.
    """
    if max_iter == 0:
        return EMResult(params=params, weights=mix_weights)
    run = EMRun(X, weights, family, max_iter=max_iter, tol=tol, stopping=stopping,
                hard=hard, learn_weights=learn_weights, rows=rows, callback=callback,
                previous=previous)
    if acceleration == "squarem" and not hard:
        return squarem(run, params, mix_weights)
    for _ in range(max_iter):
        if run.record(params, mix_weights, *run.evaluate(params, mix_weights)):
            break
        params, mix_weights = run.res.params, run.res.weights
    return run.res


class EMRun:
    """One EM run's bookkeeping: E-steps (``evaluate``) and recorded iterations
    (``record``: history, stopping rule, M-step), shared by plain and accelerated EM."""

    def __init__(self, X, weights, family, *, max_iter, tol, stopping, hard, learn_weights,
                 rows, callback, previous=-np.inf):
        self.X, self.weights, self.family = X, weights, family
        self.max_iter, self.tol, self.stopping, self.hard = max_iter, tol, stopping, hard
        self.learn_weights, self.rows, self.callback = learn_weights, rows, callback
        self.wsum = None if isinstance(X, Source) else float(weights.sum())
        self.res = EMResult(params=None, weights=None)
        self.previous = previous  # a warm start's last objective (-inf: none)

    def evaluate(self, params, mix_weights):
        """E-step at the parameters: ``(stats, nk, mean log-likelihood, mean elbo)``."""
        stats, nk, ll, el = e_pass(self.X, self.weights, self.family, params,
                                   np.log(mix_weights), hard=self.hard, rows=self.rows)
        self.wsum = self.wsum or float(nk.sum())  # a source's total weight
        self.res.n_evaluations += 1
        return stats, nk, ll / self.wsum, el / self.wsum

    def m_step(self, stats, nk):
        """Parameters and mixture weights from statistics."""
        return m_step(self.family, stats, nk, self.learn_weights)

    def record(self, params, mix_weights, stats, nk, ll, el):
        """Keep an iteration and take its M-step; True when the run is over."""
        res = self.res
        res.log_likelihood.append(ll)
        res.elbo.append(el)
        objective = res.elbo if self.hard else res.log_likelihood
        history = [self.previous, *objective] if np.isfinite(self.previous) else objective
        change = criterion(self.stopping, history, self.wsum)
        res.change.append(change)
        res.params, res.weights = self.m_step(stats, nk)
        res.stats, res.n_iter, res.lower_bound = stats, len(objective), objective[-1]
        if self.callback is not None:
            self.callback(res.n_iter, res.lower_bound)
        res.converged = change < self.tol
        return res.converged or res.n_iter >= self.max_iter


def stepwise_step(X, weights, family, params, mix_weights, running, step, *,
                  hard=False, learn_weights=True, rows=None):
    """One stepwise (online) EM update on a batch.

    The running statistics, normalised per unit of sample weight, move a step
    ``step`` towards the batch's: ``s <- (1 - step) s + step s_batch``.

    Returns ``(params, mix_weights, running, mean_log_likelihood)``.
    """
    stats, nk, ll, _ = e_pass(X, weights, family, params, np.log(mix_weights),
                              hard=hard, rows=rows)
    wsum = float(weights.sum())
    batch = (family.scale(stats, 1.0 / wsum), nk / wsum)
    if running is None:
        running = batch
    else:
        running = (
            family.combine(family.scale(running[0], 1.0 - step), family.scale(batch[0], step)),
            (1.0 - step) * running[1] + step * batch[1],
        )
    params, mix_weights = m_step(family, running[0], running[1], learn_weights)
    return params, mix_weights, running, ll / wsum


def entropy(X, family, params, mix_weights, *, rows=None):
    """Sum over samples of the responsibilities' entropy (for ICL)."""
    if isinstance(X, Source):
        return map_reduce(X, lambda x, w, a, b: entropy(x, family, params, mix_weights,
                                                        rows=rows))
    total = 0.0
    for _, resp, _, _ in responsibilities(X, family, params, np.log(mix_weights), rows=rows):
        total += kernels("estep", resp.size).entropy_rows(resp)
    return total
