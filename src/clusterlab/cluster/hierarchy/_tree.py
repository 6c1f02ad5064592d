"""``Tree`` and ``cut_linkage``: what a linkage matrix can be asked once built
(the middle link of the chain linkage <- tree <- estimator).

Cutting by ``height`` keeps every merge at or below the height, as scipy's
``fcluster(Z, t, criterion="distance")``; ``AgglomerativeClustering``'s
``distance_threshold`` cuts by the same rule.
"""

import numpy as np
import pandas as pd

from clusterlab._kernels import linkage_tree as _lt
from clusterlab._validation.schema import Field
from clusterlab.cluster.hierarchy._linkage import linkage


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


def cut_linkage(Z, *, n_clusters=None, height=None):
    """Flat labels (0..c-1, in order of first appearance) from a linkage matrix.

    ``n_clusters`` undoes the last merges in merge order; ``height`` keeps the
    merges whose subtree has no height above ``height`` (a merge exactly at
    ``height`` is kept), as scipy's ``fcluster(criterion='distance')``.

    Examples
    --------
    >>> import numpy as np
    >>> Z = np.array([[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 2.0, 3.0]])
    >>> cut_linkage(Z, height=1.0), cut_linkage(Z, n_clusters=3)
    (array([0, 0, 1]), array([0, 1, 2]))
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
        top = _lt.max_heights(Z, n)
        mask = top <= height
    return _lt.apply_merges(Z, n, mask)


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

    # the constructor checks the matrix (ids, order, finiteness) on load too
    _model_schema = (Field("linkage_matrix", "array", shape=("n_merges", 4), param=True),)

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
        c = _lt.cophenetic(self.linkage_matrix, self.n_leaves)
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
