"""Chunk sources: data seen as a sequence of row chunks, wherever it lives.

Every iterative estimator makes passes of the same shape (DESIGN.md): map each
chunk to additive statistics, reduce them, update the model. A *source* says
how the chunks are read:

- :class:`ArraySource`: a NumPy array already in memory (the estimators keep
  their in-memory fast paths for it; the source only serves the generic code);
- :class:`NpySource`: a ``numpy.memmap`` or a ``.npy`` file opened with
  ``mmap_mode='r'``, read ``source_chunk_bytes`` at a time;
- :class:`ParquetSource`: a Parquet file or a folder of them, read one row
  group (or a budget-sized piece of one) at a time, columns chosen by name;
- :class:`DaskSource`: a ``dask.array.Array`` whose blocks stay on the workers;
  the map runs where each block lives (``clusterlab.distributed``).

Each chunk is validated as it is read (numeric, finite, the right number of
features), with the message an in-memory array would get plus the chunk's
row range. float32 stays float32; other numbers become float64.

Examples
--------
>>> import numpy as np
>>> from clusterlab.sources import as_source
>>> src = as_source(np.arange(12.0).reshape(6, 2))
>>> src.n_rows, src.n_features, src.dtype
(6, 2, dtype('float64'))
>>> [(a, b) for a, b, _ in src.iter_chunks(rows=4)]
[(0, 4), (4, 6)]
"""

import math
import os
from pathlib import Path

import numpy as np

from clusterlab._config import get_config


def _float_dtype(dtype, name):
    dtype = np.dtype(dtype)
    if dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers; got dtype {dtype}. Convert it to numbers "
                        "first.")
    return np.dtype(np.float32) if dtype == np.float32 else np.dtype(np.float64)


def check_chunk(chunk, start, stop, *, n_features, dtype, name="X"):
    """Validate one chunk of rows ``[start, stop)``: returns a C-contiguous ``dtype`` array.

    Raises the in-memory errors (``TypeError`` for non-numbers, ``ValueError``
    for NaN / infinity or a wrong shape) with the chunk's row range added.

    Examples
    --------
    >>> import numpy as np
    >>> check_chunk(np.ones((2, 3)), 10, 12, n_features=3, dtype=np.float64).shape
    (2, 3)
    >>> check_chunk(np.array([[1.0, np.nan]]), 10, 11, n_features=2, dtype=np.float64)
    Traceback (most recent call last):
    ...
    ValueError: X contains NaN or infinity in rows [10, 11) (first at row 10, column 1).
    """
    arr = np.asarray(chunk)
    where = f"rows [{start}, {stop})"
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers; {where} have dtype {arr.dtype}.")
    if arr.ndim != 2 or arr.shape[1] != n_features or arr.shape[0] != stop - start:
        raise ValueError(f"{name} {where} should have shape ({stop - start}, {n_features}); "
                         f"the source gave {arr.shape}.")
    arr = np.ascontiguousarray(arr, dtype=dtype)
    finite = np.isfinite(arr)
    if not finite.all():
        row, col = np.argwhere(~finite)[0]
        raise ValueError(f"{name} contains NaN or infinity in {where} (first at row "
                         f"{start + row}, column {col}).")
    return arr


def check_weight_chunk(w, start, stop, dtype, name="sample_weight"):
    """Validated weights of rows ``[start, stop)`` (finite, non-negative, 1-D).

    Examples
    --------
    >>> check_weight_chunk([1, 2], 0, 2, np.float64).tolist()
    [1.0, 2.0]
    """
    w = np.asarray(w)
    where = f"rows [{start}, {stop})"
    if w.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric; {where} have dtype {w.dtype}.")
    if w.shape != (stop - start,):
        raise ValueError(f"{name} {where} should have shape ({stop - start},); got {w.shape}.")
    w = np.ascontiguousarray(w, dtype=dtype)
    if not np.all(np.isfinite(w)):
        raise ValueError(f"{name} contains NaN or infinity in {where}.")
    if np.any(w < 0):
        raise ValueError(f"Negative values in {name} {where}: weights must be >= 0.")
    return w


