"""Pipeline steps that let a saved model take raw table rows.

``ColumnSelector`` is the first step of a saved pipeline (columns, order,
missing values); ``LabelTransfer`` gives a method without ``predict``
(hierarchical clustering) one: a new row takes the label of its nearest
fitted row.

A pipeline fitted on a table must see the same columns in the same order
when it predicts; this step records them by name and re-selects them, so a
saved model applied to a table with extra or reordered columns still works.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from sklearn.metrics import pairwise_distances_argmin
from sklearn.utils.validation import check_is_fitted

from clusterlab._validation import Options, check_data, validate_params
from clusterlab._validation.schema import Field


class ColumnSelector(TransformerMixin, BaseEstimator):
    """Select and order columns by name (a DataFrame) or position (an array).

    Parameters
    ----------
    columns : list of str or int, or None, default=None
        Columns to keep, in this order; ``None`` keeps every column seen in
        ``fit`` (in that order).
    missing : {"refuse", "drop"}, default="refuse"
        The missing-value policy recorded with the model. ``transform``
        never passes missing values on; :meth:`keep_rows` tells a caller
        which rows to keep ("drop") or raises naming the first missing
        value ("refuse").

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (a DataFrame only).
    columns_ : list of str or int
        The selected columns.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0], "c": ["x", "y"]})
    >>> step = ColumnSelector(["b", "a"]).fit(frame)
    >>> step.transform(frame[["c", "a", "b"]]).tolist()
    [[3.0, 1.0], [4.0, 2.0]]
    """

    _parameter_constraints = {
        "columns": [None, list],
        "missing": [Options({"refuse", "drop"})],
    }
    _model_schema = (
        Field("n_features_in_", "int", low=1),
        Field("feature_names_in_", "names", shape=("n_features_in_",), optional=True),
        Field("columns_", "names", shape=("n_columns",)),
    )

    def __init__(self, columns=None, missing="refuse"):
        self.columns = columns
        self.missing = missing

    def fit(self, X, y=None):
        """Record the input's columns; returns ``self``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self : ColumnSelector
        """
        validate_params(self)
        names = getattr(X, "columns", None)
        n_features = len(names) if names is not None else np.asarray(X).shape[1]
        self.n_features_in_ = int(n_features)
        if names is not None and all(isinstance(c, str) for c in names):
            self.feature_names_in_ = np.asarray(list(names), dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        columns = self.columns
        if columns is None:
            columns = list(names) if names is not None else list(range(n_features))
        self.columns_ = np.asarray([str(c) if not isinstance(c, numbers.Integral) else c
                                    for c in columns], dtype=object)
        self._select(X)  # fail now, naming the column, rather than at predict time
        return self

    def _select(self, X):
        columns = list(self.columns_)
        if hasattr(X, "columns"):
            missing = [c for c in columns if c not in X.columns]
            if missing:
                raise ValueError(f"X lacks column(s) {missing}; the model needs {columns}.")
            return X[columns]
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D; got shape {X.shape}.")
        if not all(isinstance(c, numbers.Integral) for c in columns):
            if X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} columns but the model was fitted on "
                    f"{self.n_features_in_} named columns; pass a DataFrame with {columns}."
                )
            index = {name: i for i, name in enumerate(self.feature_names_in_)}
            columns = [index[c] for c in columns]
        elif max(columns, default=-1) >= X.shape[1]:
            raise ValueError(f"X has {X.shape[1]} columns; the model selects {columns}.")
        return X[:, columns]

    def keep_rows(self, X):
        """Boolean mask of the rows to keep under the ``missing`` policy.

        Examples
        --------
        >>> import numpy as np
        >>> step = ColumnSelector(missing="drop").fit(np.zeros((2, 2)))
        >>> step.keep_rows(np.array([[1.0, np.nan], [2.0, 3.0]])).tolist()
        [False, True]
        """
        check_is_fitted(self)
        values = np.asarray(self._select(X), dtype=np.float64)
        bad = ~np.isfinite(values)
        if self.missing == "refuse" and bad.any():
            row, col = np.argwhere(bad)[0]
            raise ValueError(
                f"X has a missing or infinite value at row {row}, column "
                f"{self.columns_[col]!r}; missing='refuse'."
            )
        return ~bad.any(axis=1)

    def transform(self, X):
        """The selected columns, in order, as a float array.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, len(columns_))
        """
        check_is_fitted(self)
        return np.asarray(self._select(X), dtype=np.float64)

    def get_feature_names_out(self, input_features=None):
        """The selected column names.

        Examples
        --------
        >>> import numpy as np
        >>> ColumnSelector([1]).fit(np.zeros((1, 2))).get_feature_names_out().tolist()
        ['x1']
        """
        check_is_fitted(self)
        return np.asarray([c if isinstance(c, str) else f"x{c}" for c in self.columns_],
                          dtype=object)


class LabelTransfer(ClusterMixin, BaseEstimator):
    """Predict the label of the nearest fitted row (Euclidean).

    The last step of the command line's saved pipelines for methods without
    ``predict`` (hierarchical clustering): fitted on the rows that method saw
    and its labels, ``predict`` on those rows returns exactly those labels
    (duplicate rows aside, which every linkage merges first).

    Attributes
    ----------
    X_fit_ : ndarray of shape (n_samples, n_features)
    labels_ : ndarray of shape (n_samples,)
    n_clusters_ : int
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [9.0], [10.0]])
    >>> LabelTransfer().fit(X, [0, 0, 1, 1]).predict([[2.0], [8.0]]).tolist()
    [0, 1]
    """

    _model_schema = (
        Field("n_features_in_", "int", low=1),
        Field("n_clusters_", "int", low=1),
        Field("X_fit_", "array", shape=("n_samples", "n_features_in_")),
        Field("labels_", "array", dtype="iu", shape=("n_samples",), low=0),
    )

    def fit(self, X, y):
        """Store the rows ``X`` and their labels ``y``; returns self.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Non-negative integer labels.

        Returns
        -------
        self : LabelTransfer
        """
        X = check_data(self, X, reset=True)
        y = np.asarray(y)
        if y.shape != (X.shape[0],) or y.dtype.kind not in "iu" or (y.size and y.min() < 0):
            raise ValueError(f"y must hold {X.shape[0]} non-negative integer labels; got "
                             f"shape {y.shape} of {y.dtype}.")
        self.X_fit_ = X
        self.labels_ = y.astype(np.int64)
        self.n_clusters_ = int(np.unique(y).size)
        return self

    def predict(self, X):
        """Label of the nearest fitted row for each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "X_fit_")
        X = check_data(self, X, reset=False)
        return self.labels_[pairwise_distances_argmin(X, self.X_fit_)]
