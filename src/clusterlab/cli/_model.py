"""The saved model of the command line: one scikit-learn Pipeline.

``columns`` (a :class:`~clusterlab.io.steps.ColumnSelector`: names, order and
the missing-value policy), then ``scale`` (a StandardScaler or RobustScaler,
absent for ``--scale none``), then ``model`` (the fitted estimator, or a
:class:`~clusterlab.io.steps.LabelTransfer` for hierarchical clustering).
``predict`` on raw rows therefore applies the fit's preprocessing.
"""

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from clusterlab.cli._errors import UsageError
from clusterlab.io.steps import ColumnSelector, LabelTransfer


def build_pipeline(names, missing, scaler, estimator, X_scaled, labels):
    """A fitted Pipeline from already fitted parts.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import KMeans
    >>> X = np.array([[0.0, 1.0], [0.2, 1.0], [5.0, 9.0], [5.2, 9.0]])
    >>> km = KMeans(2, random_state=0).fit(X)
    >>> pipe = build_pipeline(["a", "b"], "drop", None, km, X, km.labels_)
    >>> [name for name, _ in pipe.steps], (pipe.predict(X) == km.labels_).all()
    (['columns', 'model'], np.True_)
    """
    names = list(names)
    steps = [("columns", ColumnSelector(names, missing=missing).fit(
        pd.DataFrame(np.zeros((1, len(names))), columns=names)))]
    if scaler is not None:
        steps.append(("scale", scaler))
    if not hasattr(estimator, "predict"):
        estimator = LabelTransfer().fit(X_scaled, labels)
    steps.append(("model", estimator))
    return Pipeline(steps)


def fitted_labels(estimator, X):
    """The labels a fit gave its rows (``labels_``, else ``predict``)."""
    labels = getattr(estimator, "labels_", None)
    return np.asarray(estimator.predict(X) if labels is None else labels)


def model_columns(model):
    """Column names the model expects (None for a bare estimator)."""
    if isinstance(model, Pipeline) and isinstance(model.steps[0][1], ColumnSelector):
        return [str(c) for c in model.steps[0][1].columns_]
    return None


def final_estimator(model):
    """The clustering estimator inside ``model``."""
    return model.steps[-1][1] if isinstance(model, Pipeline) else model


def soft_columns(model, X_raw_frame):
    """Probability / membership columns for rows, or an empty frame.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from clusterlab import GaussianMixture
    >>> X = np.array([[0.0], [0.1], [5.0], [5.1]])
    >>> gm = GaussianMixture(2, random_state=0).fit(X)
    >>> list(soft_columns(gm, X).columns)
    ['probability_0', 'probability_1']
    """
    est = final_estimator(model)
    if not hasattr(est, "predict_proba"):
        return pd.DataFrame(index=range(len(X_raw_frame)))
    prefix = "membership" if type(est).__name__ == "FuzzyCMeans" else "probability"
    P = np.asarray(model.predict_proba(X_raw_frame))
    return pd.DataFrame(P, columns=[f"{prefix}_{j}" for j in range(P.shape[1])])


def labels_frame(index, labels, soft):
    """The labels file's table: row ids, label, soft columns.

    Examples
    --------
    >>> import pandas as pd
    >>> labels_frame(pd.Index([3, 5]), [0, 1], pd.DataFrame(index=range(2))).to_csv(index=False)
    'row,label\\n3,0\\n5,1\\n'
    """
    frame = pd.DataFrame({"label": np.asarray(labels)}, index=index)
    for col in soft.columns:
        frame[col] = soft[col].to_numpy()
    frame.index.name = index.name or "row"
    return frame.reset_index()


def load_pipeline(path):
    """Load a model file for ``predict``/``report``; a bad file is a UsageError."""
    from clusterlab.io import load_model

    try:
        return load_model(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{path} is not a readable clusterlab model file: {exc}") from None


def rows_for(model, frame, source, missing=None):
    """The raw rows ``model`` takes from ``frame``, and the row ids kept.

    Applies the saved missing-value policy: rows with a missing value are
    left out ('drop', said by the caller) or refused ('refuse').
    """
    from clusterlab.io.tables import numeric_table

    columns = model_columns(model)
    if missing is None:
        missing = model.steps[0][1].missing if columns is not None else "refuse"
    try:
        table = numeric_table(frame, columns=columns, missing=missing, source=source)
    except TypeError as exc:
        raise UsageError(str(exc)) from None
    names = table.names
    expected = getattr(final_estimator(model), "n_features_in_", None)
    if columns is None and expected is not None and len(names) != expected:
        raise UsageError(f"{source} has {len(names)} numeric columns; the model takes "
                         f"{expected}.")
    return pd.DataFrame(table.X, columns=names, index=table.index), table
