"""Tables (CSV, TSV, plain text, Parquet, NPY) into a numeric matrix.

Every mistake a user can make with a file (a directory, a path that does not
exist, a binary file, an empty or header-only file, a text column asked for by
name, an unknown column) is a ``ValueError`` or ``TypeError`` whose message
names the file. A CSV without a header is detected and keeps its first row.
"""

import csv
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

_TEXT_EXTS = {".csv", ".tsv", ".txt", ".dat", ".data", ""}
_PARQUET_EXTS = {".parquet", ".pq"}
_SNIFF_BYTES = 64 * 1024


def _check_path(path):
    if not os.path.exists(path):
        raise ValueError(f"{path}: no such file.")
    if os.path.isdir(path):
        raise ValueError(f"{path} is a directory; give a data file (CSV, TSV, Parquet or NPY).")
    if not os.access(path, os.R_OK):
        raise ValueError(f"{path}: permission denied (cannot read it).")


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _sniff(path, sep, header):
    """Separator and header row of a text table, from its first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if not head.strip():
        raise ValueError(f"{path} is empty: no header and no rows.")
    if b"\0" in head:
        raise ValueError(f"{path} is binary, not a text table; give a CSV, TSV, Parquet or NPY.")
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = head.decode("latin-1")
    lines = [ln for ln in text.splitlines() if ln.strip()][:50]
    if sep is None:
        if os.path.splitext(path)[1].lower() == ".tsv":
            sep = "\t"
        else:
            try:
                sep = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t| ").delimiter
            except csv.Error:
                sep = ","
    if header == "auto":
        header = _has_header([next(csv.reader([ln], delimiter=sep)) for ln in lines], sep)
    return sep, header


def _has_header(rows, sep):
    """A first row is a header when a column below it is numeric and it is not.

    A first row of only text is also a header; a first row of only numbers
    never is, so a file without a header keeps every row.
    """
    first, rest = rows[0], rows[1:]
    first_numeric = [_is_number(v) for v in first if v.strip()]
    if first_numeric and all(first_numeric):
        return False
    if not any(first_numeric):
        return True
    for j, value in enumerate(first):
        below = [r[j] for r in rest if j < len(r) and r[j].strip()]
        if not _is_number(value) and below and all(_is_number(v) for v in below):
            return True
    return False


def read_frame(path, *, header="auto", sep=None):
    """Read a table file into a DataFrame whose index holds the row ids.

    Parameters
    ----------
    path : str or path-like
        CSV (separator sniffed: comma, semicolon, tab, bar or space), ``.tsv``,
        plain text, ``.parquet`` / ``.pq``, or ``.npy`` (a 2-D numeric array).
    header : {"auto", True, False}, default="auto"
        Whether a text file's first row holds the column names. ``"auto"``
        decides from the file: a first row of numbers is data, never lost.
    sep : str, optional
        Field separator of a text file; sniffed when omitted.

    Returns
    -------
    pandas.DataFrame
        Columns as read; the index is the file's row ids (an unnamed first
        column as R writes it) or the row number from 0.

    Raises
    ------
    ValueError
        If ``path`` does not exist, is a directory, is empty, binary, or holds
        a header but no rows; the message names ``path``.

    Examples
    --------
    >>> from clusterlab.datasets import faithful_path
    >>> frame = read_frame(faithful_path())
    >>> frame.shape, list(frame.columns), frame.index[0]
    ((272, 2), ['eruptions', 'waiting'], 1)
    """
    path = os.fspath(path)
    _check_path(path)
    ext = os.path.splitext(path)[1].lower()
    if ext in _PARQUET_EXTS:
        frame = _read_parquet(path)
    elif ext == ".npy":
        frame = _read_npy(path)
    else:
        frame = _read_text(path, header, sep)
    if frame.shape[0] == 0:
        raise ValueError(f"{path} has a header but no rows.")
    if frame.shape[1] == 0:
        raise ValueError(f"{path} has rows but no columns besides the row ids.")
    return frame


def _read_parquet(path):
    try:
        return pd.read_parquet(path)
    except ImportError as exc:
        raise ValueError(f"{path}: reading Parquet needs pyarrow (pip install pyarrow).") from exc
    except Exception as exc:  # pyarrow raises its own types for a damaged file
        raise ValueError(f"{path} is not a readable Parquet file: {exc}") from None


def _read_npy(path):
    try:
        arr = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise ValueError(f"{path} is not a readable .npy array: {exc}") from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{path} holds an array of shape {arr.shape}; expected 2-D.")
    return pd.DataFrame(arr, columns=[f"x{j + 1}" for j in range(arr.shape[1])])


def _read_text(path, header, sep):
    sep, header = _sniff(path, sep, header)
    try:
        frame = pd.read_csv(path, sep=sep, header=0 if header else None,
                            skipinitialspace=True, engine="python" if sep == " " else "c")
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path} is empty: no header and no rows.") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not a readable table: {exc}") from None
    if not header:
        frame.columns = [f"x{j + 1}" for j in range(frame.shape[1])]
    first = frame.columns[0] if frame.shape[1] else None
    # an unnamed first column is R's row names: the row ids, not a feature
    if header and first is not None and (str(first) == "" or str(first).startswith("Unnamed")):
        frame = frame.set_index(first)
        frame.index.name = None
    return frame


@dataclass
class NumericTable:
    """The numeric part of a table, and what was left out on the way.

    Attributes
    ----------
    X : ndarray of shape (n_kept_rows, n_features)
    names : list of str
        Column names, in order.
    index : pandas.Index
        Row ids of the kept rows.
    dropped_columns : dict
        Column name -> why it was left out.
    dropped_rows : pandas.Index
        Row ids left out for missing values.
    n_rows_read : int

    Examples
    --------
    >>> import pandas as pd
    >>> t = numeric_table(pd.DataFrame({"a": [1.0, None, 3.0], "b": ["x", "y", "z"]}))
    >>> t.X.tolist(), t.dropped_columns, list(t.dropped_rows)
    ([[1.0], [3.0]], {'b': 'not numeric'}, [1])
    """

    X: np.ndarray
    names: list
    index: pd.Index
    dropped_columns: dict = field(default_factory=dict)
    dropped_rows: pd.Index = field(default_factory=lambda: pd.Index([]))
    n_rows_read: int = 0


def select_columns(frame, *, columns=None, drop=None, source="the data"):
    """Columns to use: named ones (must be numeric) or every numeric one.

    Returns
    -------
    names : list of str
    dropped : dict
        Column name -> reason, for the columns left out.

    Raises
    ------
    ValueError
        If a named column is not in ``frame`` (the columns it has are listed).
    TypeError
        If a column named in ``columns`` is not numeric.

    Examples
    --------
    >>> import pandas as pd
    >>> select_columns(pd.DataFrame({"a": [1], "b": ["x"], "c": [2.0]}), drop=["c"])
    (['a'], {'c': '--drop', 'b': 'not numeric'})
    """
    have = [str(c) for c in frame.columns]
    for option, names in (("--columns", columns), ("--drop", drop)):
        unknown = [c for c in names or () if c not in have]
        if unknown:
            raise ValueError(f"{option}: column(s) {unknown} not in {source}; it has {have}.")
    dropped = {c: "--drop" for c in drop or ()}
    frame = frame.set_axis(have, axis=1)
    if columns is not None:
        bad = [c for c in columns if not _numeric(frame[c])]
        if bad:
            raise TypeError(f"column(s) {bad} of {source} are not numeric; leave them out.")
        return [c for c in columns if c not in dropped], dropped
    names = []
    for c in have:
        if c in dropped:
            continue
        if _numeric(frame[c]):
            names.append(c)
        else:
            dropped[c] = "not numeric"
    if not names:
        raise ValueError(f"{source} has no numeric column to use (columns: {have}).")
    return names, dropped


def _numeric(series):
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def numeric_table(frame, *, columns=None, drop=None, missing="drop", source="the data"):
    """Keep numeric columns and apply the missing-value policy.

    Parameters
    ----------
    frame : pandas.DataFrame
    columns, drop : list of str, optional
        Columns to use / leave out (see :func:`select_columns`).
    missing : {"drop", "refuse"}, default="drop"
        Leave out rows with a missing or infinite value, or refuse them.
    source : str
        Name of the data in messages (the file's path).

    Returns
    -------
    NumericTable

    Examples
    --------
    See :class:`NumericTable`.
    """
    if missing not in ("drop", "refuse"):
        raise ValueError(f"missing must be 'drop' or 'refuse'; got {missing!r}.")
    names, dropped = select_columns(frame, columns=columns, drop=drop, source=source)
    values = frame.set_axis([str(c) for c in frame.columns], axis=1)[names]
    X = values.to_numpy(dtype=np.float64)
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any() and missing == "refuse":
        row, col = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(
            f"{source} has {int(bad.sum())} row(s) with missing or infinite values, first at "
            f"row {frame.index[row]!r} column {names[col]!r}; use --missing drop to leave "
            "them out."
        )
    if bad.all():
        raise ValueError(f"every row of {source} has a missing value in columns {names}.")
    return NumericTable(X[~bad], names, frame.index[~bad], dropped, frame.index[bad],
                        frame.shape[0])


def read_table(path, *, columns=None, drop=None):
    """Read a table file into a float matrix, refusing missing values.

    Parameters
    ----------
    path : str or path-like
        Any file :func:`read_frame` reads.
    columns : list of str, optional
        Columns to use; default every numeric column.
    drop : list of str, optional
        Columns to leave out (for example an id or label column).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    names : list of str
        The column names, in order.

    Raises
    ------
    ValueError
        If the file is unreadable or empty, a column is unknown, or a value is
        missing; the message names the file.
    TypeError
        If a column in use is not numeric.

    Examples
    --------
    >>> from clusterlab.datasets import faithful_path
    >>> X, names = read_table(faithful_path())
    >>> X.shape, names
    ((272, 2), ['eruptions', 'waiting'])
    """
    path = os.fspath(path)
    table = numeric_table(read_frame(path), columns=columns, drop=drop, missing="refuse",
                          source=path)
    text = [c for c, why in table.dropped_columns.items() if why == "not numeric"]
    if text:
        raise TypeError(
            f"non-numeric column(s) {text} in {path}: choose numeric columns with "
            "columns= or leave these out with drop=."
        )
    return table.X, table.names
