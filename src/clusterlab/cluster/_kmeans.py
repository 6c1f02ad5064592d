"""``KMeans``: the estimator (hyperparameters, validation, restarts, fitted attributes)."""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.exceptions import ConvergenceWarning

from clusterlab._docstrings import fill_doc
from clusterlab._history import history_frame
from clusterlab._kernels import is_small
from clusterlab._mapreduce import Weights
from clusterlab._rng import as_generator, spawn
from clusterlab._threads import one_blas_thread
from clusterlab._validation import (
    Interval,
    Options,
    check_data,
    check_n_samples,
    check_sample_weight,
    validate_params,
)
from clusterlab._validation.scale import power_of_two_scale, scaled
from clusterlab._validation.schema import Field
from clusterlab.cluster import _sparse
from clusterlab.cluster._centers import CentersMixin, center_fields
from clusterlab.cluster._init import _plusplus, check_init_array, random_init
from clusterlab.cluster._kswap import swap_refine
from clusterlab.cluster._lloyd import LloydPasses, assign, solve, threads_for, tolerance
from clusterlab.cluster._streaming import final_assignment, stream_lloyd, streamed_init, summary
from clusterlab.sources import as_source, in_memory_if_small, is_streamed

# algorithm name -> assignment strategy of ``solve`` (a class of ``_bounds``, except
# Lloyd's: that module loads numba's kernels, so it is imported when first chosen)
SOLVERS = {"lloyd": "LloydPasses", "hamerly": "HamerlyPasses", "yinyang": "YinyangPasses"}


AUTO = "hamerly"
# scikit-learn's name for its bound-based exact algorithm: ours is the fastest
# exact bound strategy measured (the one 'auto' picks)
SOLVERS["elkan"] = SOLVERS[AUTO]
# Failed swaps in a row before the refinement stops (measured on the S and A sets).
SWAP_PATIENCE = 5
# refine='auto' swaps only below this n * k * d: each swap costs a k-means run.
SWAP_AUTO_WORK = 2**27


def _solver(name, work):
    """The assignment strategy for ``algorithm=name`` on ``work = n * k * d``.

    Problems small enough for the numpy kernels always make Lloyd's passes: every
    strategy gives Lloyd's labels, and the bounds only pay on large data.
    """
    strategy = SOLVERS[AUTO if name == "auto" else name]
    if strategy == "LloydPasses" or is_small(work):
        return LloydPasses
    from clusterlab.cluster import _bounds

    return getattr(_bounds, strategy)


def resolve_n_init(n_init, init):
    """Runs to make: explicit centres need one (they would all be the same);
    ``'auto'`` gives one for k-means++ and ten for 'random' or a callable."""
    if not isinstance(init, str) and not callable(init):
        return 1
    if n_init != "auto":
        return int(n_init)
    return 1 if init in ("k-means++", "k-means||") else 10


def initial_centers(X, offset, k, w, init, rng, n_local_trials=None):
    """Initial centres in the shifted coordinates ``X - offset``."""
    if isinstance(init, str) and init in ("k-means++", "k-means||"):
        trials = n_local_trials or 2 + int(np.log(k))
        centers, _ = (_sparse.plusplus if _sparse.is_sparse(X) else _plusplus)(
            X, k, w, rng, trials)
    elif isinstance(init, str) and init == "random":
        centers, _ = random_init(X, k, w, rng)
    elif callable(init):
        centers = check_init_array(init(X, k, rng), X, k)
    else:
        centers = check_init_array(init, X, k)
    return np.ascontiguousarray(centers - offset, dtype=X.dtype)


def scaled_init(init, X, k, s):
    """``init`` for data divided by ``s``: an array is checked and divided too."""
    if isinstance(init, str) or callable(init):
        return init
    return check_init_array(init, X, k) / s


def warn_fewer_clusters(labels, n_clusters):
    """scikit-learn's ConvergenceWarning when fewer distinct clusters than asked."""
    if not isinstance(labels, np.ndarray):
        return  # lazy (Dask) labels: not computed here
    found = int(np.unique(labels).size)
    if found < n_clusters:
        warnings.warn(f"Number of distinct clusters ({found}) found smaller than n_clusters "
                      f"({n_clusters}). Possibly due to duplicate points in X.",
                      ConvergenceWarning, stacklevel=3)


