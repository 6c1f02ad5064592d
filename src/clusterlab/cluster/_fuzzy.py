"""``FuzzyCMeans``: fuzzy c-means (Bezdek 1981), the soft version of k-means."""

import functools
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin

from clusterlab._docstrings import fill_doc
from clusterlab._history import history_frame
from clusterlab._kernels import kernels
from clusterlab._mapreduce import Weights, map_reduce, map_rows
from clusterlab._moments import means
from clusterlab._rng import as_generator, spawn
from clusterlab._validation import (
    Interval,
    Options,
    check_data,
    check_n_samples,
    check_sample_weight,
    validate_params,
)
from clusterlab._validation.scale import (
    power_of_two_scale,
    scaled,
    unscale,
    unscale_objective,
)
from clusterlab._validation.schema import Field
from clusterlab.cluster._centers import CentersMixin, center_fields
from clusterlab.cluster._init import _plusplus, random_init
from clusterlab.cluster._lloyd import assign, make_layout, report, threads_for, tolerance
from clusterlab.cluster._streaming import final_assignment, streamed_init, summary
from clusterlab.sources import as_source, in_memory_if_small, is_streamed


class FuzzyResult(NamedTuple):
    centers: np.ndarray
    objective: float
    n_iter: int
    converged: bool
    history: np.ndarray
    partition_coefficient: float


def _buffers(X, k):
    """Block size and per-block outputs of ``fcm_pass`` (k-means' block layout)."""
    n, d = X.shape
    layout = make_layout(n, k, d, X.itemsize)
    nb = layout.n_blocks
    return layout.block_size, np.zeros((nb, k, d)), np.zeros((nb, k)), np.zeros(nb), np.zeros(nb)


def _objective_pass(X, w, centers, m):
    """(memberships' partition coefficient sum, objective) of one pass."""
    block, sums, weights, obj, pc = _buffers(X, centers.shape[0])
    kernels("fuzzy", X.size * centers.shape[0]).fcm_pass(X, w, centers, float(m), block, sums,
                                                         weights, obj, pc)
    return float(pc.sum()), float(obj.sum())


def fuzzy_cmeans(X, w, centers, m, *, max_iter=300, tol=0.0, verbose=0):
    """Fuzzy c-means iterations from ``centers``.

    Each iteration computes the memberships under the current centres (its
    objective goes to ``history``) and moves the centres to the ``u^m``-weighted
    means. Stops after ``max_iter`` iterations or when the summed squared centre
    shift is at most ``tol`` (absolute). A last pass gives the objective and the
    partition coefficient under the returned centres.
    """
    n, d = X.shape
    k = centers.shape[0]
    block, sums, weights, obj, pc = _buffers(X, k)
    centers = np.ascontiguousarray(centers, dtype=np.float64)
    history, converged, it = [], False, 0
    fcm_pass = kernels("fuzzy", n * k * d).fcm_pass
    for it in range(1, max_iter + 1):
        fcm_pass(X, w, centers, float(m), block, sums, weights, obj, pc)
        history.append(float(obj.sum()))
        total, weight = sums.sum(axis=0), weights.sum(axis=0)
        new = centers.copy()
        filled = weight > 0
        new[filled] = total[filled] / weight[filled, None]
        shift = float(((new - centers) ** 2).sum())
        report(verbose, it, history[-1], shift)
        centers = new
        if shift <= tol:
            converged = True
            break
    fcm_pass(X, w, centers, float(m), block, sums, weights, obj, pc)
    return FuzzyResult(centers, float(obj.sum()), it, converged, np.asarray(history),
                       float(pc.sum()) / n)


def _fcm_part(C, m, X, w, start, stop):
    """One chunk's ``(sum w u^m x, sum w u^m, J_m, sum u^2)``."""
    block, sums, weights, obj, pc = _buffers(X, C.shape[0])
    kernels("fuzzy", X.size * C.shape[0]).fcm_pass(
        X, np.ascontiguousarray(w, dtype=np.float64), C, float(m), block, sums, weights, obj, pc)
    return sums.sum(axis=0), weights.sum(axis=0), float(obj.sum()), float(pc.sum())


