"""Dendrogram of a linkage matrix (matplotlib, imported here only).

Large trees are truncated to their last ``max_leaves`` clusters; a
truncated leaf is labelled with its number of points in parentheses.
"""

import numpy as np


def plot_dendrogram(linkage_matrix, ax=None, *, max_leaves=30, color_threshold=None,
                    labels=None, orientation="top", cut_height=None):
    """Draw the dendrogram of ``linkage_matrix`` on ``ax`` and return ``ax``.

    Parameters
    ----------
    linkage_matrix : ndarray of shape (n_samples - 1, 4)
        A scipy-compatible linkage matrix.
    ax : matplotlib Axes, optional
        Where to draw; a new figure's axes by default.
    max_leaves : int or None, default=30
        Show at most this many leaves (the last merges); None shows all.
    color_threshold : float, optional
        Colour the subtrees below this height (scipy's default when None).
    labels : sequence of str, optional
        One label per point (used when the tree is not truncated).
    orientation : {"top", "bottom", "left", "right"}, default="top"
        Where the root is drawn.
    cut_height : float, optional
        Draw the cut at this height as a dashed line (and colour the
        subtrees below it, unless ``color_threshold`` is given).

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from clusterlab import linkage
    >>> ax = plot_dendrogram(linkage(np.arange(40.0).reshape(-1, 1) ** 1.5), max_leaves=10)
    >>> len(ax.get_xticklabels())
    10
    """
    import matplotlib.pyplot as plt
    from scipy.cluster.hierarchy import dendrogram

    Z = np.asarray(linkage_matrix, dtype=np.float64)
    n = Z.shape[0] + 1
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    truncate = max_leaves is not None and n > max_leaves
    dendrogram(
        Z,
        ax=ax,
        truncate_mode="lastp" if truncate else None,
        p=max_leaves if truncate else 30,
        color_threshold=cut_height if color_threshold is None else color_threshold,
        labels=None if truncate else labels,
        orientation=orientation,
        show_leaf_counts=True,
    )
    if orientation in ("top", "bottom"):
        ax.set_ylabel("height")
        ax.set_xlabel("cluster size (truncated)" if truncate else "point")
    else:
        ax.set_xlabel("height")
        ax.set_ylabel("cluster size (truncated)" if truncate else "point")
    if cut_height is not None:
        line = ax.axhline if orientation in ("top", "bottom") else ax.axvline
        line(cut_height, color="k", ls="--", lw=1, label=f"cut at {cut_height:.4g}")
        ax.legend(fontsize="small")
    suffix = f", last {max_leaves} clusters" if truncate else ""
    ax.set_title(f"dendrogram of {n} points{suffix}")
    return ax
