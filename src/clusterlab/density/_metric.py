"""Kernels of a distance other than the Euclidean one, and scikit-learn's trees.

scikit-learn's ``KernelDensity(metric=...)`` accepts the metrics of its
``BallTree`` (``KDTree``: the Minkowski family only) and evaluates the radial
profile of that distance with the *Euclidean* normalising constant: its
documentation says the density is normalised for the Euclidean metric only.
:class:`MetricModel` computes exactly that sum (distances by scikit-learn's
``DistanceMetric``, the profile as its trees write it); :class:`TreeModel`
runs scikit-learn's own tree when the user allows a tolerance.
"""

import math
import numbers

import numpy as np
from scipy.special import logsumexp

from clusterlab._config import chunk_rows
from clusterlab.density import radial

# scikit-learn's trees' metrics, written out so that importing KernelDensity does not
# import sklearn.neighbors (14 MB, 0.14 s); tests/density/test_sklearn_compat.py checks
# them against KDTree.valid_metrics and BallTree.valid_metrics.
KD_TREE_METRICS = frozenset({"chebyshev", "cityblock", "euclidean", "infinity", "l1", "l2",
                             "manhattan", "minkowski", "p"})
#: every metric scikit-learn's KernelDensity accepts (its ball tree's; a superset of the KD's)
METRICS = KD_TREE_METRICS | {"braycurtis", "canberra", "dice", "hamming", "haversine",
                             "jaccard", "mahalanobis", "pyfunc", "rogerstanimoto",
                             "russellrao", "seuclidean", "sokalmichener", "sokalsneath"}
_VALID = {"kd_tree": KD_TREE_METRICS, "ball_tree": METRICS}
#: the metrics of the Minkowski family, by their exponent p (None: from metric_params)
_MINKOWSKI_P = {"euclidean": 2.0, "l2": 2.0, "manhattan": 1.0, "cityblock": 1.0, "l1": 1.0,
                "chebyshev": math.inf, "infinity": math.inf, "minkowski": None, "p": None}


def choose_algorithm(algorithm, metric):
    """scikit-learn's choice: a KD tree where the metric allows, else a ball tree.

    Examples
    --------
    >>> choose_algorithm("auto", "haversine")
    'ball_tree'
    """
    if algorithm == "auto":
        return "kd_tree" if metric in KD_TREE_METRICS else "ball_tree"
    if metric not in _VALID[algorithm]:
        raise ValueError(f"invalid metric for algorithm={algorithm!r}: {metric!r}; "
                         f"{algorithm} accepts {sorted(_VALID[algorithm])}.")
    return algorithm


def minkowski_p(metric, params):
    """The exponent ``p`` when the metric is a Minkowski distance (no feature
    weights), else None."""
    if metric not in _MINKOWSKI_P or "w" in params:
        return None
    p = _MINKOWSKI_P[metric]
    return float(params.get("p", 2.0)) if p is None else p


def is_euclidean(metric, params):
    """Whether ``metric`` with ``params`` is the plain Euclidean distance."""
    return minkowski_p(metric, params) == 2.0


def distance_metric(metric, params, d):
    """scikit-learn's ``DistanceMetric`` for ``metric``, checked on a ``d``-feature row.

    Examples
    --------
    >>> distance_metric("minkowski", {"p": 3}, 2).pairwise([[0.0, 0.0]], [[1.0, 1.0]]).round(6)
    array([[1.259921]])
    """
    from sklearn.metrics import DistanceMetric  # only for metrics other than euclidean

    try:
        dm = DistanceMetric.get_metric(metric, **params)
        dm.pairwise(np.zeros((1, d)), np.ones((1, d)))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"metric={metric!r} with metric_params={params!r} cannot be used on "
                         f"{d} features: {exc}") from None
    return dm