def _memberships(C, m, X):
    u = np.empty((X.shape[0], C.shape[0]))
    kernels("fuzzy", X.size * C.shape[0]).fcm_memberships(X, C, m, u)
    return u


def _one_pass(source, w, C, m):
    # a partial of a module-level function, not a closure: Dask workers then use
    # their cached kernels
    return map_reduce(source, functools.partial(_fcm_part, C, m), weights=w)


def streamed_fuzzy_cmeans(source, w, centers, m, *, max_iter=300, tol=0.0, verbose=0):
    """``fuzzy_cmeans`` over a chunk source: each pass a map of ``fcm_pass`` over chunks."""
    centers = np.ascontiguousarray(centers, dtype=np.float64)
    history, converged, it = [], False, 0
    for it in range(1, max_iter + 1):
        total, weight, obj, _ = _one_pass(source, w, centers, m)
        history.append(obj)
        new = means(weight, total, centers)
        shift = float(((new - centers) ** 2).sum())
        report(verbose, it, history[-1], shift)
        centers = new
        if shift <= tol:
            converged = True
            break
    _, _, obj, pc = _one_pass(source, w, centers, m)
    return FuzzyResult(centers, obj, it, converged, np.asarray(history), pc / source.n_rows)


def centers_from_memberships(X, w, u0, m):
    """Initial centres: ``u0^m``-weighted means (rows of ``u0`` normalised first)."""
    u = np.ascontiguousarray(u0, dtype=np.float64)
    k = u.shape[1]
    sums, col = np.empty((k, X.shape[1])), np.empty(k)
    code = kernels("fuzzy", u.size * X.shape[1]).membership_moments(
        X, np.ascontiguousarray(w, dtype=np.float64), u, float(m), sums, col)
    if code == 1:
        raise ValueError("init memberships must be finite and non-negative.")
    if code == 2:
        raise ValueError("init memberships: every row needs a positive entry.")
    if np.any(col == 0):
        raise ValueError("init memberships: every cluster needs a positive membership.")
    return sums / col[:, None]