def budget_rows(n_features, itemsize, chunk_bytes=None):
    """Rows per chunk under ``chunk_bytes`` (default: ``clusterlab.config``'s).

    Examples
    --------
    >>> budget_rows(16, 4, chunk_bytes=64 * 2**20)
    1048576
    """
    budget = chunk_bytes or get_config()["source_chunk_bytes"]
    return max(1, int(budget) // max(1, n_features * itemsize))


class Source:
    """A table of ``n_rows`` x ``n_features`` numbers read chunk by chunk.

    Subclasses set ``n_rows``, ``n_features``, ``dtype`` and ``name`` and
    implement ``_read(start, stop, buffer=None)``; ``local`` is False for sources whose
    chunks live elsewhere (Dask).

    Examples
    --------
    >>> import numpy as np
    >>> src = ArraySource(np.zeros((5, 2)))
    >>> src.bounds(rows=2)
    [(0, 2), (2, 4), (4, 5)]
    """

    local = True
    name = "X"

    def __init__(self, chunk_bytes=None):
        self.chunk_bytes = chunk_bytes
        self._checked = set()

    @property
    def shape(self):
        return (self.n_rows, self.n_features)

    def default_rows(self):
        return budget_rows(self.n_features, self.dtype.itemsize, self.chunk_bytes)

    def bounds(self, rows=None):
        """``(start, stop)`` of every chunk, in row order."""
        rows = int(rows or self.default_rows())
        return [(s, min(s + rows, self.n_rows)) for s in range(0, self.n_rows, rows)]

    def read(self, start, stop, buffer=None):
        """Rows ``[start, stop)`` as a validated array.

        A file source checks each chunk's values once while the file is unchanged
        (same size and modification time): later passes of a fit skip the
        finiteness scan, which cost about as much as reading the chunk.
        ``buffer`` (rows x features, the file's dtype), where given, is a buffer a
        file source may read into instead of allocating one; other sources ignore it.
        """
        chunk = self._read(start, stop, buffer)
        key = (start, stop, self._stamp())
        if key[2] is not None and key in self._checked:
            return np.ascontiguousarray(chunk, dtype=self.dtype)
        out = check_chunk(chunk, start, stop, n_features=self.n_features, dtype=self.dtype,
                          name=self.name)
        if key[2] is not None:
            self._checked.add(key)
        return out

    def _stamp(self):
        """What identifies the current contents of a file source (None: not a file)."""
        return None

    def iter_chunks(self, rows=None):
        """Yield ``(start, stop, chunk)`` over the rows, in order."""
        for start, stop in self.bounds(rows):
            yield start, stop, self.read(start, stop)

    def take(self, rows):
        """The rows of the given (sorted or not) indices, as an array."""
        idx = np.asarray(rows, dtype=np.int64)
        out = np.empty((idx.size, self.n_features), dtype=self.dtype)
        for pos, i in enumerate(idx):
            out[pos] = self.read(int(i), int(i) + 1)[0]
        return out

    def __repr__(self):
        return f"{type(self).__name__}({self.n_rows} x {self.n_features}, {self.dtype})"


class ArraySource(Source):
    """A NumPy array (or ``numpy.memmap``) seen as chunks.

    Examples
    --------
    >>> import numpy as np
    >>> ArraySource(np.zeros((3, 2), dtype=np.float32)).dtype
    dtype('float32')
    """

    def __init__(self, X, chunk_bytes=None, name="X"):
        super().__init__(chunk_bytes)
        if X.ndim != 2:
            raise ValueError(f"{name} must be a 2-D array of shape (n_samples, n_features); "
                             f"got shape {X.shape}.")
        self.X, self.name = X, name
        self.n_rows, self.n_features = X.shape
        self.dtype = _float_dtype(X.dtype, name)

    def _read(self, start, stop, buffer=None):
        return self.X[start:stop]

    def take(self, rows):
        return check_chunk(self.X[np.asarray(rows, dtype=np.int64)], 0, len(rows),
                           n_features=self.n_features, dtype=self.dtype, name=self.name)


class NpySource(Source):
    """A ``.npy`` file read a chunk at a time with positioned reads (``os.preadv``).

    Reads go through the page cache into one fresh chunk buffer, never a
    mapping, so the process's resident memory stays at a few chunks however
    large the file. A file shorter than its header declares is refused when
    opened, naming the first chunk it cannot hold, before any pass starts (and
    a chunk found short later, if the file shrinks, is named too).

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "x.npy")
    >>> np.save(path, np.arange(30.0).reshape(10, 3))
    >>> src = NpySource(path)
    >>> src.n_rows, src.read(2, 4).tolist()
    (10, [[6.0, 7.0, 8.0], [9.0, 10.0, 11.0]])
    """

    def __init__(self, path, chunk_bytes=None, *, offset=None, shape=None, dtype=None):
        super().__init__(chunk_bytes)
        path = Path(path)
        if offset is None:
            shape, dtype, offset = _npy_header(path)
        self.path, self.name, self.offset = path, str(path), int(offset)
        self.file_dtype = np.dtype(dtype)
        if self.file_dtype.kind not in "biuf":
            raise TypeError(f"{path} must hold numbers; it holds dtype {self.file_dtype}.")
        self.n_rows, self.n_features = (int(v) for v in shape)
        self.dtype = _float_dtype(self.file_dtype, self.name)
        self.row_bytes = self.n_features * self.file_dtype.itemsize
        have = (os.path.getsize(path) - self.offset) // max(self.row_bytes, 1)
        if have < self.n_rows:
            rows = self.default_rows()
            first = (have // rows) * rows
            raise ValueError(
                f"{path} is truncated: its header declares {self.n_rows} rows but the file "
                f"holds {have}; the chunk of rows [{first}, {min(first + rows, self.n_rows)}) "
                "and those after it cannot be read. Write the file again."
            )

    def _stamp(self):
        st = os.stat(self.path)
        return (st.st_size, st.st_mtime_ns)

    def _read(self, start, stop, buffer=None):
        shape = (stop - start, self.n_features)
        if buffer is not None and buffer.dtype == self.file_dtype and buffer.shape[0] >= shape[0]:
            # a recycled buffer: a fresh 64 MB one costs its page faults on every chunk
            buf = buffer[: shape[0]]
        else:
            buf = np.empty(shape, dtype=self.file_dtype)
        want = buf.nbytes
        fd = os.open(self.path, os.O_RDONLY)
        try:
            got = os.preadv(fd, [memoryview(buf).cast("B")], self.offset + start * self.row_bytes)
        finally:
            os.close(fd)
        if got != want:
            raise ValueError(f"{self.name}: rows [{start}, {stop}) could not be read (the file "
                             f"ends {want - got} bytes early); it was truncated while in use.")
        return buf


def _npy_header(path):
    with open(path, "rb") as fh:
        major, _ = np.lib.format.read_magic(fh)
        read_header = (np.lib.format.read_array_header_1_0 if major == 1
                       else np.lib.format.read_array_header_2_0)
        shape, fortran, dtype = read_header(fh)
        offset = fh.tell()
    if fortran or len(shape) != 2:
        raise ValueError(f"{path} must hold a 2-D C-ordered array; it holds shape {shape}"
                         f"{' in Fortran order' if fortran else ''}.")
    if dtype.hasobject:
        raise TypeError(f"{path} holds Python objects; only numeric arrays can be read.")
    return shape, dtype, offset


def _memmap_source(X, chunk_bytes):
    """A read-only, C-ordered memmap over a whole file region: read it as a file."""
    base = X
    while isinstance(base.base, np.memmap):
        base = base.base
    if (X.mode == "r" and X.ndim == 2 and X.flags.c_contiguous and X.filename
            and base is X and np.dtype(X.dtype).kind in "biuf"):
        return NpySource(X.filename, chunk_bytes, offset=X.offset, shape=X.shape,
                         dtype=X.dtype)
    return ArraySource(X, chunk_bytes)


class ParquetSource(Source):
    """A Parquet file, or a folder of ``*.parquet`` files, read a row group at a time.

    Parameters
    ----------
    path : str or Path
        A file, or a folder whose ``*.parquet`` files (sorted by name) are
        read one after the other.
    columns : list of str, default=None
        The feature columns, by name; ``None`` takes every column.
    chunk_bytes : int, default=None
        Largest chunk; bigger row groups are read in pieces.

    Examples
    --------
    >>> import numpy as np, pandas as pd, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "x.parquet")
    >>> pd.DataFrame({"a": np.arange(5.0), "b": np.ones(5), "c": np.zeros(5)}).to_parquet(path)
    >>> src = ParquetSource(path, columns=["a", "c"])
    >>> src.shape, src.read(1, 3).tolist()
    ((5, 2), [[1.0, 0.0], [2.0, 0.0]])
    """

    def __init__(self, path, columns=None, chunk_bytes=None):
        import pyarrow.parquet as pq

        super().__init__(chunk_bytes)
        path = Path(path)
        files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
        if not files:
            raise ValueError(f"{path} holds no *.parquet files.")
        self.name, self.files = str(path), [pq.ParquetFile(f) for f in files]
        self.paths = files
        schema = self.files[0].schema_arrow
        names = list(schema.names) if columns is None else list(columns)
        missing = [c for c in names if c not in schema.names]
        if missing:
            raise ValueError(f"{path} has no column(s) {missing}; it has {schema.names}.")
        types = [schema.field(c).type for c in names]
        dtypes = {np.dtype(t.to_pandas_dtype()) if _numeric(t) else None for t in types}
        if None in dtypes:
            bad = [c for c, t in zip(names, types, strict=True) if not _numeric(t)]
            raise TypeError(f"{path}: column(s) {bad} are not numeric.")
        self.columns = names
        self.n_features = len(names)
        self.dtype = np.dtype(np.float32) if dtypes == {np.dtype(np.float32)} else \
            np.dtype(np.float64)
        self._groups = []  # (file, group, first row, rows)
        start = 0
        for f in self.files:
            for g in range(f.metadata.num_row_groups):
                rows = f.metadata.row_group(g).num_rows
                self._groups.append((f, g, start, rows))
                start += rows
        self.n_rows = start

    def bounds(self, rows=None):
        rows = int(rows or self.default_rows())
        out = []
        for _, _, first, n in self._groups:
            out += [(s, min(s + rows, first + n)) for s in range(first, first + n, rows)]
        return out

    def _stamp(self):
        return tuple((os.stat(p).st_size, os.stat(p).st_mtime_ns) for p in self.paths)

    def _read(self, start, stop, buffer=None):
        parts = []
        for f, g, first, n in self._groups:
            if first + n <= start or first >= stop:
                continue
            try:
                table = f.read_row_group(g, columns=self.columns)
            except Exception as exc:  # pyarrow raises OSError / ArrowInvalid subclasses
                raise ValueError(
                    f"{self.name}: row group {g} (rows [{first}, {first + n})) cannot be read "
                    f"({type(exc).__name__}: {exc}). The file is damaged; write it again."
                ) from exc
            lo, hi = max(start, first) - first, min(stop, first + n) - first
            cols = [table.column(c).to_numpy()[lo:hi] for c in self.columns]
            parts.append(np.column_stack(cols) if cols else np.empty((hi - lo, 0)))
        return np.concatenate(parts) if len(parts) > 1 else parts[0]


def _numeric(arrow_type):
    import pyarrow.types as pt

    return pt.is_integer(arrow_type) or pt.is_floating(arrow_type) or pt.is_boolean(arrow_type)


class DaskSource(Source):
    """A ``dask.array.Array``: its row blocks are the chunks, and they stay on the workers.

    Columns are gathered into one block per row block (a rechunk when they are
    split). Reading a chunk here computes it (small reads only: initial rows);
    passes go through ``clusterlab.distributed``.

    Examples
    --------
    >>> import dask.array as da
    >>> src = DaskSource(da.ones((10, 3), chunks=(4, 3)))
    >>> src.bounds()
    [(0, 4), (4, 8), (8, 10)]
    """

    local = False

    def __init__(self, X, name="X"):
        super().__init__(None)
        if X.ndim != 2:
            raise ValueError(f"{name} must be a 2-D array of shape (n_samples, n_features); "
                             f"got shape {X.shape}.")
        if any(math.isnan(c) for c in X.shape) or any(
                math.isnan(c) for c in X.chunks[0]):
            raise ValueError(f"{name} has unknown chunk sizes; call X.compute_chunk_sizes() "
                             "first.")
        if len(X.chunks[1]) > 1:
            X = X.rechunk({1: -1})
        self.X, self.name = X, name
        self.n_rows, self.n_features = (int(s) for s in X.shape)
        self.dtype = _float_dtype(X.dtype, name)

    def bounds(self, rows=None):
        stops = np.cumsum((0, *self.X.chunks[0]))
        return [(int(a), int(b)) for a, b in zip(stops[:-1], stops[1:], strict=True)]

    def _read(self, start, stop, buffer=None):
        return np.asarray(self.X[start:stop].compute())

    def take(self, rows):
        idx = np.asarray(rows, dtype=np.int64)
        order = np.argsort(idx, kind="stable")
        got = np.asarray(self.X[idx[order]].compute())
        out = np.empty_like(got)
        out[order] = got
        return check_chunk(out, 0, idx.size, n_features=self.n_features, dtype=self.dtype,
                           name=self.name)


def _is_dask(X):
    return type(X).__module__.startswith("dask.array") and hasattr(X, "to_delayed")


def is_streamed(X):
    """Whether ``X`` is fitted by streaming passes rather than as one in-memory array:
    a :class:`Source` (other than an in-memory one), a ``numpy.memmap``, a path to a
    ``.npy`` / Parquet file or folder, or a Dask array.

    Examples
    --------
    >>> import numpy as np
    >>> is_streamed(np.zeros((2, 2))), is_streamed("data.npy")
    (False, True)
    """
    if isinstance(X, Source):
        return type(X) is not ArraySource
    if isinstance(X, str | os.PathLike):
        return True
    return isinstance(X, np.memmap) or _is_dask(X)


def in_memory_if_small(X):
    """``X`` itself, or, for a file or memmap that fits in one chunk of the memory
    budget, its rows as a validated in-memory array (fits then take the in-memory
    path: the same answer as for an ndarray, k-means++ and swap refinement included).

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "x.npy")
    >>> np.save(path, np.ones((4, 2)))
    >>> type(in_memory_if_small(path)).__name__
    'ndarray'
    """
    local_file = isinstance(X, str | os.PathLike | np.memmap) or (
        isinstance(X, Source) and X.local and type(X) is not ArraySource)
    if not local_file:
        return X
    source = as_source(X)
    if source.n_rows * source.n_features * source.dtype.itemsize > budget_bytes(source):
        return X
    return source.read(0, source.n_rows)


def budget_bytes(source):
    """The chunk budget of ``source`` in bytes."""
    return source.chunk_bytes or get_config()["source_chunk_bytes"]


def as_source(X, *, columns=None, chunk_bytes=None):
    """The :class:`Source` for ``X``.

    Parameters
    ----------
    X : ndarray, numpy.memmap, dask.array.Array, str, Path or Source
        Data; a path names a ``.npy`` file, a ``.parquet`` file or a folder
        of Parquet files.
    columns : list of str, default=None
        Parquet columns to read (all by default).
    chunk_bytes : int, default=None
        Bytes per chunk for file sources (default ``clusterlab.config``'s).

    Returns
    -------
    Source

    Examples
    --------
    >>> import numpy as np
    >>> as_source(np.ones((4, 2))).n_rows
    4
    """
    if isinstance(X, Source):
        return X
    if isinstance(X, str | os.PathLike):
        path = Path(X)
        if not path.exists():
            raise ValueError(f"X names {path}, which does not exist.")
        if path.suffix == ".npy":
            return NpySource(path, chunk_bytes)
        if path.is_dir() or path.suffix in (".parquet", ".pq"):
            return ParquetSource(path, columns, chunk_bytes)
        raise ValueError(f"X names {path}: expected a .npy file, a .parquet file or a folder "
                         "of Parquet files.")
    if _is_dask(X):
        return DaskSource(X)
    if isinstance(X, np.memmap):
        return _memmap_source(X, chunk_bytes)
    if isinstance(X, np.ndarray):
        return ArraySource(X, chunk_bytes)
    raise TypeError(f"X must be an array, a memmap, a Dask array or a path; got "
                    f"{type(X).__name__}.")
