"""Choose the number of clusters (and other parameters) by sweeping candidates."""

from itertools import product

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid

from clusterlab._rng import as_generator
from clusterlab._validation import check_data, check_n_samples
from clusterlab.evaluation._criteria import CRITERIA
from clusterlab.evaluation._scores import elbow_index, gap_choice, gap_statistic, within_dispersion
from clusterlab.mixture import DegenerateFitError


class SelectionResult:
    """What :func:`select_k` found.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per candidate: the parameters, every computed score, whether the
        fit was flagged as degenerate, and whether it was excluded and why.
    best_index_ : int
        Row of ``table`` that was chosen.
    best_params_ : dict
        Parameters of the chosen candidate.
    best_estimator_ : estimator
        The chosen estimator, fitted on ``X``.
    criterion : str
        The criterion used.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import KMeans, select_k
    >>> X = np.r_[np.zeros((20, 2)), np.ones((20, 2)) * 5] + np.random.default_rng(0).normal(
    ...     scale=0.1, size=(40, 2))
    >>> res = select_k(KMeans(random_state=0), X, k=range(2, 5), criterion="silhouette")
    >>> res.best_params_["n_clusters"], res.table.shape[0]
    (2, 3)
    """

    def __init__(self, table, best_index, best_estimator, criterion, k_param):
        self.table = table
        self.best_index_ = int(best_index)
        self.best_estimator_ = best_estimator
        self.criterion = criterion
        self.k_param = k_param
        row = table.iloc[self.best_index_]
        self.best_params_ = {c: _py(row[c]) for c in table.attrs["param_columns"]}

    def to_pandas(self):
        """The candidate table (a copy)."""
        return self.table.copy()

    def plot(self, ax=None):
        """Plot the criterion against k, one line per other-parameter setting.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        others = [c for c in self.table.attrs["param_columns"] if c != self.k_param]
        groups = self.table.groupby(others) if others else [("", self.table)]
        column = self.table.attrs["criterion_column"]
        for key, frame in groups:
            # pandas groups by a list give tuple keys: ("full",) reads as full
            label = ", ".join(map(str, key)) if isinstance(key, tuple) else str(key)
            ax.plot(frame[self.k_param], frame[column], marker="o", label=label or None)
        best = self.table.iloc[self.best_index_]
        ax.plot([best[self.k_param]], [best[column]], "k*", markersize=14)
        ax.set_xlabel(self.k_param)
        ax.set_ylabel(column)
        if others:
            ax.legend(title=", ".join(others))
        return ax

    def __repr__(self):
        return f"SelectionResult(criterion={self.criterion!r}, best_params_={self.best_params_})"


def _py(value):
    return value.item() if isinstance(value, np.generic) else value


def _k_param(estimator):
    params = estimator.get_params(deep=False)
    for name in ("n_clusters", "n_components"):
        if name in params:
            return name
    raise TypeError(
        f"{type(estimator).__name__} has neither 'n_clusters' nor 'n_components'; "
        "select_k cannot vary its number of clusters."
    )


def _labels_of(estimator, X):
    labels = getattr(estimator, "labels_", None)
    return estimator.predict(X) if labels is None else labels


def _fit_one(estimator, params, X, criterion, seed, progress=None, start=None):
    model = clone(estimator).set_params(**params)
    row = dict(params)
    try:
        if start is None:
            model.fit(X)
        else:  # the k's shared initial partition, then the estimator's own setting back
            model.set_params(init_params=lambda X, k, rng: start).fit(X)
            model.set_params(init_params=estimator.get_params()["init_params"])
    except DegenerateFitError as exc:  # no valid parameters: recorded, never chosen
        row.update(degenerate=True, failed=str(exc))
        if progress is not None:
            progress()
        return row, None
    labels = _labels_of(model, X)
    rng = np.random.default_rng(seed)
    row["n_distinct_labels"] = int(np.unique(labels).size)
    row["inertia"] = within_dispersion(X, labels)
    for name in ("bic", "aic", "icl"):
        if hasattr(model, name):
            row[name] = float(getattr(model, name)(X))
    if criterion.name not in row:
        row[criterion.name] = criterion.score(model, X, labels, rng)
    collapsed = getattr(model, "collapsed_components_", None)
    row["degenerate"] = bool(collapsed is not None and len(collapsed) > 0)
    if hasattr(model, "converged_"):
        row["converged"] = bool(model.converged_)
    if progress is not None:
        progress()
    return row, model


def _reference_log_w(estimator, params, X, n_refs, seed):
    """log W*_kb on uniform draws over the data's principal-axis box (Tibshirani's (b))."""
    rng = np.random.default_rng(seed)
    centre = X.mean(axis=0)
    _, _, vt = np.linalg.svd(X - centre, full_matrices=False)
    Z = (X - centre) @ vt.T
    lo, hi = Z.min(axis=0), Z.max(axis=0)
    out = []
    for _ in range(n_refs):
        R = rng.uniform(lo, hi, size=Z.shape) @ vt + centre
        model = clone(estimator).set_params(**params).fit(R)
        out.append(np.log(max(within_dispersion(R, _labels_of(model, R)), np.finfo(float).tiny)))
    return out


def _candidates(k_param, k, param_grid):
    grid = list(ParameterGrid(param_grid or {}))
    return [{k_param: int(kk), **g} for g, kk in product(grid, k)]


def _choose(table, criterion, k_param, exclude):
    valid = table[criterion.name].notna() & ~exclude
    if not valid.any():
        raise ValueError(
            f"no candidate has a usable {criterion.name!r} score"
            + (" (every fit was degenerate)" if exclude.all() else "")
            + "; widen k or pick another criterion."
        )
    scores = table[criterion.name].where(valid)
    return int(scores.idxmax() if criterion.better == "higher" else scores.idxmin())


def select_k(
    estimator,
    X,
    k=range(1, 10),
    criterion="bic",
    param_grid=None,
    *,
    exclude_degenerate=True,
    n_refs=10,
    n_jobs=-1,
    random_state=None,
    progress=None,
):
    """Fit one candidate per k (and per setting of ``param_grid``) and choose the best.

    Parameters
    ----------
    estimator : estimator
        Unfitted template with an ``n_clusters`` or ``n_components`` parameter.
    X : array-like of shape (n_samples, n_features)
    k : iterable of int, default=range(1, 10)
        Numbers of clusters to try.
    criterion : {"bic", "aic", "icl", "silhouette", "calinski_harabasz", \
"davies_bouldin", "gap", "elbow"}, default="bic"
        BIC, AIC and ICL (lower is better) need a mixture model. Silhouette and
        Calinski-Harabasz (higher is better), Davies-Bouldin (lower) and the gap
        statistic (Tibshirani's one-standard-error rule) and the elbow of the
        within-cluster dispersion work for any clustering.
    param_grid : dict of lists, optional
        Other parameters to sweep, e.g. ``{"covariance_type": ["full", "diag"]}``.
        None: the estimator's own default sweep if it has one (GaussianMixture:
        mclust's fourteen covariance models, as ``Mclust`` does); ``{}`` keeps
        the estimator's settings. An estimator with ``initial_partition(X, k)``
        (the mixtures, with ``n_init=1``) starts every candidate of one k from
        that one partition, as mclust does, so their criteria compare the
        models and not the starts.
    exclude_degenerate : bool, default=True
        Never choose a fit flagged as degenerate (a mixture with a collapsed
        component, ``collapsed_components_`` non-empty); the table says so.
    n_refs : int, default=10
        Reference data sets for the gap statistic.
    n_jobs : int or None, default=-1
        Candidates fitted in parallel (joblib threads; the kernels release the
        GIL); -1 uses every core, as the estimators' kernels do by default.
    random_state : int, Generator, RandomState or None, default=None
        Seed for the gap statistic's reference draws and silhouette
        subsampling. None, as for the estimators, draws fresh randomness on
        each call; an int makes the table reproducible (the candidates take
        their own seeds from ``estimator``'s ``random_state``).
    progress : callable, optional
        Called with no argument after each candidate is fitted (from the
        worker thread), e.g. to advance a progress bar.

    Returns
    -------
    SelectionResult
        With ``table``, ``best_params_`` and ``best_estimator_``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import KMeans, select_k
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(0, 0.2, (30, 2)), rng.normal(3, 0.2, (30, 2)),
    ...           rng.normal((0, 3), 0.2, (30, 2))]
    >>> select_k(KMeans(random_state=0), X, k=range(1, 6), criterion="elbow").best_params_
    {'n_clusters': 3}
    """
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {sorted(CRITERIA)}; got {criterion!r}.")
    crit = CRITERIA[criterion]
    k_param = _k_param(estimator)
    ks = sorted({int(v) for v in k})
    if not ks or ks[0] < 1:
        raise ValueError(f"k must hold positive integers; got {list(k)!r}.")
    X = check_data(clone(estimator), X)
    check_n_samples(X, max(ks), param="max(k)")
    seeds = as_generator(random_state).integers(0, 2**31 - 1, size=3)
    if param_grid is None:
        param_grid = getattr(estimator, "_select_k_grid", None)
    candidates = _candidates(k_param, ks, param_grid)
    shared = getattr(estimator, "initial_partition", None)
    starts = {kk: shared(X, kk) for kk in ks} if shared is not None else {}
    fitted = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(_fit_one)(estimator, p, X, crit, seeds[0] + i, progress,
                          starts.get(p[k_param]))
        for i, p in enumerate(candidates)
    )
    table = pd.DataFrame([row for row, _ in fitted])
    others = [c for c in (param_grid or {})]
    if criterion == "gap":
        ref = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(_reference_log_w)(estimator, p, X, n_refs, seeds[1] + i)
            for i, p in enumerate(candidates)
        )
        gap, s = gap_statistic(np.log(table["inertia"].to_numpy()), np.array(ref))
        table["gap"], table["gap_se"] = gap, s
    failed = table["failed"].notna() if "failed" in table else pd.Series(False, table.index)
    exclude = (table["degenerate"] & exclude_degenerate) | failed
    table["excluded"] = np.where(exclude, "degenerate fit (collapsed component)", "")
    if failed.any():
        table.loc[failed, "excluded"] = "fit failed: " + table.loc[failed, "failed"].astype(str)
    if criterion in ("gap", "elbow"):
        best = _choose_along_k(table, criterion, k_param, others, exclude)
    else:
        best = _choose(table, crit, k_param, exclude)
    table.attrs["param_columns"] = [k_param, *others]
    table.attrs["criterion_column"] = criterion if criterion != "elbow" else "inertia"
    return SelectionResult(table, best, fitted[best][1], criterion, k_param)


def _choose_along_k(table, criterion, k_param, others, exclude):
    """Gap and elbow are rules over a curve in k: apply them per setting, then compare."""
    groups = table[~exclude].groupby(others) if others else [(None, table[~exclude])]
    best, best_value = None, -np.inf
    for _, frame in groups:
        frame = frame.sort_values(k_param)
        if criterion == "gap":
            gap, se = frame["gap"].to_numpy(), frame["gap_se"].to_numpy()
            i = gap_choice(frame[k_param].to_list(), gap, se)
            value = frame["gap"].iloc[i]
        else:
            i = elbow_index(frame[k_param].to_numpy(), frame["inertia"].to_numpy())
            value = -frame["inertia"].iloc[i]
        if best is None or value > best_value:
            best, best_value = int(frame.index[i]), value
    if best is None:
        raise ValueError("every candidate was excluded as degenerate; widen k or the grid.")
    return best