class MetricModel:
    """Exact ``log(sum_k w_k c_d k(dist(q, x_k) / h) / (h^d sum w))`` for any metric.

    ``c_d`` is the Euclidean constant, as in scikit-learn.

    Examples
    --------
    >>> import numpy as np
    >>> m = MetricModel(np.zeros((1, 2)), np.ones(1), 1.0, "tophat", "chebyshev", {})
    >>> round(float(np.exp(m.log_density(np.array([[0.9, 0.9]]))[0])), 6)  # 1 / pi
    0.31831
    """

    def __init__(self, X, w, h, name, metric, params):
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        d = self.X.shape[1]
        self.w, self.h, self.name = np.asarray(w, dtype=np.float64), float(h), name
        self.metric = distance_metric(metric, params, d)
        self.log_norm = radial.log_norm(name, d) - d * math.log(h) - math.log(self.w.sum())

    def log_density(self, Q):
        """Log-density at the rows of ``Q`` (in chunks of queries)."""
        Q = np.ascontiguousarray(Q, dtype=np.float64)
        m, n = Q.shape[0], self.X.shape[0]
        out = np.empty(m)
        step = chunk_rows(m, 24 * n, minimum=16)
        for start in range(0, m, step):
            D = self.metric.pairwise(Q[start:start + step], self.X)
            if np.isnan(D).any():
                i, j = np.argwhere(np.isnan(D))[0]
                raise ValueError(
                    f"The metric's distance between query {start + i} and data row {j} is "
                    "NaN (dice and sokalsneath divide 0 by 0 for two all-zero rows), so the "
                    "density is undefined there (scikit-learn returns 0 for such queries). "
                    "Remove all-zero rows or use a metric defined for them (jaccard, hamming).")
            logk = radial.log_profile(self.name, D, self.h)
            reached = np.any(np.isfinite(logk) & (self.w > 0), axis=1)
            part = np.full(logk.shape[0], -np.inf)  # no kernel reaches: density 0, not NaN
            if reached.any():
                part[reached] = logsumexp(logk[reached], b=self.w, axis=1)
            out[start:start + step] = part
        return out + self.log_norm


class TreeModel:
    """scikit-learn's ``BallTree``/``KDTree.kernel_density`` with its tolerances.

    The returned log-density is within ``atol + rtol * density`` of the exact
    one (scikit-learn's guarantee, ``atol`` per unit of total weight as in
    its ``KernelDensity``).

    Examples
    --------
    >>> import numpy as np
    >>> t = TreeModel(np.zeros((3, 1)), np.ones(3), 1.0, "gaussian", dict(
    ...     algorithm="kd_tree", metric="euclidean", metric_params={}, leaf_size=40,
    ...     atol=0.0, rtol=1e-8, breadth_first=True))
    >>> round(float(t.log_density(np.zeros((1, 1)))[0]), 6)
    -0.918939
    """

    def __init__(self, X, w, h, name, options):
        from sklearn.neighbors import BallTree, KDTree  # only with a tolerance

        o = options
        unweighted = bool(np.all(w == 1.0))
        self.tree = {"kd_tree": KDTree, "ball_tree": BallTree}[o["algorithm"]](
            np.ascontiguousarray(X, dtype=np.float64), metric=o["metric"],
            leaf_size=o["leaf_size"], sample_weight=None if unweighted else w,
            **o["metric_params"])
        self.total = float(X.shape[0]) if unweighted else float(w.sum())
        self.h, self.name, self.o = float(h), name, o

    def log_density(self, Q):
        """Log-density at the rows of ``Q``."""
        dens = self.tree.kernel_density(
            np.ascontiguousarray(Q, dtype=np.float64), h=self.h, kernel=self.name,
            atol=self.o["atol"] * self.total, rtol=self.o["rtol"],
            breadth_first=self.o["breadth_first"], return_log=True)
        return dens - math.log(self.total)


def lp_offsets(name, d, p, rng, n):
    """Draws from the unit-scale radial kernel of the ``l_p`` norm in ``d`` dimensions.

    A radial density ``f(|x|_p)`` is ``r * theta`` with ``theta`` from the cone
    measure of the unit ``l_p`` sphere (``g / |g|_p`` for ``g`` with density
    ``~ exp(-|t|^p)``, Barthe et al. 2005; uniform in the cube for p = inf)
    and ``r`` independent with density ``~ r^(d-1) k(r)``.

    Examples
    --------
    >>> U = lp_offsets("tophat", 2, 1.0, np.random.default_rng(0), 1000)
    >>> bool(np.abs(U).sum(axis=1).max() < 1.0)
    True
    """
    if math.isinf(p):
        g = rng.uniform(-1.0, 1.0, (n, d))
        norm = np.abs(g).max(axis=1)
    else:
        g = rng.gamma(1.0 / p, 1.0, (n, d)) ** (1.0 / p) * rng.choice([-1.0, 1.0], (n, d))
        norm = (np.abs(g) ** p).sum(axis=1) ** (1.0 / p)
    r = radial.sample_radius(name, d, rng, n)
    return g * (r / norm)[:, None]


def check_metric_params(metric_params):
    """``metric_params`` as a dict of str keys (None: empty)."""
    if metric_params is None:
        return {}
    bad = [k for k in metric_params if not isinstance(k, str)]
    if bad:
        raise TypeError(f"metric_params keys must be str; got {bad!r}.")
    p = metric_params.get("p")
    if p is not None and not (isinstance(p, numbers.Real) and not isinstance(p, bool)):
        raise TypeError(f"metric_params['p'] must be a number; got {p!r}.")
    return dict(metric_params)
