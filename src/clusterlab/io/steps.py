"""Pipeline steps that let a saved model take raw table rows.

``ColumnSelector`` is the first step of the command line's saved pipelines:
it picks the fitted columns by name and order (and remembers the
missing-value policy); ``LabelTransfer`` gives methods without ``predict``
(hierarchical clustering) one: a new row takes the label of its nearest
training row, so the training rows keep exactly their fitted labels.
"""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from sklearn.metrics import pairwise_distances_argmin
from sklearn.utils.validation import check_is_fitted

from clusterlab._validation import check_data


class ColumnSelector(TransformerMixin, BaseEstimator):
    """Select named columns, in a fixed order, as a float matrix.

    Parameters
    ----------
    columns : list of str
        The columns to keep, in order. A DataFrame must hold them all (by
        name); an array must have exactly this many columns.
    missing : {"drop", "refuse"}, default="drop"
        The policy for rows with missing values, kept with the model so that
        ``clusterlab predict`` applies the one the fit used (the rows
        themselves are removed or refused before this step).

    Attributes
    ----------
    n_features_in_ : int

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"b": [1.0, 2.0], "a": [3.0, 4.0], "name": ["x", "y"]})
    >>> ColumnSelector(["a", "b"]).fit(frame).transform(frame).tolist()
    [[3.0, 1.0], [4.0, 2.0]]
    """

    def __init__(self, columns, *, missing="drop"):
        self.columns = columns
        self.missing = missing

    def fit(self, X, y=None):
        """Check that ``X`` holds the columns; returns self."""
        if self.missing not in ("drop", "refuse"):
            raise ValueError(f"missing must be 'drop' or 'refuse'; got {self.missing!r}.")
        self.n_features_in_ = len(self.columns)
        self._select(X)
        return self

    def _select(self, X):
        if isinstance(X, pd.DataFrame):
            have = [str(c) for c in X.columns]
            absent = [c for c in self.columns if c not in have]
            if absent:
                raise ValueError(f"the data lack the model's column(s) {absent}; they have {have}.")
            X = X.set_axis(have, axis=1)[list(self.columns)]
            bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
            if bad:
                raise TypeError(f"the model's column(s) {bad} are not numeric in the data.")
            return X.to_numpy(dtype=np.float64)
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.columns):
            raise ValueError(
                f"X must have {len(self.columns)} columns ({list(self.columns)}); got shape "
                f"{X.shape}."
            )
        return X

    def transform(self, X):
        """The columns of ``X`` as a float64 matrix, in the fitted order."""
        check_is_fitted(self, "n_features_in_")
        return self._select(X)

    def get_feature_names_out(self, input_features=None):
        """The selected column names."""
        return np.asarray(self.columns, dtype=object)


class LabelTransfer(ClusterMixin, BaseEstimator):
    """Predict the label of the nearest fitted row (Euclidean).

    Fitted on the rows a clustering without ``predict`` saw and on its
    labels, ``predict`` on those rows returns exactly those labels (duplicate
    rows aside, which every linkage merges first).

    Attributes
    ----------
    X_fit_ : ndarray of shape (n_samples, n_features)
    labels_ : ndarray of shape (n_samples,)
    n_clusters_ : int

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [9.0], [10.0]])
    >>> LabelTransfer().fit(X, [0, 0, 1, 1]).predict([[2.0], [8.0]]).tolist()
    [0, 1]
    """

    def fit(self, X, y):
        """Store the rows ``X`` and their labels ``y``; returns self."""
        X = check_data(self, X, reset=True)
        y = np.asarray(y)
        if y.shape != (X.shape[0],) or y.dtype.kind not in "iu":
            raise ValueError(f"y must hold {X.shape[0]} integer labels; got {y.shape} {y.dtype}.")
        self.X_fit_ = X
        self.labels_ = y.astype(np.int64)
        self.n_clusters_ = int(np.unique(y).size)
        return self

    def predict(self, X):
        """Label of the nearest fitted row for each row of ``X``."""
        check_is_fitted(self, "X_fit_")
        X = check_data(self, X, reset=False)
        return self.labels_[pairwise_distances_argmin(X, self.X_fit_)]
