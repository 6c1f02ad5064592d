"""Agglomerative hierarchical clustering, as a one-way chain:

``_linkage`` (the ``linkage`` function: input checks, then the solvers in
``_solvers`` / ``_connectivity`` over the numba kernels) <- ``_tree``
(``Tree``, ``cut_linkage``: cutting and measuring a linkage matrix) <-
``_estimator`` (``AgglomerativeClustering``). No module imports one after it.

Examples
--------
>>> import numpy as np
>>> from clusterlab.cluster.hierarchy import AgglomerativeClustering, Tree, linkage
>>> X = np.array([[0.0], [1.0], [5.0], [7.0]])
>>> Tree(linkage(X, "average")).cut(n_clusters=2).tolist()
[0, 0, 1, 1]
>>> AgglomerativeClustering(n_clusters=2, linkage="average").fit(X).labels_.tolist()
[0, 0, 1, 1]
"""

from clusterlab.cluster.hierarchy._estimator import AgglomerativeClustering
from clusterlab.cluster.hierarchy._linkage import linkage
from clusterlab.cluster.hierarchy._tree import Tree, cut_linkage

__all__ = ["AgglomerativeClustering", "Tree", "cut_linkage", "linkage"]
