"""``linkage``: agglomerative hierarchical clustering as a scipy-compatible
linkage matrix (the first link of the chain linkage <- tree <- estimator).

The linkage matrix follows scipy's convention, so scipy's ``dendrogram``,
``fcluster`` and ``cut_tree`` accept it: row ``i`` merges clusters ``Z[i, 0] <
Z[i, 1]`` at height ``Z[i, 2]`` into cluster ``n + i`` of ``Z[i, 3]`` points.

Ties are broken deterministically: a nearest-neighbour search keeps the
lowest index among equally near candidates (in the nearest-neighbour chain
the chain's previous element wins ties), the generic algorithm's queue orders
equal heights by the lower index, and the final sort by height is stable.
"""

from clusterlab.cluster.hierarchy import _solvers
from clusterlab.cluster.hierarchy._input import prepare_linkage_input


def linkage(X, method="single", metric="euclidean"):
    """Hierarchical clustering as a scipy-compatible linkage matrix.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), (n_samples, n_samples) or (m,)
        Observations; a square distance matrix when ``metric='precomputed'``;
        or a condensed distance vector of length ``n * (n - 1) / 2`` (1-D),
        as returned by ``scipy.spatial.distance.pdist``.
    method : {"single", "complete", "average", "weighted", "ward", "centroid", \
"median"}, default="single"
        How the distance between two clusters is defined: scipy's parameter
        name, method names, formulas and default (``scipy.cluster.hierarchy.
        linkage``). ``AgglomerativeClustering`` takes the same values as its
        ``linkage`` parameter (scikit-learn's name).
        ``ward``, ``centroid`` and ``median`` on observations need
        ``metric='euclidean'``.
    metric : {"euclidean", "sqeuclidean", "cityblock", "cosine", "chebyshev", \
"precomputed"}, default="euclidean"
        Distance between observations; ignored for a 1-D condensed input.

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
    if kind == "condensed":
        return _solvers.linkage_from_condensed(arr, n, method, overwrite=arr is not X)
    return _solvers.linkage_from_data(arr, method, metric)
