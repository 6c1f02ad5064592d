"""``AgglomerativeClustering``: the scikit-learn estimator over ``linkage``
(the last link of the chain linkage <- tree <- estimator)."""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_is_fitted

from clusterlab._plotting import PlotMixin
from clusterlab._validation import Interval, Options, check_data, check_n_samples, validate_params
from clusterlab._validation.schema import Field
from clusterlab.cluster.hierarchy import _solvers
from clusterlab.cluster.hierarchy._connectivity import check_connectivity, structured_linkage
from clusterlab.cluster.hierarchy._input import (
    check_cosine_rows,
    check_method_metric,
    condensed_from_square,
)
from clusterlab.cluster.hierarchy._tree import Tree, _check_linkage_matrix, cut_linkage


class AgglomerativeClustering(PlotMixin, ClusterMixin, BaseEstimator):
    """Agglomerative hierarchical clustering, cut at ``n_clusters`` or a height.

    The whole tree is built once (see :func:`clusterlab.linkage`); ``cut``
    re-cuts it at another number of clusters or height without recomputing.

    Parameters
    ----------
    n_clusters : int or None, default=2
        Number of clusters to find. Must be None when ``distance_threshold``
        is set.
    metric : {"euclidean", "sqeuclidean", "cityblock", "cosine", "chebyshev", \
"precomputed"}, default="euclidean"
        Distance between observations; with "precomputed", ``fit`` takes a
        square distance matrix.
    connectivity : array-like, sparse matrix or callable, default=None
        An (n_samples, n_samples) graph (for example from
        ``sklearn.neighbors.kneighbors_graph``), or a callable returning one
        from ``X``. Only clusters joined by an edge may merge. A graph with
        several connected components triggers a ``UserWarning``: clusters of
        different components are joined only at the very end, at their
        unconstrained linkage distance (``n_connected_components_`` says how
        many components there were).
    linkage : {"ward", "complete", "average", "single", "weighted", "centroid", \
"median"}, default="ward"
        How the distance between two clusters is defined: scikit-learn's
        parameter name with scipy's method names and formulas (scikit-learn
        itself offers ward, complete, average and single; "weighted",
        "centroid" and "median" are scipy's). The same values as
        :func:`clusterlab.linkage`'s ``method``.
    distance_threshold : float or None, default=None
        Cut the tree at this height: merges at or below it are kept, those
        above are undone, exactly as ``cut(height=distance_threshold)`` and
        scipy's ``fcluster(Z, t, criterion="distance")``; ``n_clusters`` must
        then be None. (scikit-learn also undoes a merge exactly at the
        threshold; the two differ only for a merge at that very height.)

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of each point, 0..n_clusters_-1 in order of first appearance.
    n_clusters_ : int
        Number of clusters found.
    n_leaves_ : int
        Number of points.
    n_connected_components_ : int
        Connected components of the connectivity graph (1 without one).
    children_ : ndarray of shape (n_samples - 1, 2)
        Row ``i`` merges ``children_[i]`` into node ``n_samples + i``
        (ids below ``n_samples`` are points).
    distances_ : ndarray of shape (n_samples - 1,)
        Height of each merge.
    linkage_matrix_ : ndarray of shape (n_samples - 1, 4)
        scipy-compatible linkage matrix.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import AgglomerativeClustering
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0], [9.0, 0.0]])
    >>> model = AgglomerativeClustering(n_clusters=2).fit(X)
    >>> model.labels_
    array([0, 0, 1, 1, 1])
    >>> model.cut(n_clusters=3)
    array([0, 0, 1, 1, 2])
    """

    _default_plot = "dendrogram"

    _parameter_constraints = {
        "n_clusters": [Interval(int, 1, None), None],
        "metric": [Options(set(_solvers.METRICS) | {"precomputed"})],
        "connectivity": ["array-like", "callable", None],
        "linkage": [Options(set(_solvers.METHODS))],
        "distance_threshold": [Interval(float, 0, None, finite=False), None],
    }

    _model_schema = (
        Field("connectivity", "array", shape=("n_leaves_", "n_leaves_"), param=True),
        Field("n_features_in_", "int", low=1),
        Field("n_leaves_", "int", low=2),
        Field("n_clusters_", "int", low=1, high="n_leaves_"),
        Field("n_connected_components_", "int", low=1, high="n_leaves_"),
        Field("linkage_matrix_", "array", shape=("n_leaves_-1", 4), low=0),
        Field("children_", "array", dtype="iu", shape=("n_leaves_-1", 2), low=0),
        Field("distances_", "array", shape=("n_leaves_-1",), low=0),
        Field("labels_", "array", dtype="iu", shape=("n_leaves_",), low=0,
              high="n_clusters_-1"),
    )

    def __init__(
        self,
        n_clusters=2,
        *,
        metric="euclidean",
        connectivity=None,
        linkage="ward",
        distance_threshold=None,
    ):
        self.n_clusters = n_clusters
        self.metric = metric
        self.connectivity = connectivity
        self.linkage = linkage
        self.distance_threshold = distance_threshold

    def fit(self, X, y=None):
        """Build the tree of ``X`` and cut it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, n_samples)
            Observations, or distances when ``metric='precomputed'``.
        y : Ignored

        Returns
        -------
        self : AgglomerativeClustering
            Fitted estimator.
        """
        validate_params(self)
        if (self.n_clusters is None) == (self.distance_threshold is None):
            raise ValueError(
                "Exactly one of n_clusters and distance_threshold must be None; got "
                f"n_clusters={self.n_clusters!r}, distance_threshold="
                f"{self.distance_threshold!r}."
            )
        X = check_data(self, X, min_samples=2)
        if self.n_clusters is not None:
            check_n_samples(X, self.n_clusters)
        precomputed = self.metric == "precomputed"
        check_method_metric(self.linkage, self.metric, data_is_raw=not precomputed)
        self.linkage_matrix_, self.n_connected_components_ = self._build_tree(X, precomputed)
        n = X.shape[0]
        self.n_leaves_ = n
        self.children_ = self.linkage_matrix_[:, :2].astype(np.int64)
        self.distances_ = self.linkage_matrix_[:, 2].copy()
        if self.n_clusters is not None:
            self.labels_ = self.cut(n_clusters=self.n_clusters)
        else:
            self.labels_ = self.cut(height=self.distance_threshold)
        self.n_clusters_ = int(self.labels_.max()) + 1
        return self

    def _build_tree(self, X, precomputed):
        square = None
        if precomputed:
            D, n = condensed_from_square(X)
            square = np.asarray(X, dtype=np.float64)
        elif self.metric == "cosine":
            check_cosine_rows(X, self.metric)
        if self.connectivity is None:
            if precomputed:
                return _solvers.linkage_from_condensed(D, n, self.linkage, overwrite=True), 1
            return _solvers.linkage_from_data(X, self.linkage, self.metric), 1
        graph, n_components, _ = check_connectivity(self.connectivity, X)
        if n_components > 1:
            warnings.warn(
                f"The connectivity graph has {n_components} connected components. "
                "Clusters in different components are never merged through the graph; "
                f"the last {n_components - 1} merge(s) of the tree join them at their "
                f"unconstrained {self.linkage!r} distance. Use n_clusters >= "
                f"{n_components} to keep the components apart, or a denser graph.",
                UserWarning,
                stacklevel=3,
            )
        Z = structured_linkage(X, self.linkage, self.metric, graph, precomputed=square)
        return Z, n_components

    def _restore_derived(self):
        """After loading: the tree must be a valid linkage matrix that agrees with
        ``children_`` and ``distances_``."""
        Z = _check_linkage_matrix(self.linkage_matrix_)
        if not (np.array_equal(Z[:, :2], self.children_) and
                np.array_equal(Z[:, 2], self.distances_)):
            raise ValueError("children_ and distances_ disagree with linkage_matrix_.")

    def cut(self, n_clusters=None, height=None):
        """Labels of the fitted tree at another ``n_clusters`` or ``height``.

        Parameters
        ----------
        n_clusters : int, optional
            Number of clusters (undo the last ``n_clusters - 1`` merges).
        height : float, optional
            Keep the merges at or below this height.

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64

        Examples
        --------
        >>> import numpy as np
        >>> X = np.array([[0.0], [1.0], [5.0], [7.0]])
        >>> AgglomerativeClustering(n_clusters=2).fit(X).cut(height=0.5)
        array([0, 1, 2, 3])
        """
        check_is_fitted(self, "linkage_matrix_")
        return cut_linkage(self.linkage_matrix_, n_clusters=n_clusters, height=height)

    @property
    def tree_(self):
        """The fitted tree as a :class:`clusterlab.Tree` (cophenetic, plot, pandas)."""
        check_is_fitted(self, "linkage_matrix_")
        return Tree(self.linkage_matrix_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = self.metric == "precomputed"
        return tags
