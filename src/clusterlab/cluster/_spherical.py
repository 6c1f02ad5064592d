"""``SphericalKMeans``: k-means on the unit sphere (cosine similarity), dense or sparse.

Spherical k-means (Dhillon and Modha, 2001) is the standard clustering of
documents: rows are scaled to unit length, a point goes to the centre of
highest cosine similarity and each centre is its cluster's weighted mean
renormalised to unit length. It maximises ``sum_i w_i cos(x_i, c_{l(i)})``.
For unit rows and unit centres ``||x - c||^2 = 2 - 2 cos(x, c)``, so each step
is a k-means step followed by renormalising the centres; the sparse path
(``_sparse.solve(..., spherical=True)``) works on CSR rows without densifying.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_is_fitted

from clusterlab._history import history_frame
from clusterlab._plotting import PlotMixin
from clusterlab._rng import as_generator, spawn
from clusterlab._validation import (
    Interval,
    Options,
    check_data,
    check_n_samples,
    check_sample_weight,
    validate_params,
)
from clusterlab._validation.schema import Field
from clusterlab.cluster import _sparse
from clusterlab.cluster._centers import center_fields
from clusterlab.cluster._kmeans import initial_centers, resolve_n_init, warn_fewer_clusters
from clusterlab.cluster._lloyd import KMeansResult, report

# rows per BLAS product in the dense assignment
CHUNK = 4096


def unit_rows(X):
    """Rows of dense or CSR ``X`` scaled to unit length (a new array); zero rows stay zero."""
    if sp.issparse(X):
        return _sparse.normalize_rows(X)
    norms = np.sqrt(np.einsum("ij,ij->i", X, X, dtype=np.float64))
    inv = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return (X * inv[:, None]).astype(X.dtype)


def _unit_centers(C):
    C = np.asarray(C, dtype=np.float64)
    norms = np.sqrt(np.einsum("kd,kd->k", C, C))
    if np.any(norms == 0):
        raise ValueError("init has an all-zero centre; spherical centres need a direction.")
    return C / norms[:, None]


def cosine_assign(X, centers):
    """Labels (highest cosine, ties to the lowest index) and that cosine, of unit rows.

    An all-zero row has cosine 0 with every centre (label 0).
    """
    C = np.asarray(centers, dtype=np.float64)
    if sp.issparse(X):
        x_sq = _sparse.row_sq_norms(X)
        labels, dist = _sparse.assign(X, C, x_sq)
        return labels, 0.5 * (x_sq + np.einsum("kd,kd->k", C, C)[labels] - dist)
    labels = np.empty(X.shape[0], dtype=np.int32)
    cos = np.empty(X.shape[0])
    for start in range(0, X.shape[0], CHUNK):
        dots = X[start:start + CHUNK].astype(np.float64) @ C.T
        labels[start:start + CHUNK] = np.argmax(dots, axis=1)
        cos[start:start + CHUNK] = dots.max(axis=1)
    return labels, cos


def _dense_update(X, w, labels, dist, centers):
    """Renormalised weighted sums per cluster; empty clusters take the farthest points
    (a cluster left without weight keeps its centre)."""
    k = centers.shape[0]
    labels = labels.copy()
    empty = np.setdiff1d(np.arange(k), labels[w > 0])
    if empty.size:
        far = np.argsort(-dist, kind="stable")[: empty.size]
        far = far[dist[far] > 0]
        labels[far] = empty[: far.size]
    member = sp.csr_array((w.astype(np.float64), (labels, np.arange(X.shape[0]))),
                          shape=(k, X.shape[0]))
    sums = member @ X.astype(np.float64)
    norms = np.sqrt(np.einsum("kd,kd->k", sums, sums))
    out = sums / np.where(norms > 0, norms, 1.0)[:, None]
    out[norms == 0] = centers[norms == 0]
    return out


def spherical_solve(X, w, centers_init, *, max_iter=300, tol=1e-4, verbose=0):
    """Spherical k-means iterations on unit rows (dense or CSR) from unit centres.

    ``history`` holds the objective ``sum w (1 - cos)`` of each pass.
    """
    if sp.issparse(X):
        return _sparse.solve(X, w, centers_init, max_iter=max_iter, tol=tol, verbose=verbose,
                             spherical=True)
    centers = np.asarray(centers_init, dtype=np.float64)
    labels = np.full(X.shape[0], -1, dtype=np.int32)
    history, converged, it = [], False, 0
    for it in range(max_iter):
        new_labels, cos = cosine_assign(X, centers)
        changed = bool(np.any(new_labels != labels))
        labels = new_labels
        history.append(float(w @ (1.0 - cos)))
        new = _dense_update(X, w, labels, 1.0 - cos, centers)
        shift = float(((new - centers) ** 2).sum())
        report(verbose, it, history[-1], shift)
        centers = new
        if (it > 0 and not changed) or shift <= tol:
            converged = True
            break
    return KMeansResult(labels, history[-1], centers.astype(X.dtype), it + 1, converged,
                        np.asarray(history))


class SphericalKMeans(PlotMixin, ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin,
                      BaseEstimator):
    """Spherical k-means: clusters by cosine similarity with unit-norm centres.

    Rows of ``X`` are scaled to unit length (an all-zero row has cosine 0 with
    every centre: it joins cluster 0 and adds its weight to ``inertia_``); each
    iteration assigns every row to the centre of highest cosine similarity and
    sets each centre to its cluster's weighted mean scaled to unit length
    (Dhillon and Modha, 2001), until no label changes or the squared centre
    shift is within ``tol``. Dense and sparse (CSR, never densified) input,
    float32 or float64, with sample weights. This is the usual choice for
    TF-IDF document vectors; scikit-learn has no equivalent.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    init : {'k-means++', 'random'} or array-like of shape (n_clusters, n_features), \
