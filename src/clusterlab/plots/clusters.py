"""Clusters in two dimensions: pairs plots, Gaussian ellipses, mclust's views.

Every function draws on ``ax`` (or a new figure) and returns the Axes, or the
Figure for the pairs plot. Data with more than two columns are shown on a
PCA projection (:class:`Projection`), and centres, means and covariances are
projected with them, so the picture stays consistent.
"""

import numpy as np

from clusterlab.plots._common import axes, check_labels, check_matrix, cluster_colors


class Projection:
    """An affine map to two dimensions: the columns themselves, or PCA.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    dims : (int, int), optional
        Show these two columns; default the first two for ``d <= 2`` and the
        two leading principal components otherwise.
    names : list of str, optional

    Examples
    --------
    >>> import numpy as np
    >>> P = Projection(np.random.default_rng(0).normal(size=(50, 4)))
    >>> P.points(np.zeros((3, 4))).shape, P.labels[0][:2]
    ((3, 2), 'PC')
    """

    def __init__(self, X, dims=None, names=None):
        X = check_matrix(X)
        d = X.shape[1]
        names = list(names) if names is not None else [f"x{j + 1}" for j in range(d)]
        self.mean = np.zeros(d)
        if d == 1:
            self.basis = np.array([[1.0], [0.0]])
            self.labels = (names[0], "")
        elif dims is not None or d == 2:
            i, j = dims or (0, 1)
            self.basis = np.eye(d)[[i, j]]
            self.labels = (names[i], names[j])
        else:
            self.mean = X.mean(axis=0)
            _, s, vt = np.linalg.svd(X - self.mean, full_matrices=False)
            share = s**2 / np.sum(s**2)
            self.basis = vt[:2]
            self.labels = (f"PC 1 ({share[0]:.0%})", f"PC 2 ({share[1]:.0%})")

    def points(self, X):
        """Rows of ``X`` in the two shown coordinates."""
        return (np.asarray(X, dtype=np.float64) - self.mean) @ self.basis.T

    def covariance(self, C):
        """A (d, d) covariance in the two shown coordinates."""
        return self.basis @ C @ self.basis.T


def full_covariances(covariances, n_components, n_features, covariance_type=None):
    """Stack any covariance layout (full, tied, diag, spherical) as (k, d, d).

    Examples
    --------
    >>> full_covariances(np.array([1.0, 4.0]), 2, 3)[1].diagonal().tolist()
    [4.0, 4.0, 4.0]
    """
    C = np.asarray(covariances, dtype=np.float64)
    k, d = n_components, n_features
    kind = covariance_type
    if kind is None:
        kind = {3: "full", 1: "spherical"}.get(C.ndim, "diag" if C.shape == (k, d) else "tied")
    if kind == "full":
        return C.reshape(k, d, d)
    if kind == "tied":
        return np.broadcast_to(C, (k, d, d)).copy()
    if kind == "diag":
        return np.stack([np.diag(c) for c in C])
    return np.stack([np.eye(d) * c for c in C])


def plot_ellipses(means, covariances, ax=None, *, projection=None, levels=(1.0, 2.0),
                  colors=None):
    """Gaussian components as ellipses at ``levels`` standard deviations.

    Parameters
    ----------
    means : array-like of shape (k, d)
    covariances : array-like of shape (k, d, d)
    ax : matplotlib Axes, optional
    projection : Projection, optional
        Needed when ``d > 2``.
    levels : tuple of float, default=(1.0, 2.0)
    colors : list, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_ellipses(np.zeros((2, 2)), np.stack([np.eye(2)] * 2))
    >>> len(ax.patches)
    4
    """
    from matplotlib.patches import Ellipse

    means = np.atleast_2d(np.asarray(means, dtype=np.float64))
    covs = np.asarray(covariances, dtype=np.float64)
    ax = axes(ax, (5, 5))
    d = means.shape[1]
    proj = projection or Projection(np.zeros((1, d)), dims=(0, 1) if d > 2 else None)
    colors = colors or cluster_colors(len(means))
    for j, (m, C) in enumerate(zip(means, covs, strict=True)):
        centre = proj.points(m[None])[0]
        vals, vecs = np.linalg.eigh(proj.covariance(C))
        vals = np.clip(vals, 0.0, None)
        angle = np.degrees(np.arctan2(vecs[1, 1], vecs[0, 1]))
        for level in levels:
            ax.add_patch(Ellipse(centre, 2 * level * np.sqrt(vals[1]), 2 * level * np.sqrt(vals[0]),
                                 angle=angle, fill=False, lw=1.5, color=colors[j % len(colors)],
                                 alpha=0.9 / level))
    ax.autoscale_view()
    return ax


