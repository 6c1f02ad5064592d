"""Diagnostic plots: criteria against k, silhouettes, histories, profiles, KDE."""

import numpy as np
import pandas as pd

from clusterlab.plots._common import axes, check_labels, check_matrix, cluster_colors


def plot_criterion(result, ax=None):
    """mclust's BIC plot for any criterion: one line per model against k.

    Parameters
    ----------
    result : clusterlab.evaluation.SelectionResult
        What :func:`clusterlab.select_k` returned.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The chosen candidate is a black star; degenerate fits are crossed.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np
    >>> from clusterlab import KMeans, select_k
    >>> X = np.random.default_rng(0).normal(size=(40, 2))
    >>> res = select_k(KMeans(random_state=0), X, k=[2, 3], criterion="silhouette")
    >>> len(plot_criterion(res).lines)
    2
    """
    ax = result.plot(ax=ax)
    table = result.table
    column = table.attrs["criterion_column"]
    bad = table[table["degenerate"]] if "degenerate" in table else table.iloc[:0]
    if len(bad):
        ax.plot(bad[result.k_param], bad[column], "rx", markersize=10, label="degenerate")
        ax.legend(fontsize="small")
    ax.set_title(f"{column} against {result.k_param} (star: chosen)")
    return ax


def plot_silhouette(X, labels, ax=None, *, sample_size=5000, random_state=0):
    """Silhouette widths per cluster, sorted, with the mean as a dashed line.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> X = np.r_[np.zeros((10, 2)), np.ones((10, 2))] + np.arange(20)[:, None] * 0.01
    >>> ax = plot_silhouette(X, np.repeat([0, 1], 10))
    >>> len(ax.collections), len(ax.lines)
    (2, 1)
    """
    from sklearn.metrics import silhouette_samples

    X = check_matrix(X)
    labels = check_labels(labels, len(X))
    if not 2 <= np.unique(labels).size <= len(X) - 1:
        raise ValueError("a silhouette needs between 2 and n_samples - 1 clusters.")
    if len(X) > sample_size:
        keep = np.random.default_rng(random_state).choice(len(X), sample_size, replace=False)
        X, labels = X[keep], labels[keep]
    s = silhouette_samples(X, labels)
    ax = axes(ax, (6, 4.5))
    colors = cluster_colors(int(labels.max()) + 1)
    y = 0
    for c in np.unique(labels):
        values = np.sort(s[labels == c])
        ax.fill_betweenx(np.arange(y, y + len(values)), 0, values, color=colors[c], alpha=0.8)
        ax.text(-0.05, y + len(values) / 2, str(c), ha="right", va="center")
        y += len(values) + 5
    ax.axvline(s.mean(), color="k", ls="--", lw=1)
    ax.set_xlabel("silhouette width")
    ax.set_yticks([])
    ax.set_title(f"silhouette (mean {s.mean():.3f})")
    return ax


def history_frame(history, name="objective"):
    """Any ``history_`` as a DataFrame: one row per iteration, named columns.

    Accepts a DataFrame, a 1-D array (named ``name``), a dict of arrays, or
    a dict of such dicts (stages, e.g. deep clustering's pretrain/train,
    prefixed ``stage/column``).

    Examples
    --------
    >>> list(history_frame({"log_likelihood": [1.0, 2.0], "elbo": [1.0, 2.0]}).columns)
    ['log_likelihood', 'elbo']
    >>> history_frame([3.0, 2.0], "inertia").shape
    (2, 1)
    >>> list(history_frame({"pretrain": {"loss": [1, 2]}, "train": {"loss": [3]}}).columns)
    ['pretrain/loss', 'train/loss']
    """
    if isinstance(history, pd.DataFrame):
        return history
    if isinstance(history, dict):
        flat = {}
        for key, value in history.items():
            if isinstance(value, dict | pd.DataFrame):
                for sub, col in history_frame(value, key).items():
                    flat[f"{key}/{sub}"] = col.to_numpy()
            else:
                flat[str(key)] = np.asarray(value, dtype=np.float64).ravel()
        return pd.DataFrame({k: pd.Series(v) for k, v in flat.items()})
    return pd.DataFrame({name: np.asarray(history, dtype=np.float64).ravel()})