class FuzzyCMeans(CentersMixin, ClusterMixin, TransformerMixin, BaseEstimator):
    """Fuzzy c-means clustering.

    Each point has a membership vector over the clusters (summing to 1); the
    fit minimises ``J_m = sum_i w_i sum_j u_ij^m ||x_i - c_j||^2`` by alternating
    memberships ``u_ij = 1 / sum_l (d_ij / d_il)^(2 / (m - 1))`` and centres
    ``c_j = sum_i w_i u_ij^m x_i / sum_i w_i u_ij^m``.

    Parameters
    ----------
    n_clusters : int, default=3
        Number of clusters.
    m : float, default=2.0
        Fuzzifier, > 1; larger is softer.
    init : {'k-means++', 'random'} or array-like, default='k-means++'
        Initial centres: by k-means++ seeding, ``n_clusters`` random data
        points, an array of shape (n_clusters, n_features), or initial
        memberships of shape (n_samples, n_clusters) (rows are normalised).
    n_init : int, default=1
        Runs from different seeds; the lowest objective is kept.
    max_iter : int, default=300
        Most iterations.
    tol : float, default=1e-4
        Stop when the summed squared centre shift is at most ``tol`` times the
        mean feature variance.
    verbose : int, default=0
        Print the objective after each iteration when positive.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the initialisation.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Cluster centres.
    labels_ : ndarray of shape (n_samples,)
        Cluster of highest membership of each training point.
    objective_ : float
        ``J_m`` of the training data under the final centres.
    partition_coefficient_ : float
        Fuzzy partition coefficient ``sum_ij u_ij^2 / n`` (1 = crisp, 1/c = uniform).
    n_iter_ : int
        Iterations run.
    converged_ : bool
        Whether the fit stopped before ``max_iter``.
    history_ : pandas.DataFrame of shape (n_iter_, 1)
        One row per iteration: ``objective`` (``J_m``) after each membership
        update.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import FuzzyCMeans
    >>> X = np.array([[0.0], [0.2], [0.1], [5.0], [5.2], [5.1]])
    >>> fcm = FuzzyCMeans(n_clusters=2, random_state=0).fit(X)
    >>> np.round(np.sort(fcm.cluster_centers_.ravel()), 1).tolist()
    [0.1, 5.1]
    >>> P = fcm.predict_proba([[0.0], [2.6]])
    >>> P.sum(axis=1).round(12).tolist()
    [1.0, 1.0]
    >>> bool(P[0].max() > 0.99 and P[1].max() < 0.6)
    True
    """

    _parameter_constraints = {
        "n_clusters": [Interval(int, 1, None)],
        "m": [Interval(float, 1, None, closed="neither")],
        "init": [Options({"k-means++", "random"}), "array-like"],
        "n_init": [Interval(int, 1, None)],
        "max_iter": [Interval(int, 1, None)],
        "tol": [Interval(float, 0, None)],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    # init: centres (n_clusters, n_features) or memberships (n_samples, n_clusters)
    _model_schema = center_fields(
        Field("objective_", "float", low=0),
        Field("partition_coefficient_", "float", low=0, high=1),
        init_shape=("init_rows", "init_columns"),
    )

    def __init__(self, n_clusters=3, *, m=2.0, init="k-means++", n_init=1, max_iter=300,
                 tol=1e-4, verbose=0, random_state=None):
        self.n_clusters = n_clusters
        self.m = m
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state

    def _initial_centers(self, X, w, rng, s=1.0):
        """Initial centres for ``X`` (the data divided by ``s``)."""
        k = self.n_clusters
        if isinstance(self.init, str):
            if self.init == "k-means++":
                return _plusplus(X, k, w, rng, 2 + int(np.log(k)))[0]
            return random_init(X, k, w, rng)[0]
        arr = np.asarray(self.init)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"init must be numeric; got dtype {arr.dtype}.")
        if arr.shape == (k, X.shape[1]):
            if not np.all(np.isfinite(arr)):
                raise ValueError("init contains NaN or infinity.")
            return arr.astype(np.float64) / s
        if arr.shape == (X.shape[0], k):
            return centers_from_memberships(X, w, arr, self.m)
        raise ValueError(
            f"init should have shape (n_clusters, n_features) = ({k}, {X.shape[1]}) for "
            f"centres or (n_samples, n_clusters) = ({X.shape[0]}, {k}) for memberships; "
            f"got {arr.shape}."
        )

    @fill_doc
    def fit(self, X, y=None, sample_weight=None):
        """Fit fuzzy c-means.

        Parameters
        ----------
        {fit_params}

        Returns
        -------
        self : FuzzyCMeans
            The fitted estimator.
        """
        validate_params(self)
        X = in_memory_if_small(X)
        if is_streamed(X):
            return self._fit_streamed(X, sample_weight)
        X = check_data(self, X)
        check_n_samples(X, self.n_clusters)
        w = check_sample_weight(sample_weight, X).astype(np.float64)
        # extreme magnitudes: fit X / s and w / ws (powers of two: exact; undone below)
        s, ws = power_of_two_scale(X), power_of_two_scale(w)
        X, w = scaled(X, s), scaled(w, ws)
        tol = tolerance(X, self.tol)
        n_init = 1 if not isinstance(self.init, str) else self.n_init
        best = None
        with threads_for(*X.shape, self.n_clusters):
            for rng in spawn(as_generator(self.random_state), n_init):
                c0 = self._initial_centers(X, w, rng, s)
                res = fuzzy_cmeans(X, w, c0, self.m, max_iter=self.max_iter, tol=tol,
                                   verbose=self.verbose)
                if best is None or res.objective < best.objective:
                    best = res
        # the nearest centre is the cluster of highest membership
        self.labels_ = assign(X, best.centers.astype(X.dtype))[0]
        self.cluster_centers_ = unscale(best.centers, s, 1, "cluster_centers_").astype(X.dtype)
        self.objective_ = unscale_objective(best.objective, s, ws, "objective_")
        self.partition_coefficient_ = best.partition_coefficient
        self.n_iter_ = best.n_iter
        self.converged_ = best.converged
        self.history_ = history_frame(
            objective=unscale_objective(np.asarray(best.history, dtype=np.float64), s, ws,
                                        "history_"))
        return self

    def _fit_streamed(self, X, sample_weight):
        """The same passes over a chunk source (memmap, Parquet, Dask)."""
        source = as_source(X)
        if source.n_rows < self.n_clusters:
            check_n_samples(np.empty((source.n_rows, 0)), self.n_clusters)
        k, d = self.n_clusters, source.n_features
        if not isinstance(self.init, str) and np.shape(self.init) != (k, d):
            raise ValueError(f"On a file or Dask array, init must be 'k-means++', 'random' or "
                             f"centres of shape ({k}, {d}); got shape {np.shape(self.init)}.")
        w = Weights(sample_weight, source)
        moments, _, positive = summary(source, w)
        tol = float(np.mean(moments.variance())) * self.tol
        best = None
        for rng in spawn(as_generator(self.random_state),
                         1 if not isinstance(self.init, str) else self.n_init):
            c0 = streamed_init(source, w, k, self.init, rng, positive).astype(np.float64)
            res = streamed_fuzzy_cmeans(source, w, c0, self.m, max_iter=self.max_iter, tol=tol,
                                        verbose=self.verbose)
            if best is None or res.objective < best.objective:
                best = res
        self.n_features_in_ = d
        self.cluster_centers_ = best.centers.astype(source.dtype)
        self.objective_ = best.objective
        self.partition_coefficient_ = best.partition_coefficient
        self.n_iter_ = best.n_iter
        self.converged_ = best.converged
        self.history_ = history_frame(objective=best.history)
        self.labels_ = final_assignment(source, w, self.cluster_centers_)[1]
        if self.labels_ is None:  # Dask: lazy
            self.labels_ = self.predict(source.X)
        return self

    @fill_doc
    def predict_proba(self, X, *, out=None):
        """Memberships of each sample in each cluster (rows sum to 1).

        Parameters
        ----------
        {X_source}

        Returns
        -------
        u : ndarray of shape (n_samples, n_clusters)
            Fuzzy memberships.
        """
        if is_streamed(X) or out is not None:
            source, C = self._streamed(X)
            fn = functools.partial(_memberships, C.astype(np.float64), float(self.m))
            return map_rows(source, fn, width=C.shape[0], out=out)
        X, centers, _ = self._scaled_problem(self._check_X(X))  # memberships are scale-free
        centers = centers.astype(np.float64)
        out = np.empty((X.shape[0], self.n_clusters))
        kernels("fuzzy", out.size * X.shape[1]).fcm_memberships(X, centers, float(self.m), out)
        return out

    @fill_doc
    def score(self, X, y=None, sample_weight=None):
        """Opposite of the objective ``J_m`` of ``X`` under the fitted centres.

        As every centre-based clusterer's ``score`` here: the negated objective
        its ``fit`` minimises (``-objective_`` on the training data).

        Parameters
        ----------
        {score_params}

        Returns
        -------
        score : float
            ``-J_m`` (higher is better).
        """
        if is_streamed(X):
            source, C = self._streamed(X)
            w = Weights(sample_weight, source)
            return -_one_pass(source, w, C.astype(np.float64), self.m)[2]
        X, centers, s = self._scaled_problem(self._check_X(X))
        w = check_sample_weight(sample_weight, X).astype(np.float64)
        ws = power_of_two_scale(w)
        objective = _objective_pass(X, scaled(w, ws), centers.astype(np.float64), self.m)[1]
        return -unscale_objective(objective, s, ws, "objective")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags
