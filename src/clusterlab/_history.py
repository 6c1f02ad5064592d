"""``history_``: one type on every iterative estimator.

Every iterative estimator keeps ``history_``, a pandas DataFrame with one row
per iteration (the index is named for what a row is: ``"iteration"``,
``"step"`` or ``"epoch"``) and one named column per recorded quantity, so
``len(history_) == n_iter_`` (``n_steps_`` for MiniBatchKMeans) and
``history_.plot()`` draws the curves.

Model files store a DataFrame as its columns (numeric ones as arrays, text
ones as lists) and its index name; :func:`frame_to_state` and
:func:`frame_from_state` convert both ways.
"""

import numpy as np
import pandas as pd


def history_frame(index_name="iteration", **columns):
    """A history table: one row per iteration, one column per quantity.

    Parameters
    ----------
    index_name : str, default="iteration"
        What a row is ("iteration", "step", "epoch").
    **columns : sequence
        Column name -> values per row (all of one length).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> h = history_frame(inertia=[3.0, 2.0, 1.5])
    >>> len(h), list(h.columns), h.index.name, float(h["inertia"].iloc[-1])
    (3, ['inertia'], 'iteration', 1.5)
    """
    data = {name: _column(values) for name, values in columns.items()}
    frame = pd.DataFrame(data)
    frame.index.name = index_name
    return frame


def _column(values):
    if isinstance(values, pd.Series):
        values = values.to_numpy()
    arr = np.asarray(values)
    return arr.astype(np.float64) if arr.dtype.kind in "biuf" else arr


def append_row(frame, **row):
    """``frame`` with one more row (used by ``partial_fit``).

    Examples
    --------
    >>> h = append_row(history_frame(elbo=[1.0]), elbo=2.0)
    >>> h["elbo"].tolist(), h.index.name
    ([1.0, 2.0], 'iteration')
    """
    columns = {name: [*frame[name].tolist(), row[name]] for name in frame.columns}
    return history_frame(frame.index.name, **columns)


def frame_to_state(frame, *, as_lists=False):
    """A DataFrame as plain values for a model file: numeric columns as arrays.

    ``as_lists=True`` gives lists of floats instead (JSON-ready; ``json``
    writes floats exactly).

    Examples
    --------
    >>> state = frame_to_state(history_frame("epoch", loss=[2.0, 1.0], phase=["a", "b"]))
    >>> state["index_name"], state["names"], state["columns"][1]
    ('epoch', ['loss', 'phase'], ['a', 'b'])
    """
    columns = []
    for name in frame.columns:
        values = frame[name].to_numpy()
        if values.dtype.kind not in "biuf":
            values = [str(v) for v in values]
        elif as_lists:
            values = [float(v) for v in values]
        columns.append(values)
    return {"index_name": frame.index.name, "names": [str(c) for c in frame.columns],
            "columns": columns}


def frame_from_state(state, index_name="iteration"):
    """Inverse of :func:`frame_to_state`.

    Also reads the dicts that model files held before ``history_`` became a
    DataFrame: ``{column: values}``, or ``{phase: {column: values}}`` (which
    becomes a ``phase`` column); ``index_name`` names their rows.

    Examples
    --------
    >>> h = history_frame(inertia=[3.0, 2.0])
    >>> frame_from_state(frame_to_state(h)).equals(h)
    True
    >>> old = {"pretrain": {"loss": [2.0]}, "train": {"loss": [1.0, 0.5]}}
    >>> frame_from_state(old, "epoch")["phase"].tolist()
    ['pretrain', 'train', 'train']
    """
    if "names" not in state:
        return _from_legacy(state, index_name)
    columns = dict(zip(state["names"], state["columns"], strict=True))
    return history_frame(state["index_name"] or "iteration", **columns)


def _from_legacy(history, index_name):
    if not all(isinstance(v, dict) for v in history.values()):
        return history_frame(index_name, **history)
    phases = [(name, cols, len(next(iter(cols.values()), []))) for name, cols in history.items()]
    columns = {"phase": [name for name, _, n in phases for _ in range(n)]}
    for key in dict.fromkeys(k for _, cols, _ in phases for k in cols):
        columns[key] = [v for _, cols, n in phases for v in cols.get(key, [np.nan] * n)]
    return history_frame(index_name, **columns)
