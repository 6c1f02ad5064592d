"""``.plot()`` on fitted estimators: one mixin that hands the fitted state to
:mod:`clusterlab.plots`.

matplotlib and :mod:`clusterlab.plots` are imported only when a plot is drawn
(hdbscan's pattern), so estimators stay importable and fast to import without
them; ``tests/test_architecture.py`` lists this module's upward import.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

# what each kind needs from the estimator, for the error message
_KINDS = {
    "clusters": "cluster_centers_, means_ or labels_",
    "uncertainty": "predict_proba",
    "history": "history_",
    "dendrogram": "linkage_matrix_",
    "density": "score_samples on a KernelDensity",
}


class PlotMixin:
    """Adds ``plot(X=None, *, kind=None, ax=None)`` to a fitted estimator.

    ``kind`` defaults to the estimator's ``_default_plot``: ``"clusters"``
    for clusterers, ``"dendrogram"`` for hierarchical clustering,
    ``"density"`` for density estimators.
    """

    _default_plot = "clusters"

    def plot(self, X=None, *, kind=None, ax=None, **kwargs):
        """Draw the fitted model with matplotlib.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), default=None
            Data to draw (needed by ``"clusters"`` and ``"uncertainty"``;
            optional for ``"density"``, which then draws the fitted curve only).
        kind : {"clusters", "uncertainty", "history", "dendrogram", "density"}, default=None
            What to draw; None is the estimator's natural plot. ``"clusters"``
            draws points by cluster with the centres (a pairs plot up to six
            features, else a PCA view), Gaussian components as ellipses
            (mclust's classification plot), fuzzy memberships as colour blends;
            ``"uncertainty"`` sizes points by ``1 - max probability``;
            ``"history"`` the objective per iteration; ``"dendrogram"`` the
            merge tree; ``"density"`` the density curve (1-D) or contours (2-D).
        ax : matplotlib Axes, default=None
            Where to draw (single-panel plots); a new figure when None.
        **kwargs
            Passed to the :mod:`clusterlab.plots` function that draws it.

        Returns
        -------
        matplotlib.axes.Axes or matplotlib.figure.Figure
            The Axes, or the Figure of a multi-panel (pairs) plot.

        Examples
        --------
        >>> import matplotlib; matplotlib.use("Agg")
        >>> import numpy as np
        >>> from clusterlab import GaussianMixture
        >>> X = np.r_[np.zeros((20, 2)), np.ones((20, 2)) * 4] + np.random.default_rng(
        ...     0).normal(size=(40, 2))
        >>> gm = GaussianMixture(2, random_state=0).fit(X)
        >>> gm.plot(X).get_title()
        'classification'
        >>> gm.plot(kind="history").get_xlabel()
        'iteration'
        """
        check_is_fitted(self)
        from clusterlab import plots  # matplotlib only when drawing

        kind = self._default_plot if kind is None else kind
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {sorted(_KINDS)}; got {kind!r}.")
        if kind == "history":
            self._needs(kind, hasattr(self, "history_"))
            return plots.plot_history(self.history_, ax, **kwargs)
        if kind == "dendrogram":
            self._needs(kind, hasattr(self, "linkage_matrix_"))
            return plots.plot_dendrogram(self.linkage_matrix_, ax, **kwargs)
        if kind == "density":
            self._needs(kind, self._default_plot == "density")
            return plots.plot_kde(self, X, ax, **kwargs)
        if X is None:
            raise ValueError(f"plot(kind={kind!r}) draws data: pass X.")
        if kind == "uncertainty":
            self._needs(kind, hasattr(self, "predict_proba"))
            return plots.plot_uncertainty(X, self.predict_proba(X), ax=ax, **kwargs)
        return self._plot_clusters(plots, X, ax, **kwargs)

    def _plot_clusters(self, plots, X, ax, **kwargs):
        X = np.asarray(X)
        if hasattr(self, "means_") and hasattr(self, "covariances_"):  # Gaussian mixture
            return plots.plot_classification(
                X, self.predict(X), means=self.means_, covariances=self._dense_covariances(),
                ax=ax, **kwargs)
        if hasattr(self, "cluster_centers_") and hasattr(self, "predict_proba"):  # fuzzy
            return plots.plot_memberships(X, self.predict_proba(X), ax=ax, **kwargs)
        if hasattr(self, "cluster_centers_"):
            return plots.plot_clusters(X, self.predict(X), centers=self.cluster_centers_,
                                       **kwargs)
        if hasattr(self, "predict"):
            return plots.plot_clusters(X, self.predict(X), **kwargs)
        labels = getattr(self, "labels_", None)
        self._needs("clusters", labels is not None and len(labels) == len(X))
        return plots.plot_clusters(X, labels, **kwargs)

    def _dense_covariances(self):
        """The components' covariances as (k, d, d), through the family's structure."""
        k, d = self.means_.shape
        make = getattr(self, "_make_family", None)
        structure = getattr(make(), "structure", None) if make is not None else None
        cov = np.asarray(self.covariances_)
        if structure is None or not hasattr(structure, "dense"):
            from clusterlab.plots import full_covariances

            return full_covariances(cov, k, d)
        return np.asarray(structure.dense(cov, k, d))

    def _needs(self, kind, ok):
        if not ok:
            raise ValueError(
                f"{type(self).__name__} cannot draw kind={kind!r}: it needs "
                f"{_KINDS[kind]} (for hierarchical clustering, X must be the fitted data)."
            )
