"""Read an estimator's ``history_`` column whatever its container (DataFrame, dict, array)."""

import numpy as np


def history_column(history, name):
    """The values of column ``name`` of ``history`` as a float64 array.

    ``history`` may be a pandas DataFrame or a dict of columns; a plain array
    is taken to be the one column asked for.

    Examples
    --------
    >>> history_column({"inertia": [3.0, 2.0]}, "inertia").tolist()
    [3.0, 2.0]
    >>> history_column(np.array([3.0, 2.0]), "inertia").tolist()
    [3.0, 2.0]
    """
    if hasattr(history, "columns") or isinstance(history, dict):
        return np.asarray(history[name], dtype=np.float64).copy()
    return np.asarray(history, dtype=np.float64).copy()