class KMeans(CentersMixin, ClusterMixin, BaseEstimator):
    """K-means clustering: Lloyd's algorithm and exact bound-based accelerations.

    Minimises the within-cluster sum of squares (inertia). Each run starts from
    ``init``, alternates assigning points to their nearest centre and moving
    each centre to the (weighted) mean of its points, and stops when no label
    changes or the centres move less than ``tol``; the best of ``n_init`` runs
    is kept. Labels are those of exact arithmetic (ties to the lowest index):
    float32 products screen, and rows too close to call are decided in float64.
    Memory: O(chunk x n_clusters) per thread, a few numbers per sample (bounds;
    'yinyang' keeps one per group of centres, at most 32) and a float32 copy of
    the centred data that full passes read; never an n_samples x n_clusters
    matrix.

    ``X`` may also be a ``numpy.memmap``, a path to a ``.npy`` or Parquet file
    (or folder), a :class:`~clusterlab.sources.Source` or a ``dask.array.Array``:
    the fit then streams Lloyd passes over chunks (on a Dask array, each block
    is mapped on the worker that holds it and only O(k x d) statistics come
    back); from the same initial centres it gives the in-memory result.
    ``labels_`` of a Dask fit is a lazy Dask array.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    init : {'k-means++', 'k-means||', 'random'}, array-like of shape (n_clusters, \
n_features) or callable, default='k-means++'
        'k-means++': greedy k-means++ seeding in memory, k-means|| (Bahmani et
        al. 2012, candidates reclustered with their weights) on data that is
        not in memory; 'k-means||': k-means|| always; 'random': ``n_clusters``
        distinct data points; an array: the initial centres; a callable
        ``init(X, n_clusters, rng) -> centres`` (on data not in memory, ``X`` is
        a sample of one chunk's worth of distinct rows drawn by weight).
    n_init : 'auto' or int, default='auto'
        Number of runs; the one with the lowest inertia is kept. 'auto' is 1
        for 'k-means++' and 10 for 'random' or a callable; explicit centres
        always make one run.
    max_iter : int, default=300
        Most iterations of one run.
    tol : float, default=1e-4
        Convergence when the summed squared centre shift is at most ``tol``
        times the mean variance of the features.
    verbose : int, default=0
        Print the inertia after each iteration when positive.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the initialisation.
    algorithm : {'auto', 'lloyd', 'elkan', 'hamerly', 'yinyang'}, default='auto'
        'lloyd' recomputes every distance each iteration; 'hamerly' skips the
        points whose label a triangle-inequality bound proves unchanged;
        'yinyang' keeps one bound per group of about 16 centres and scans only
        the groups a point's bounds do not settle. All give Lloyd's result;
        'auto' picks the fastest measured (Hamerly). 'elkan' is accepted for
        scikit-learn compatibility and runs that same best exact bound strategy
        (Hamerly's single lower bound beat Elkan's k bounds per point in our
        benchmarks); with one cluster it warns and runs 'lloyd', as
        scikit-learn does. Sparse input always runs Lloyd passes.
    chunk_size : int or None, default=None
        Rows per BLAS call; ``None`` chooses from the memory budget. Results do
        not depend on it.
    refine : {'auto', 'swap', 'none'}, default='auto'
        'swap': after each run, move the centre whose removal costs least into
        the cluster with the largest inertia and run k-means again, keeping the
        result while the inertia drops (fixes centres stuck two-in-one-cluster).
        'auto' swaps when ``init`` is 'k-means++' or 'random' (explicit centres
        then give exactly Lloyd's result) and ``n_samples * n_clusters *
        n_features <= 2**27`` (each swap costs a k-means run); 'none' never.
        Sparse input is never swapped ('swap' raises).
    copy_x : bool, default=True
        Accepted for scikit-learn compatibility: ``X`` is never modified (the
        centring is done on the fly), so no copy is made either way.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Cluster centres.
    labels_ : ndarray of shape (n_samples,)
        Index of the nearest centre of each training point (equals ``predict(X)``).
    inertia_ : float
        Weighted sum of squared distances of the points to their centre.
    n_iter_ : int
        Iterations of the best run.
    converged_ : bool
        Whether the best run stopped before ``max_iter``.
    history_ : pandas.DataFrame of shape (n_iter_, 1)
        One row per iteration of the best run: ``inertia`` after each
        assignment step.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import KMeans
    >>> X = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 0.0],
    ...               [10.0, 2.0], [10.0, 4.0], [10.0, 0.0]])
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> sorted(km.cluster_centers_[:, 0].tolist())
    [1.0, 10.0]
    >>> bool(km.predict([[0.0, 0.0]])[0] == km.predict([[1.0, 1.0]])[0])
    True
    """

    _parameter_constraints = {
        "n_clusters": [Interval(int, 1, None)],
        "init": [Options({"k-means++", "k-means||", "random"}), "array-like", "callable"],
        "n_init": [Options({"auto"}), Interval(int, 1, None)],
        "max_iter": [Interval(int, 1, None)],
        "tol": [Interval(float, 0, None)],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "algorithm": [Options({"auto", *SOLVERS})],
        "chunk_size": [None, Interval(int, 1, None)],
        "refine": [Options({"auto", "swap", "none"})],
        "copy_x": ["boolean"],
    }

    _model_schema = center_fields(Field("inertia_", "float", low=0))

    def __init__(self, n_clusters=8, *, init="k-means++", n_init="auto", max_iter=300,
                 tol=1e-4, verbose=0, random_state=None, algorithm="auto", chunk_size=None,
                 refine="auto", copy_x=True):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state
        self.algorithm = algorithm
        self.chunk_size = chunk_size
        self.refine = refine
        self.copy_x = copy_x

    @fill_doc
    def fit(self, X, y=None, sample_weight=None):
        """Compute the k-means clustering.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 stays float32. Sparse input is used as CSR
            without densifying (memory proportional to its non-zeros).
        {y_ignored}
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each point; ``None`` gives unit weights.

        Returns
        -------
        self : KMeans
            The fitted estimator.
        """
        validate_params(self)
        if self.algorithm == "elkan" and self.n_clusters == 1:
            warnings.warn("algorithm='elkan' doesn't make sense for a single cluster. Using "
                          "'lloyd' instead.", RuntimeWarning, stacklevel=2)
        X = in_memory_if_small(X)
        if is_streamed(X):
            return self._fit_streamed(X, sample_weight)
        X = check_data(self, X, accept_sparse=True)
        check_n_samples(X, self.n_clusters)
        w = check_sample_weight(sample_weight, X)
        if _sparse.is_sparse(X):
            return self._fit_sparse(X, w)
        k = self.n_clusters
        # data and weights of extreme magnitude are fitted divided by powers of two
        # (exact; undone below)
        s, ws = power_of_two_scale(X), power_of_two_scale(w)
        init = scaled_init(self.init, X, k, s)
        X, w = scaled(X, s), scaled(w, ws)
        # Work on X - mean (on the fly, per chunk) so that the dot-product
        # expansion of the distances does not lose digits to a far origin.
        offset = X.mean(axis=0).astype(X.dtype)
        tol = tolerance(X, self.tol)
        passes = _solver(self.algorithm, X.size * k)

        def run(start):
            """k-means from ``start`` (data coordinates), then the final assignment."""
            res = solve(passes, X, w, np.ascontiguousarray(start - offset, dtype=X.dtype),
                        offset, max_iter=self.max_iter, tol=tol, verbose=self.verbose,
                        chunk=self.chunk_size)
            # the final assignment: predict()'s labels, by assign itself or by the
            # strategy's last light pass confirmed in the data's coordinates
            centers = (res.centers.astype(np.float64) + offset).astype(X.dtype)
            if res.finish is None:
                labels, dist = assign(X, centers, self.chunk_size)
            else:
                with one_blas_thread():
                    labels, dist = res.finish(centers)
            # not np.dot: a threaded BLAS call leaves its workers spinning for ~0.1 s,
            # and they would take a core from the passes that follow (next fit, next run)
            return float((dist * w).sum()), centers, labels, dist, res

        refine = self.refine == "swap" or (
            self.refine == "auto"
            and isinstance(self.init, str)
            and X.shape[0] * X.shape[1] * k <= SWAP_AUTO_WORK
        )
        best = None
        rngs = spawn(as_generator(self.random_state), resolve_n_init(self.n_init, self.init))
        # one BLAS thread throughout: the kernels run their own threads, and a threaded
        # BLAS call (k-means++ potentials) would leave workers spinning on their cores
        with threads_for(*X.shape, k), one_blas_thread():
            for rng in rngs:
                c0 = initial_centers(X, offset, k, w, init, rng)
                result = run(c0.astype(np.float64) + offset)
                if refine:
                    result = swap_refine(run, X, w, result, rng, patience=SWAP_PATIENCE)
                if best is None or result[0] < best[0]:
                    best = result
        self._store(*best)
        self._undo_scale(s, ws)
        return self

    def _fit_sparse(self, X, w):
        """Lloyd passes over CSR rows (``_sparse.solve``); no swap refinement."""
        if self.refine == "swap":
            raise ValueError("refine='swap' needs dense X; use refine='auto' or 'none' with "
                             "sparse X.")
        tol = _sparse.tolerance(X, self.tol)
        best = None
        for rng in spawn(as_generator(self.random_state), resolve_n_init(self.n_init, self.init)):
            c0 = initial_centers(X, 0.0, self.n_clusters, w, self.init, rng)
            res = _sparse.solve(X, w, c0, max_iter=self.max_iter, tol=tol,
                                verbose=self.verbose)
            labels, dist = _sparse.assign(X, res.centers)
            inertia = float(dist @ w)
            if best is None or inertia < best[0]:
                best = (inertia, res.centers, labels, dist, res)
        self._store(*best)
        return self

    def _fit_streamed(self, X, sample_weight):
        """Lloyd passes over a chunk source (see ``_streaming``); no swap refinement."""
        source = as_source(X)
        if source.n_rows < self.n_clusters:
            check_n_samples(np.empty((source.n_rows, 0)), self.n_clusters)
        self.n_features_in_ = source.n_features
        weights = Weights(sample_weight, source)
        moments, wsum, positive = summary(source, weights)
        if wsum <= 0:
            raise ValueError("sample_weight sums to zero: at least one weight must be positive.")
        offset = moments.mean[0].astype(source.dtype)
        tol = float(np.mean(moments.variance())) * self.tol
        k, best = self.n_clusters, None
        for rng in spawn(as_generator(self.random_state), resolve_n_init(self.n_init, self.init)):
            start = streamed_init(source, weights, k, self.init, rng, positive)
            res = stream_lloyd(source, weights, start.astype(np.float64) - offset, offset,
                               max_iter=self.max_iter, tol=tol, verbose=self.verbose,
                               chunk=self.chunk_size)
            centers = (res.centers.astype(np.float64) + offset).astype(source.dtype)
            inertia, labels = final_assignment(source, weights, centers, self.chunk_size)
            if best is None or inertia < best[0]:
                best = (inertia, centers, labels, None, res)
        if best[2] is None:  # Dask: labels stay lazy, computed where the blocks live
            best = (best[0], best[1], None, None, best[4])
        self._store(*best)
        if self.labels_ is None:
            self.labels_ = self.predict(source.X)
        return self

    def _store(self, inertia, centers, labels, dist, res):
        self.cluster_centers_ = centers
        self.labels_ = labels
        self.inertia_ = inertia
        self.n_iter_ = int(res.n_iter)
        self.converged_ = bool(res.converged)
        self.history_ = history_frame(inertia=res.history)
        self._n_init = resolve_n_init(self.n_init, self.init)  # scikit-learn's private name
        warn_fewer_clusters(labels, self.n_clusters)

    @fill_doc
    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit and return ``labels_``.

        Parameters
        ----------
        {fit_params}

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Cluster index of each sample.
        """
        return self.fit(X, sample_weight=sample_weight).labels_

    def fit_transform(self, X, y=None, sample_weight=None):
        """Fit and return the distances to the centres (``transform(X)``)."""
        return self.fit(X, sample_weight=sample_weight).transform(X)


def k_means(X, n_clusters, *, sample_weight=None, init="k-means++", n_init="auto",
            max_iter=300, verbose=False, tol=1e-4, random_state=None, copy_x=True,
            algorithm="lloyd", return_n_iter=False):
    """Perform k-means clustering: the function form of :class:`KMeans`.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The observations to cluster.
    n_clusters : int
        Number of clusters.
    sample_weight : array-like of shape (n_samples,), default=None
        Weight of each point.
    init, n_init, max_iter, verbose, tol, random_state, copy_x, algorithm
        As :class:`KMeans`.
    return_n_iter : bool, default=False
        Also return the number of iterations of the best run.

    Returns
    -------
    centroid : ndarray of shape (n_clusters, n_features)
        Centres found.
    label : ndarray of shape (n_samples,)
        Index of each point's centre.
    inertia : float
        Weighted sum of squared distances to the centres.
    best_n_iter : int
        Iterations of the best run (only when ``return_n_iter``).

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import k_means
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [9.0, 0.0], [9.0, 1.0]])
    >>> centers, labels, inertia = k_means(X, 2, random_state=0)
    >>> inertia
    1.0
    """
    est = KMeans(n_clusters, init=init, n_init=n_init, max_iter=max_iter, verbose=verbose,
                 tol=tol, random_state=random_state, copy_x=copy_x, algorithm=algorithm)
    est.fit(X, sample_weight=sample_weight)
    out = (est.cluster_centers_, est.labels_, est.inertia_)
    return out + (est.n_iter_,) if return_n_iter else out