default='k-means++'
        'k-means++' seeds on the unit rows (squared Euclidean distance between
        unit vectors is ``2 - 2 cos``); an array is scaled to unit rows.
    n_init : 'auto' or int, default='auto'
        Runs; the one with the highest total similarity is kept ('auto': 1 for
        'k-means++', 10 for 'random'; an array makes one run).
    max_iter : int, default=300
        Most iterations of one run.
    tol : float, default=1e-4
        Convergence when the summed squared centre shift is at most ``tol``
        times the mean feature variance of the unit rows.
    verbose : int, default=0
        Print the objective after each iteration when positive.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the initialisation.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Unit-norm centres.
    labels_ : ndarray of shape (n_samples,)
        Cluster of each training row (equals ``predict(X)``).
    inertia_ : float
        ``sum_i w_i (1 - cos(x_i, c_{l(i)}))``, the cosine dissimilarity minimised.
    n_iter_ : int
        Iterations of the best run.
    converged_ : bool
        Whether the best run stopped before ``max_iter``.
    history_ : pandas.DataFrame
        One row per iteration of the best run, column ``inertia``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import SphericalKMeans
    >>> X = np.array([[1.0, 0.1], [2.0, 0.3], [0.1, 1.0], [0.2, 3.0]])
    >>> skm = SphericalKMeans(n_clusters=2, random_state=0).fit(X)
    >>> bool(skm.labels_[0] == skm.labels_[1] != skm.labels_[2] == skm.labels_[3])
    True
    >>> np.allclose(np.linalg.norm(skm.cluster_centers_, axis=1), 1.0)
    True
    """

    _parameter_constraints = {
        "n_clusters": [Interval(int, 1, None)],
        "init": [Options({"k-means++", "random"}), "array-like"],
        "n_init": [Options({"auto"}), Interval(int, 1, None)],
        "max_iter": [Interval(int, 1, None)],
        "tol": [Interval(float, 0, None)],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    _model_schema = center_fields(Field("inertia_", "float", low=0))

    def __init__(self, n_clusters=8, *, init="k-means++", n_init="auto", max_iter=300,
                 tol=1e-4, verbose=0, random_state=None):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state

    def fit(self, X, y=None, sample_weight=None):
        """Compute spherical k-means clustering.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row.

        Returns
        -------
        self : SphericalKMeans
            The fitted estimator.
        """
        validate_params(self)
        X = check_data(self, X, accept_sparse=True)
        check_n_samples(X, self.n_clusters)
        w = check_sample_weight(sample_weight, X)
        U = unit_rows(X)
        tol = (_sparse.tolerance if sp.issparse(U) else _dense_tolerance)(U, self.tol)
        # seeds are drawn among non-zero rows only: a zero row has no direction
        nonzero = (_sparse.row_sq_norms(U) if sp.issparse(U) else
                   np.einsum("ij,ij->i", U, U)) > 0
        seed_w = (w * nonzero).astype(w.dtype)
        if np.count_nonzero(seed_w) < self.n_clusters and isinstance(self.init, str):
            raise ValueError(f"X has {int(np.count_nonzero(seed_w))} non-zero rows with "
                             f"positive weight; n_clusters={self.n_clusters} needs as many.")
        best = None
        for rng in spawn(as_generator(self.random_state), resolve_n_init(self.n_init, self.init)):
            c0 = _unit_centers(initial_centers(U, 0.0, self.n_clusters, seed_w, self.init, rng))
            res = spherical_solve(U, w, c0, max_iter=self.max_iter, tol=tol,
                                  verbose=self.verbose)
            labels, cos = cosine_assign(U, res.centers)
            inertia = float(w @ (1.0 - cos))
            if best is None or inertia < best[0]:
                best = (inertia, res, labels)
        inertia, res, labels = best
        self.cluster_centers_ = res.centers
        self.labels_ = labels
        self.inertia_ = inertia
        self.n_iter_ = int(res.n_iter)
        self.converged_ = bool(res.converged)
        self.history_ = history_frame(inertia=res.history)
        warn_fewer_clusters(labels, self.n_clusters)
        return self

    def _unit(self, X):
        check_is_fitted(self)
        X = check_data(self, X, reset=False, accept_sparse=True)
        return unit_rows(X.astype(self.cluster_centers_.dtype, copy=False))

    @property
    def _n_features_out(self):
        return self.cluster_centers_.shape[0]

    def predict(self, X):
        """Centre of highest cosine similarity of each row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            New data.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Cluster index of each row.
        """
        return cosine_assign(self._unit(X), self.cluster_centers_)[0]

    def transform(self, X):
        """Cosine distance ``1 - cos`` of each row to every centre.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            New data.

        Returns
        -------
        distances : ndarray of shape (n_samples, n_clusters)
            Cosine distances.
        """
        U = self._unit(X)
        C = self.cluster_centers_.astype(np.float64)
        dots = (U @ C.T) if sp.issparse(U) else U.astype(np.float64) @ C.T
        return (1.0 - np.asarray(dots)).astype(self.cluster_centers_.dtype)

    def score(self, X, y=None, sample_weight=None):
        """Opposite of the weighted cosine dissimilarity of ``X`` to its centres.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            New data.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row.

        Returns
        -------
        score : float
            ``-sum w (1 - cos)`` (higher is better).
        """
        U = self._unit(X)
        w = check_sample_weight(sample_weight, U)
        return -float(w @ (1.0 - cosine_assign(U, self.cluster_centers_)[1]))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _dense_tolerance(X, tol):
    return float(np.mean(np.var(X, axis=0))) * tol if tol else 0.0
