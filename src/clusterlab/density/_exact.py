"""Exact kernel density evaluation: every query against every data point.

The data are whitened once by the Cholesky factor ``L`` of the bandwidth
matrix ``H = L L^T``; a query's density is then
``sum_k w_k prod_j k((u_j - z_kj)) / (sum(w) det L)`` with ``k`` the
unit-variance 1-D kernel (:class:`ExactModel`, product kernels), or
``sum_k w_k c_d k(|u - z_k|) / (sum(w) det L)`` with ``k`` a radial profile
(:class:`RadialModel`; compact profiles on large problems visit only the data
a KD tree finds inside each query's ball). Queries are processed in chunks so
memory stays bounded whatever their number; the compiled kernels hold only
O(block) temporaries per thread.
"""

import math

import numpy as np
from scipy.linalg import solve_triangular
from scipy.spatial import cKDTree

from clusterlab._config import chunk_rows
from clusterlab._kernels import kde as _k
from clusterlab.density import radial

# A plain sum below this is recomputed with a shift (log-sum-exp), so far-away
# queries get their true, tiny log-density instead of -inf.
_UNDERFLOW = 1e-250
# Kernel evaluations (queries x data x features) above which threads are used
# (and compact radial kernels look for their neighbours with a tree).
_PARALLEL_WORK = 4_000_000
# A compact kernel's ball holding more than this fraction of the data: plain sums.
_DENSE_BALLS = 0.2
# (query, data point) pairs per pass of the neighbour search (memory bound).
_PAIRS_PER_PASS = 2_000_000


def _exp_log_sums(U, Zt, w, kind, big):
    """log of the ``exp(-g)`` kernel sums; underflowed ones redone with a shift."""
    sums = np.empty(U.shape[0])
    fn = _k.exp_kernel_sums if big else _k.exp_kernel_sums_serial
    fn(U, Zt, w, kind, sums)
    small = np.flatnonzero(sums < _UNDERFLOW)
    with np.errstate(divide="ignore"):
        logs = np.log(sums)
    if small.size:
        fixed = np.empty(small.size)
        _k.exp_kernel_logsums(np.ascontiguousarray(U[small]), Zt, w, kind, fixed)
        logs[small] = fixed
    return logs


class ExactModel:
    """Whitened data, weights and normalising constant for exact evaluation.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    w : ndarray of shape (n,), non-negative weights
    H : ndarray of shape (d, d), symmetric positive definite bandwidth matrix
    kernel : Kernel

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab.density.kernels import get_kernel
    >>> m = ExactModel(np.zeros((1, 1)), np.ones(1), np.eye(1), get_kernel("gaussian"))
    >>> round(float(m.log_density(np.zeros((1, 1)))[0]), 6)  # log N(0; 0, 1)
    -0.918939
    """

    def __init__(self, X, w, H, kernel):
        self.kernel = kernel
        self.L = np.linalg.cholesky(H)
        X = np.asarray(X, dtype=np.float64)
        self.Zt = np.ascontiguousarray(solve_triangular(self.L, X.T, lower=True))
        self.w = np.ascontiguousarray(w, dtype=np.float64)
        d = X.shape[1]
        log_det = float(np.sum(np.log(np.diag(self.L))))
        if kernel.compact:
            log_k = -d * math.log(kernel.radius)
        else:
            log_k = d * math.log(float(kernel.pdf(0.0)))
        self.log_norm = log_k - log_det - math.log(self.w.sum())

    def peak_value(self):
        """Density of one unit-weight kernel at its centre, ``K_H(0)``."""
        return math.exp(self.log_norm + math.log(self.w.sum()))

    def whiten(self, Q):
        """Queries in the whitened frame, ``L^-1 q`` per row."""
        Q = np.asarray(Q, dtype=np.float64)
        return np.ascontiguousarray(solve_triangular(self.L, Q.T, lower=True).T)

    def log_density(self, Q):
        """Log-density at the rows of ``Q`` (m, d), in chunks.

        Returns
        -------
        ndarray of shape (m,)
        """
        m, d = Q.shape
        out = np.empty(m)
        step = chunk_rows(m, 8 * (2 * d + 2), minimum=1024)
        for start in range(0, m, step):
            stop = min(m, start + step)
            out[start:stop] = self._log_sums(self.whiten(Q[start:stop]))
        return out + self.log_norm

    def _log_sums(self, U):
        sums = np.empty(U.shape[0])
        kern = self.kernel
        big = U.shape[0] * self.Zt.shape[1] * self.Zt.shape[0] >= _PARALLEL_WORK
        if kern.compact:
            fn = _k.compact_kernel_sums if big else _k.compact_kernel_sums_serial
            fn(U, self.Zt, self.w, kern.kid, 1.0 / kern.radius, sums)
            with np.errstate(divide="ignore"):
                return np.log(sums)
        return _exp_log_sums(U, self.Zt, self.w, kern.exp_kind, big)