def plot_history(history, ax=None, *, name="objective", title=None):
    """The objective per iteration (inertia, log-likelihood, ELBO, losses).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_history({"log_likelihood": [-3.0, -2.0, -1.9], "elbo": [-3.1, -2.1, -2.0]})
    >>> [line.get_label() for line in ax.lines]
    ['log_likelihood', 'elbo']
    """
    frame = history_frame(history, name)
    if frame.empty:
        raise ValueError("history is empty: nothing to plot.")
    ax = axes(ax, (6, 4))
    # the objectives; not a stopping rule's statistic ('change', on another scale) nor
    # text columns (deep clustering's 'phase')
    columns = [c for c in frame.columns
               if c != "change" and pd.api.types.is_numeric_dtype(frame[c])]
    for col in columns:
        values = frame[col].dropna()
        ax.plot(np.arange(1, len(values) + 1), values.to_numpy(), marker=".", label=str(col))
    ax.set_xlabel("iteration")
    ax.set_ylabel("value")
    ax.legend(fontsize="small")
    ax.set_title(title or "convergence history")
    return ax


def plot_profiles(X, labels, names=None, ax=None):
    """Per-column comparison of the clusters: each cluster's mean in units of
    the column's standard deviation from the overall mean, with the spread.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> X = np.array([[0.0, 10.0], [1.0, 11.0], [5.0, 30.0], [6.0, 31.0]])
    >>> ax = plot_profiles(X, np.array([0, 0, 1, 1]), ["a", "b"])
    >>> len(ax.patches)
    4
    """
    X = check_matrix(X)
    labels = check_labels(labels, len(X))
    d = X.shape[1]
    names = list(names) if names is not None else [f"x{j + 1}" for j in range(d)]
    sd = X.std(axis=0)
    Z = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    clusters = np.unique(labels)
    colors = cluster_colors(int(labels.max()) + 1)
    ax = axes(ax, (max(5, 1.2 * d + 2), 4))
    width = 0.8 / len(clusters)
    for i, c in enumerate(clusters):
        member = Z[labels == c]
        ax.bar(np.arange(d) + (i - (len(clusters) - 1) / 2) * width, member.mean(axis=0),
               width, yerr=member.std(axis=0), color=colors[c], label=f"cluster {c}",
               capsize=2, alpha=0.85)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(np.arange(d), names, rotation=30 if d > 4 else 0)
    ax.set_ylabel("mean (standard deviations from overall mean)")
    ax.legend(fontsize="small")
    ax.set_title("cluster profiles")
    return ax


def plot_kde(kde, X=None, ax=None, *, names=None, grid_points=256):
    """KDE curve (1-D, with a rug of the data) or contours (2-D).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from clusterlab import KernelDensity
    >>> x = np.random.default_rng(0).normal(size=(200, 1))
    >>> ax = plot_kde(KernelDensity().fit(x), x)
    >>> len(ax.lines) >= 1
    True
    """
    d = int(kde.n_features_in_)
    if d not in (1, 2):
        raise ValueError(f"plot_kde draws 1-D or 2-D densities; the KDE has {d} dimensions.")
    grid, dens = kde.evaluate_grid(grid_points if d == 1 else min(grid_points, 128))
    names = list(names) if names is not None else [f"x{j + 1}" for j in range(d)]
    ax = axes(ax, (6, 4) if d == 1 else (5.5, 5))
    if d == 1:
        g = np.asarray(grid).ravel()
        ax.plot(g, np.asarray(dens).ravel(), lw=2, label="density")
        if X is not None:
            x = check_matrix(X)[:, 0]
            ax.plot(x, np.zeros_like(x), "|", color="k", alpha=0.3, markersize=10)
        ax.set_xlabel(names[0])
        ax.set_ylabel("density")
    else:
        gx, gy = _grid_axes(grid)
        D = np.asarray(dens).reshape(len(gx), len(gy))
        ax.contourf(gx, gy, D.T, levels=12, cmap="viridis")
        if X is not None:
            P = check_matrix(X)
            ax.scatter(P[:, 0], P[:, 1], s=3, c="white", alpha=0.5, lw=0)
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
    ax.set_title(f"kernel density (bandwidth {np.round(kde.bandwidth_, 4).tolist()})")
    return ax


def _grid_axes(grid):
    if isinstance(grid, list | tuple):
        return np.asarray(grid[0]).ravel(), np.asarray(grid[1]).ravel()
    grid = np.asarray(grid)
    return np.unique(grid[:, 0]), np.unique(grid[:, 1])
