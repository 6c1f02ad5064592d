"""Agglomerative hierarchical clustering: ``linkage``, ``Tree`` and
``AgglomerativeClustering``.

The linkage matrix follows scipy's convention, so scipy's ``dendrogram``,
``fcluster`` and ``cut_tree`` accept it: row ``i`` merges clusters ``Z[i, 0] <
Z[i, 1]`` at height ``Z[i, 2]`` into cluster ``n + i`` of ``Z[i, 3]`` points.

Ties are broken deterministically: a nearest-neighbour search keeps the
lowest index among equally near candidates (in the nearest-neighbour chain
the chain's previous element wins ties), the generic algorithm's queue orders
equal heights by the lower index, and the final sort by height is stable.
"""

import numpy as np
from scipy.cluster.hierarchy import optimal_leaf_ordering

from clusterlab._kernels import linkage as _lk
from clusterlab.cluster import _hc_solvers as _solvers
from clusterlab.cluster._hc_input import prepare_linkage_input

__all__ = ["AgglomerativeClustering", "Tree", "cut_linkage", "linkage"]


def linkage(X, method="single", metric="euclidean", optimal_ordering=False):
    """Hierarchical clustering as a scipy-compatible linkage matrix.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), (n_samples, n_samples) or (m,)
        Observations; a square distance matrix when ``metric='precomputed'``;
        or a condensed distance vector of length ``n * (n - 1) / 2`` (1-D),
        as returned by ``scipy.spatial.distance.pdist``.
    method : {"single", "complete", "average", "weighted", "ward", "centroid", \
"median"}, default="single"
        How the distance between two clusters is defined (scipy's formulas).
        ``ward``, ``centroid`` and ``median`` on observations need
        ``metric='euclidean'``.
    metric : str or callable, default="euclidean"
        Distance between observations; ignored for a 1-D condensed input.
        "euclidean", "sqeuclidean", "cityblock", "cosine" and "chebyshev" run
        in our kernels; "precomputed" reads ``X`` as a square distance matrix;
        every other metric of ``scipy.spatial.distance.pdist`` ("correlation",
        "minkowski", "jaccard", "hamming", "mahalanobis", "seuclidean", ...)
        and any callable ``metric(u, v) -> float`` go through ``pdist`` (a
        Python callable is called once per pair: slow for large ``n``).
    optimal_ordering : bool, default=False
        Reorder the tree so that adjacent leaves are as close as possible
        (Bar-Joseph et al. 2001, scipy's ``optimal_leaf_ordering``): the same
        clusters and heights, another child order. Needs the n (n - 1) / 2
        distances and O(n^3) time in the worst case.

    Returns
    -------
    Z : ndarray of shape (n_samples - 1, 4), float64
        Row ``i`` merges clusters ``Z[i, 0] < Z[i, 1]`` at height ``Z[i, 2]``
        into cluster ``n_samples + i`` holding ``Z[i, 3]`` points.

    Notes
    -----
    Algorithms from Müllner (2011): Prim's minimum spanning tree for single
    linkage; the nearest-neighbour chain for complete, average, weighted (and
    ward on distances); the generic algorithm for centroid and median. Single,
    ward, centroid and median on observations run in O(n d) memory; the others
    hold the n (n - 1) / 2 distances. Computations run in float64 (float32
    observations are not copied to float64 by the O(n d) algorithms).

    Ties are broken deterministically (lowest index first). Single, complete,
    average and weighted linkage, and ward on distances, then give exactly
    scipy's tree even on data full of ties. Ward on observations and
    centroid/median use the generic algorithm, whose queue may pick a
    different one of several equally close pairs than scipy's. Every merge
    still joins a closest pair; for ward the heights stay equal to scipy's,
    while for centroid and median an exact tie can steer later merges (and
    heights) elsewhere. Without ties all methods give scipy's tree.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import linkage
    >>> X = np.array([[0.0], [1.0], [5.0], [7.0]])
    >>> linkage(X, "single")
    array([[0., 1., 1., 2.],
           [2., 3., 2., 2.],
           [4., 5., 4., 4.]])
    """
    kind, arr, n = prepare_linkage_input(X, method, metric)
    if not isinstance(optimal_ordering, bool | np.bool_):
        raise TypeError(f"optimal_ordering must be a bool; got {optimal_ordering!r}.")
    if kind == "condensed":
        Z = _solvers.linkage_from_condensed(
            arr.copy() if optimal_ordering else arr, n, method,
            overwrite=arr is not X or optimal_ordering)
    else:
        Z = _solvers.linkage_from_data(arr, method, metric)
    if optimal_ordering:
        D = arr if kind == "condensed" else _solvers.pairwise_condensed(arr, metric)
        Z = optimal_leaf_ordering(Z, D)
    return Z


def _check_linkage_matrix(Z):
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2 or Z.shape[1] != 4 or Z.shape[0] < 1:
        raise ValueError(f"A linkage matrix has shape (n - 1, 4) with n >= 2; got {Z.shape}.")
    n = Z.shape[0] + 1
    ids = Z[:, :2]
    if not np.all(np.isfinite(Z)) or np.any(ids < 0) or np.any(ids != np.floor(ids)):
        raise ValueError("The linkage matrix holds invalid cluster ids or non-finite values.")
    if np.any(ids >= n + np.arange(n - 1)[:, None]):
        raise ValueError("The linkage matrix uses a cluster before it is formed.")
    return np.ascontiguousarray(Z)


def cut_linkage(Z, *, n_clusters=None, height=None, strict=False):
    """Flat labels (0..c-1, in order of first appearance) from a linkage matrix.

    ``n_clusters`` undoes the last merges in merge order; ``height`` keeps the
    merges whose subtree has no height above ``height`` (below it when
    ``strict``), as scipy's ``fcluster(criterion='distance')``.
    """
    n = Z.shape[0] + 1
    if (n_clusters is None) == (height is None):
        raise ValueError("Pass exactly one of n_clusters and height.")
    if n_clusters is not None:
        if isinstance(n_clusters, bool) or not isinstance(n_clusters, int | np.integer):
            raise TypeError(f"n_clusters must be an int; got {n_clusters!r}.")
        if not 1 <= n_clusters <= n:
            raise ValueError(f"n_clusters must be in [1, {n}]; got {n_clusters}.")
        mask = np.arange(n - 1) < n - n_clusters
    else:
        height = float(height)
        if not np.isfinite(height) and not np.isinf(height):
            raise ValueError("height must be a number, not NaN.")
        top = _lk.max_heights(Z, n)
        mask = top < height if strict else top <= height
    return _lk.apply_merges(Z, n, mask)


class Tree:
    """A hierarchical clustering: cut it, measure it, tabulate it, plot it.

    Parameters
    ----------
    linkage_matrix : array-like of shape (n_samples - 1, 4)
        A scipy-compatible linkage matrix (see :func:`linkage`).

    Attributes
    ----------
    linkage_matrix : ndarray of shape (n_samples - 1, 4)
    n_leaves : int
        Number of observations.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import Tree, linkage
    >>> tree = Tree(linkage(np.array([[0.0], [1.0], [5.0], [7.0]]), "average"))
    >>> tree.cut(n_clusters=2)
    array([0, 0, 1, 1])
    >>> tree.cut(height=1.5)
    array([0, 0, 1, 2])
    >>> tree.cophenetic()
    array([1. , 5.5, 5.5, 5.5, 5.5, 2. ])
    """

    def __init__(self, linkage_matrix):
        self.linkage_matrix = _check_linkage_matrix(linkage_matrix)
        self.n_leaves = self.linkage_matrix.shape[0] + 1

    @classmethod
    def from_data(cls, X, method="single", metric="euclidean"):
        """Build the tree of ``X`` with :func:`linkage`.

        Examples
        --------
        >>> import numpy as np
        >>> Tree.from_data(np.array([[0.0], [1.0], [5.0]]), "complete").heights
        array([1., 5.])
        """
        return cls(linkage(X, method=method, metric=metric))

    @property
    def heights(self):
        """Merge heights, one per merge (``linkage_matrix[:, 2]``)."""
        return self.linkage_matrix[:, 2]

    def cut(self, n_clusters=None, height=None):
        """Flat cluster labels, by number of clusters or by height.

        Parameters
        ----------
        n_clusters : int, optional
            Keep this many clusters (undo the last ``n_clusters - 1`` merges).
        height : float, optional
            Keep merges at or below this height (like scipy's
            ``fcluster(Z, height, criterion='distance')``).

        Returns
        -------
        labels : ndarray of shape (n_leaves,), int64
            0..c-1 in order of first appearance.

        Examples
        --------
        >>> import numpy as np
        >>> Tree(linkage(np.array([[0.0], [1.0], [5.0]]))).cut(n_clusters=3)
        array([0, 1, 2])
        """
        return cut_linkage(self.linkage_matrix, n_clusters=n_clusters, height=height)

    def cophenetic(self, square=False):
        """Cophenetic distances: the height at which two points first share a cluster.

        Parameters
        ----------
        square : bool, default=False
            Return the (n, n) matrix instead of the condensed vector.

        Examples
        --------
        >>> import numpy as np
        >>> Tree(linkage(np.array([[0.0], [1.0], [5.0]]))).cophenetic(square=True)
        array([[0., 1., 4.],
               [1., 0., 4.],
               [4., 4., 0.]])
        """
        c = _lk.cophenetic(self.linkage_matrix, self.n_leaves)
        if not square:
            return c
        n = self.n_leaves
        out = np.zeros((n, n))
        iu = np.triu_indices(n, 1)
        out[iu] = c
        out.T[iu] = c
        return out

    def to_pandas(self):
        """The merges as a DataFrame indexed by the new cluster's id.

        Examples
        --------
        >>> import numpy as np
        >>> frame = Tree(linkage(np.array([[0.0], [1.0], [5.0]]))).to_pandas()
        >>> frame.columns.tolist(), frame.index.tolist()
        (['left', 'right', 'height', 'size'], [3, 4])
        >>> float(frame.loc[4, "height"])
        4.0
        """
        import pandas as pd

        Z = self.linkage_matrix
        n = self.n_leaves
        frame = pd.DataFrame(
            {
                "left": Z[:, 0].astype(np.int64),
                "right": Z[:, 1].astype(np.int64),
                "height": Z[:, 2],
                "size": Z[:, 3].astype(np.int64),
            },
            index=pd.Index(np.arange(n, 2 * n - 1), name="node"),
        )
        return frame

    def plot(self, ax=None, *, max_leaves=30, **kwargs):
        """Draw the dendrogram (matplotlib); truncated to ``max_leaves`` leaves.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> ax = Tree(linkage(np.array([[0.0], [1.0], [5.0]]))).plot()
        >>> ax.get_ylabel()
        'height'
        """
        from clusterlab.plots.dendrogram import plot_dendrogram

        return plot_dendrogram(self.linkage_matrix, ax=ax, max_leaves=max_leaves, **kwargs)

    def __repr__(self):
        return f"Tree(n_leaves={self.n_leaves}, max_height={self.heights.max():.6g})"


# imported last: the estimator module uses ``cut_linkage`` and ``Tree`` above
from clusterlab.cluster._hc_estimator import AgglomerativeClustering  # noqa: E402