class RadialModel(ExactModel):
    """Exact evaluation of a radial kernel ``c_d k(|L^-1 (q - x)|) / det L``.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    w : ndarray of shape (n,), non-negative weights
    N : ndarray of shape (d, d), the kernel's squared scale ``L L^T`` (``h**2 I``
        for scikit-learn's scalar bandwidth ``h``)
    name : str, the kernel (see :mod:`clusterlab.density.radial`)

    Examples
    --------
    >>> import numpy as np
    >>> m = RadialModel(np.zeros((1, 2)), np.ones(1), np.eye(2), "tophat")
    >>> round(float(np.exp(m.log_density(np.zeros((1, 2)))[0])), 6)  # 1 / pi
    0.31831
    """

    def __init__(self, X, w, N, name):
        self.name = name
        self.L = np.linalg.cholesky(N)
        X = np.asarray(X, dtype=np.float64)
        self.Zt = np.ascontiguousarray(solve_triangular(self.L, X.T, lower=True))
        self.w = np.ascontiguousarray(w, dtype=np.float64)
        log_det = float(np.sum(np.log(np.diag(self.L))))
        self.log_norm = radial.log_norm(name, X.shape[1]) - log_det - math.log(self.w.sum())
        self.kid = radial.PROFILE_ID.get(name, -1)
        self.exp_kind = {"gaussian": 0, "exponential": 2}.get(name, -1)

    def _log_sums(self, U):
        sums = np.empty(U.shape[0])
        big = U.shape[0] * self.Zt.shape[1] * self.Zt.shape[0] >= _PARALLEL_WORK
        if self.exp_kind >= 0:
            return _exp_log_sums(U, self.Zt, self.w, self.exp_kind, big)
        if big and self._neighbour_sums(U, sums):
            pass
        else:
            fn = _k.radial_compact_sums if big else _k.radial_compact_sums_serial
            fn(U, self.Zt, self.w, self.kid, sums)
        with np.errstate(divide="ignore"):
            return np.log(sums)

    def _neighbour_sums(self, U, out):
        """Compact kernels: sum over the data inside each query's unit ball, found by a
        KD tree; False (nothing written) when the balls hold too much of the data."""
        n = self.Zt.shape[1]
        if getattr(self, "_tree", None) is None:
            self._tree = cKDTree(self.Zt.T)
        probe = U[:: max(1, U.shape[0] // 64)]
        reach = float(np.mean(self._tree.query_ball_point(probe, 1.0, return_length=True)))
        if reach > _DENSE_BALLS * n:
            return False
        rows = max(1, int(_PAIRS_PER_PASS // max(reach, 1.0)))
        for start in range(0, U.shape[0], rows):
            block = U[start:start + rows]
            # candidates a hair beyond the ball too: the sums test r^2 < 1 themselves
            pairs = cKDTree(block).sparse_distance_matrix(self._tree, 1.0 + 1e-9,
                                                          output_type="ndarray")
            _k.radial_pair_sums(block, self.Zt, self.w, pairs["i"].astype(np.int64),
                                pairs["j"].astype(np.int64), self.kid,
                                out[start:start + block.shape[0]])
        return True
