"""Helpers shared by the plots: argument checks, axes, colours."""

import numpy as np


def axes(ax, figsize):
    """``ax``, or the axes of a new figure of ``figsize``."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize).add_subplot()


def check_matrix(X, name="X"):
    """A finite 2-D float array (a 1-D one becomes one column)."""
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array; got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return arr


def check_labels(labels, n):
    """Integer labels, one per row."""
    labels = np.asarray(labels)
    if labels.shape != (n,) or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be {n} integers; got shape {labels.shape} of "
                         f"{labels.dtype}.")
    if n and labels.min() < 0:
        raise ValueError("labels must be non-negative.")
    return labels.astype(np.int64)


def cluster_colors(k):
    """``k`` distinct colours (tab10, then tab20, then a colour wheel).

    Examples
    --------
    >>> len(cluster_colors(3)), len(cluster_colors(25))
    (3, 25)
    """
    import matplotlib as mpl

    if k <= 10:
        return list(mpl.colormaps["tab10"].colors[:k])
    if k <= 20:
        return list(mpl.colormaps["tab20"].colors[:k])
    return [mpl.colormaps["hsv"](i / k) for i in range(k)]