def plot_clusters(X, labels, *, centers=None, names=None, max_pairs=6, title=None):
    """Clusters in 2-D: every pair of columns for ``d <= max_pairs``, else PCA.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
    centers : array-like of shape (k, n_features), optional
        Drawn as black crosses.
    names : list of str, optional
    max_pairs : int, default=6
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One panel per pair of columns (one panel for ``d <= 2`` or PCA).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> X = np.random.default_rng(0).normal(size=(30, 3))
    >>> fig = plot_clusters(X, np.arange(30) % 2, centers=X[:2])
    >>> len(fig.axes)
    3
    """
    import matplotlib.pyplot as plt

    X = check_matrix(X)
    labels = check_labels(labels, len(X))
    d = X.shape[1]
    names = list(names) if names is not None else [f"x{j + 1}" for j in range(d)]
    pairs = [(i, j) for i in range(d) for j in range(i + 1, d)] if 2 < d <= max_pairs else [None]
    n_cols = min(3, len(pairs))
    n_rows = -(-len(pairs) // n_cols)
    fig, grid = plt.subplots(n_rows, n_cols, figsize=(4.2 * n_cols, 4 * n_rows), squeeze=False)
    for ax, dims in zip(grid.ravel(), pairs + [False] * (grid.size - len(pairs)), strict=True):
        if dims is False:
            ax.remove()
            continue
        proj = Projection(X, dims=dims, names=names)
        _scatter(ax, proj.points(X), labels)
        if centers is not None:
            c = proj.points(np.atleast_2d(centers))
            ax.scatter(c[:, 0], c[:, 1], marker="X", s=140, c="black", edgecolors="white",
                       label="centres")
        ax.set_xlabel(proj.labels[0])
        ax.set_ylabel(proj.labels[1])
    grid.ravel()[0].legend(fontsize="small", loc="best")
    fig.suptitle(title or f"{len(np.unique(labels))} clusters of {len(X)} rows")
    fig.tight_layout()
    return fig


def _scatter(ax, P, labels, sizes=None, colors=None):
    palette = cluster_colors(int(labels.max()) + 1 if labels.size else 1)
    for c in np.unique(labels):
        m = labels == c
        ax.scatter(P[m, 0], P[m, 1], s=12 if sizes is None else sizes[m],
                   color=palette[c] if colors is None else colors[m], alpha=0.8, lw=0,
                   label=f"cluster {c}")


def plot_classification(X, labels, *, means=None, covariances=None, names=None, ax=None):
    """mclust's classification plot: points by cluster, components as ellipses.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> X = np.random.default_rng(0).normal(size=(40, 2))
    >>> ax = plot_classification(X, np.arange(40) % 2, means=np.zeros((2, 2)),
    ...                          covariances=np.stack([np.eye(2)] * 2))
    >>> len(ax.collections), len(ax.patches)
    (2, 4)
    """
    X = check_matrix(X)
    labels = check_labels(labels, len(X))
    ax = axes(ax, (5.5, 5))
    proj = Projection(X, names=names)
    _scatter(ax, proj.points(X), labels)
    if means is not None and covariances is not None:
        plot_ellipses(means, covariances, ax, projection=proj)
    ax.set_xlabel(proj.labels[0])
    ax.set_ylabel(proj.labels[1])
    ax.set_title("classification")
    ax.legend(fontsize="small", loc="best")
    return ax


def plot_uncertainty(X, proba, *, names=None, ax=None):
    """mclust's uncertainty plot: point size grows with 1 - max probability.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> P = np.array([[1.0, 0.0], [0.5, 0.5], [0.9, 0.1]])
    >>> ax = plot_uncertainty(np.eye(3)[:, :2], P)
    >>> ax.collections[0].get_sizes().round(1).tolist()
    [4.0, 154.0, 34.0]
    """
    X = check_matrix(X)
    P = check_matrix(proba, name="proba")
    if len(P) != len(X):
        raise ValueError(f"proba has {len(P)} rows; X has {len(X)}.")
    u = 1.0 - P.max(axis=1)
    ax = axes(ax, (5.5, 5))
    proj = Projection(X, names=names)
    Q = proj.points(X)
    labels = P.argmax(axis=1)
    palette = np.array(cluster_colors(P.shape[1]))
    ax.scatter(Q[:, 0], Q[:, 1], s=4 + 300 * u, c=palette[labels], alpha=0.7, lw=0)
    ax.set_xlabel(proj.labels[0])
    ax.set_ylabel(proj.labels[1])
    ax.set_title(f"uncertainty (largest {u.max():.2f}; size = 1 - max probability)")
    return ax


def plot_memberships(X, memberships, *, names=None, ax=None):
    """Fuzzy memberships as colour blends of the clusters' colours.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> U = np.array([[1.0, 0.0], [0.5, 0.5]])
    >>> ax = plot_memberships(np.eye(2), U)
    >>> ax.collections[0].get_facecolors().shape
    (2, 4)
    """
    X = check_matrix(X)
    U = check_matrix(memberships, name="memberships")
    if len(U) != len(X):
        raise ValueError(f"memberships has {len(U)} rows; X has {len(X)}.")
    from matplotlib.colors import to_rgb

    rgb = np.array([to_rgb(c) for c in cluster_colors(U.shape[1])])
    blend = np.clip(U / U.sum(axis=1, keepdims=True) @ rgb, 0.0, 1.0)
    ax = axes(ax, (5.5, 5))
    proj = Projection(X, names=names)
    Q = proj.points(X)
    ax.scatter(Q[:, 0], Q[:, 1], s=14, c=blend, lw=0)
    ax.set_xlabel(proj.labels[0])
    ax.set_ylabel(proj.labels[1])
    ax.set_title("fuzzy memberships (colours blended by membership)")
    return ax


def plot_mixture_density(score_samples, X, *, names=None, ax=None, grid_size=100):
    """mclust's density plot: contours of a fitted density over 2-D data.

    Parameters
    ----------
    score_samples : callable
        Log-density of rows (e.g. ``GaussianMixture.score_samples``).
    X : array-like of shape (n_samples, 2)

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> X = np.random.default_rng(0).normal(size=(50, 2))
    >>> ax = plot_mixture_density(lambda Z: -0.5 * (Z ** 2).sum(axis=1), X, grid_size=20)
    >>> len(ax.collections) > 1
    True
    """
    X = check_matrix(X)
    if X.shape[1] != 2:
        raise ValueError(f"density contours need 2 columns; X has {X.shape[1]}.")
    ax = axes(ax, (5.5, 5))
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * (hi - lo + (hi == lo))
    gx, gy = (np.linspace(lo[j] - pad[j], hi[j] + pad[j], grid_size) for j in range(2))
    G = np.column_stack([a.ravel() for a in np.meshgrid(gx, gy)])
    Z = np.exp(np.asarray(score_samples(G))).reshape(grid_size, grid_size)
    ax.contour(gx, gy, Z, levels=10, cmap="viridis")
    ax.scatter(X[:, 0], X[:, 1], s=5, c="0.4", lw=0)
    names = names or ("x1", "x2")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title("density contours")
    return ax
