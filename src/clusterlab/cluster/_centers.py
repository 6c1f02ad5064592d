"""What every centre-based clusterer does once fitted: assign, measure, score."""

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from clusterlab._docstrings import fill_doc
from clusterlab._kernels import kernels
from clusterlab._mapreduce import Weights, map_reduce, map_rows
from clusterlab._plotting import PlotMixin
from clusterlab._validation import check_data, check_sample_weight
from clusterlab._validation.scale import (
    power_of_two_scale,
    scaled,
    unscale,
    unscale_objective,
)
from clusterlab._validation.schema import Field
from clusterlab.cluster import _sparse
from clusterlab.cluster._lloyd import assign
from clusterlab.sources import as_source, is_streamed


def _distances(X, C):
    if _sparse.is_sparse(X):
        return np.sqrt(_sparse.sq_distances(X, C)).astype(X.dtype)
    out = np.empty((X.shape[0], C.shape[0]), dtype=np.float64)
    kernels("distance", X.size * C.shape[0]).all_sq_distances(X, C, out)
    return np.sqrt(out).astype(X.dtype)


def center_fields(*extra, init_shape=("n_clusters", "n_features_in_")):
    """Model-file fields every centre-based clusterer has, plus ``extra``.

    Examples
    --------
    >>> [f.name for f in center_fields()][:3]
    ['init', 'n_features_in_', 'cluster_centers_']
    """
    return (
        Field("init", "array", shape=init_shape, param=True),
        Field("n_features_in_", "int", low=1),
        Field("cluster_centers_", "array", shape=("n_clusters", "n_features_in_")),
        Field("labels_", "array", dtype="iu", shape=("n_samples",), low=0,
              high="n_clusters-1"),
        Field("n_iter_", "int", low=0),
        Field("converged_", "bool"),
        Field("history_", "history"),
        *extra,
    )


class CentersMixin(PlotMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin):
    """``predict``, ``transform`` and ``score`` from ``cluster_centers_``.

    ``get_feature_names_out`` names the ``transform`` columns ``<class>0``,
    ``<class>1``, ...; ``set_output(transform="pandas")`` applies to ``transform``.

    Used by :class:`~clusterlab.KMeans` and :class:`~clusterlab.MiniBatchKMeans`;
    the estimator may define ``chunk_size`` (rows per assignment chunk).

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import KMeans
    >>> km = KMeans(2, random_state=0).fit(np.array([[0.0], [0.2], [4.0], [4.2]]))
    >>> km.predict(np.array([[0.1], [4.1]])).tolist() == km.labels_[[0, 2]].tolist()
    True
    """

    def _check_X(self, X):
        check_is_fitted(self)
        X = check_data(self, X, reset=False, accept_sparse=True)
        return X.astype(self.cluster_centers_.dtype, copy=False)

    @property
    def _n_features_out(self):
        """Output width of ``transform`` (for ``get_feature_names_out``)."""
        return self.cluster_centers_.shape[0]

    def _streamed(self, X):
        check_is_fitted(self)
        source = as_source(X)
        if source.n_features != self.n_features_in_:
            raise ValueError(f"X has {source.n_features} features, but {type(self).__name__} "
                             f"is expecting {self.n_features_in_} features as input.")
        return source, self.cluster_centers_.astype(source.dtype)

    def _scaled_problem(self, X):
        """``(X / s, centres / s, s)``: one power of two keeps squares finite."""
        s = power_of_two_scale(X, self.cluster_centers_)
        return scaled(X, s), scaled(self.cluster_centers_, s), s

    def _undo_scale(self, s, ws=1.0, objective="inertia_"):
        """Undo a data scale ``s`` and a weight scale ``ws`` in the fitted attributes.

        Centres grow like the data; the objective and its history like
        ``s**2 * ws``.
        """
        if s == 1.0 and ws == 1.0:
            return
        setattr(self, objective, unscale_objective(getattr(self, objective), s, ws, objective))
        column = objective.rstrip("_")  # the history's column of that objective
        self.history_[column] = unscale_objective(
            self.history_[column].to_numpy(dtype=np.float64), s, ws, "history_")
        self.cluster_centers_ = unscale(self.cluster_centers_.astype(np.float64), s, 1,
                                        "cluster_centers_").astype(self.cluster_centers_.dtype)

    @fill_doc
    def predict(self, X, *, out=None):
        """Index of the nearest cluster centre of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), memmap, path or Dask array
            New data; a file is read in chunks, a Dask array gives a lazy result.
        out : ndarray of shape (n_samples,), default=None
            Where to write the labels (e.g. a ``numpy.memmap``); not for Dask.
            Every chunk is checked before the first row is written.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Cluster index of each sample (``out`` when given).
        """
        chunk = getattr(self, "chunk_size", None)
        if is_streamed(X) or out is not None:
            source, C = self._streamed(X)
            return map_rows(source, lambda x: assign(x, C, chunk)[0], dtype=np.int32, out=out)
        Xs, centers, _ = self._scaled_problem(self._check_X(X))
        if _sparse.is_sparse(Xs):
            return _sparse.assign(Xs, centers)[0]
        return assign(Xs, centers, chunk)[0]

    @fill_doc
    def transform(self, X, *, out=None):
        """Euclidean distance of each sample to every cluster centre.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), memmap, path or Dask array
            New data; a file is read in chunks, a Dask array gives a lazy result.
        out : ndarray of shape (n_samples, n_clusters), default=None
            Where to write the distances; not for Dask. Every chunk is checked
            before the first row is written.

        Returns
        -------
        distances : ndarray of shape (n_samples, n_clusters)
            Distances in the cluster-distance space.
        """
        if is_streamed(X) or out is not None:
            source, C = self._streamed(X)
            return map_rows(source, lambda x: _distances(x, C), width=C.shape[0],
                            dtype=source.dtype, out=out)
        X, centers, s = self._scaled_problem(self._check_X(X))
        return unscale(_distances(X, centers).astype(np.float64), s, 1,
                       "distances").astype(X.dtype)

    @fill_doc
    def score(self, X, y=None, sample_weight=None):
        """Opposite of the weighted inertia of ``X`` under the fitted centres.

        Parameters
        ----------
        {score_params}

        Returns
        -------
        score : float
            ``-inertia`` (higher is better).
        """
        chunk = getattr(self, "chunk_size", None)
        if is_streamed(X):
            source, C = self._streamed(X)
            return -float(map_reduce(source, lambda x, w, a, b: (assign(x, C, chunk)[1] * w).sum(),
                                     weights=Weights(sample_weight, source)))
        X, centers, s = self._scaled_problem(self._check_X(X))
        w = check_sample_weight(sample_weight, X)
        ws = power_of_two_scale(w)
        w = scaled(w, ws)
        if _sparse.is_sparse(X):
            _, dist = _sparse.assign(X, centers)
        else:
            _, dist = assign(X, centers, chunk)
        # not np.dot: see KMeans.fit
        return -unscale_objective(float((dist * w).sum()), s, ws, "inertia")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
