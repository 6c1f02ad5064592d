"""One map / reduce over a chunk source: the shape of every iterative pass.

``map_reduce(source, fn)`` calls ``fn(X_chunk, w_chunk, start, stop)`` on every
chunk and adds the results (``combine``, by default element-wise addition of
arrays, numbers, tuples and dicts). File sources stream in row order with the
next chunk read on a second thread while the current one is mapped; Dask
sources run ``fn`` on the worker that holds each block and reduce as a tree
(``clusterlab.distributed``). ``map_rows`` does the same for per-row outputs
(labels, densities), into a given output array or, on Dask, lazily.

Model parameters go out inside ``fn`` (a closure); only statistics come back.
"""

import numbers
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from clusterlab._threads import one_blas_thread
from clusterlab.sources import as_source, check_weight_chunk


def add(a, b):
    """Element-wise sum of two nested results (arrays, numbers, tuples, lists, dicts).

    Examples
    --------
    >>> add((1.0, {"n": 2}), (0.5, {"n": 3}))
    (1.5, {'n': 5})
    """
    if isinstance(a, dict):
        return {key: add(a[key], b[key]) for key in a}
    if isinstance(a, tuple | list):
        return type(a)(add(x, y) for x, y in zip(a, b, strict=True))
    if a is None:
        return None
    return a + b


class Weights:
    """``sample_weight`` for a source: ``None`` (unit weights), a scalar, a 1-D array or
    memmap, a ``.npy`` path, or (for a Dask source) a 1-D Dask array, chunked like X.

    Examples
    --------
    >>> from clusterlab.sources import as_source
    >>> src = as_source(np.zeros((3, 1)))
    >>> Weights(None, src).chunk(0, 2).tolist()
    [1.0, 1.0]
    """

    def __init__(self, sample_weight, source):
        self.source, self.dtype = source, source.dtype
        w = sample_weight
        if isinstance(w, str) or hasattr(w, "__fspath__"):
            w = np.load(w, mmap_mode="r", allow_pickle=False)
        if isinstance(w, numbers.Number):
            w = np.full(source.n_rows, w, dtype=self.dtype)
        if w is not None and not source.local:
            w = _dask_weights(w, source)
        elif w is not None:
            w = w if isinstance(w, np.ndarray) else np.asarray(w)
            if w.ndim != 1 or w.shape[0] != source.n_rows:
                raise ValueError(f"sample_weight must have shape ({source.n_rows},) to match "
                                 f"X; got shape {w.shape}.")
        self.w = w

    def chunk(self, start, stop):
        if self.w is None:
            # one array of ones sliced for every chunk (writable: numba compiles read-only
            # arrays as another type); the maps never write into their weights
            if getattr(self, "_ones", None) is None or self._ones.shape[0] < stop - start:
                self._ones = np.ones(stop - start, dtype=self.dtype)
            return self._ones[: stop - start]
        return check_weight_chunk(self.w[start:stop], start, stop, self.dtype)


def _dask_weights(w, source):
    import dask.array as da

    if not isinstance(w, da.Array):
        w = da.from_array(np.asarray(w), chunks=(source.X.chunks[0],))
    if w.ndim != 1 or w.shape[0] != source.n_rows:
        raise ValueError(f"sample_weight must have shape ({source.n_rows},) to match X; got "
                         f"shape {w.shape}.")
    return w.rechunk((source.X.chunks[0],))


def map_reduce(source, fn, combine=add, *, weights=None, rows=None, recycle=False):
    """Add ``fn(X_chunk, w_chunk, start, stop)`` over every chunk of ``source``.

    Parameters
    ----------
    source : Source or array-like
    fn : callable
        Maps one validated chunk and its weights to additive statistics.
    combine : callable, default=add
        Reduces two results.
    weights : Weights, default=None
        Sample weights (unit weights when None).
    rows : int, default=None
        Rows per chunk of a file source (default: the memory budget).
    recycle : bool, default=False
        Read a file source's chunks into two buffers used in turn instead of a
        fresh one each: ``fn`` must then keep no view of its chunk (its result
        holds none). Allocating a fresh 64 MB buffer per chunk cost about as much
        as the reading itself (page faults).

    Returns
    -------
    The reduced statistics.

    Examples
    --------
    >>> X = np.arange(10.0).reshape(5, 2)
    >>> map_reduce(X, lambda x, w, a, b: (w @ x, float(w.sum())), rows=2)
    (array([20., 25.]), 5.0)
    """
    source = as_source(source)
    weights = weights or Weights(None, source)
    if not source.local:
        from clusterlab.distributed import dask_map_reduce

        return dask_map_reduce(source, fn, combine, weights)
    total = None
    # one BLAS thread: the kernels run their own threads, and BLAS calls inside them
    # (np.dot per block) on threads of their own oversubscribed the cores (4.7x slower
    # Lloyd passes over a file, measured)
    with one_blas_thread():
        for start, stop, X, w in _prefetched(source, weights, rows, recycle):
            part = fn(X, w, start, stop)
            total = part if total is None else combine(total, part)
    return total


def _prefetched(source, weights, rows, recycle=False):
    """``(start, stop, X, w)`` in order, the next chunk read while this one is used.

    With ``recycle``, chunk ``i`` is read into buffer ``i % 2``: when chunk
    ``i + 1`` is submitted, the consumer has finished with chunk ``i - 1``.
    """
    bounds = source.bounds(rows)
    buffers = [None, None]
    if recycle and len(bounds) > 1 and hasattr(source, "file_dtype"):
        most = max(stop - start for start, stop in bounds)
        buffers = [np.empty((most, source.n_features), dtype=source.file_dtype)
                   for _ in range(2)]

    def read(i):
        start, stop = bounds[i]
        return (start, stop, source.read(start, stop, buffers[i % 2]),
                weights.chunk(start, stop))

    if len(bounds) == 1:
        yield read(0)
        return
    with ThreadPoolExecutor(1, thread_name_prefix="clusterlab-read") as pool:
        ahead = pool.submit(read, 0)
        for nxt in [*range(1, len(bounds)), None]:
            current = ahead.result()
            if nxt is not None:
                ahead = pool.submit(read, nxt)
            yield current


def map_rows(source, fn, *, width=None, dtype=np.float64, out=None, rows=None, check=None):
    """Per-row outputs ``fn(X_chunk) -> (m,) or (m, width)`` over every chunk.

    On a Dask source the result is a lazy Dask array (``out`` must be None);
    otherwise it is written chunk by chunk into ``out`` (allocated when None;
    a ``numpy.memmap`` keeps a large result on disk). ``check(X_chunk)``, where
    given, raises for a chunk the map cannot take (a family's support).

    A given ``out`` is never left half-written by bad input: every chunk is
    read, validated and checked first, in a pass that computes nothing, and only
    then is anything written. Of the ways to keep ``out`` whole this one needs
    no storage (a temporary copy of the result would need as much disk as
    ``out`` itself: 6.4 GB for 50M x 16 float64 probabilities) and costs one
    read of the input, which the write pass then reads without scanning it
    again (file sources remember the chunks they checked). What it cannot
    catch is the input file changing between the two passes.

    Examples
    --------
    >>> map_rows(np.arange(6.0).reshape(3, 2), lambda x: x.sum(axis=1)).tolist()
    [1.0, 5.0, 9.0]
    """
    source = as_source(source)
    shape = (source.n_rows,) if width is None else (source.n_rows, width)
    if not source.local:
        if out is not None:
            raise ValueError("out= cannot be used with a Dask array: the result is a lazy "
                             "Dask array; call .store() or .to_zarr() on it instead.")
        from clusterlab.distributed import dask_map_rows

        return dask_map_rows(source, _checked(fn, check), width, dtype)
    if out is None:
        out = np.empty(shape, dtype=dtype)
        fn = _checked(fn, check)
    elif not isinstance(out, np.ndarray) or out.shape != shape:
        raise ValueError(f"out must be an array of shape {shape}; got "
                         f"{getattr(out, 'shape', type(out).__name__)}.")
    else:
        if not out.flags.writeable:
            raise ValueError("out must be writeable; got a read-only array.")
        _check_every_chunk(source, rows, check)
    for start, stop, X, _ in _prefetched(source, Weights(None, source), rows, recycle=True):
        out[start:stop] = fn(X)
    return out


def _checked(fn, check):
    if check is None:
        return fn

    def checked(X):
        check(X)
        return fn(X)

    return checked


def _check_every_chunk(source, rows, check):
    """Read and validate every chunk (and ``check`` it): the pass before a write."""
    for _, _, X, _ in _prefetched(source, Weights(None, source), rows, recycle=True):
        if check is not None:
            check(X)


def draw_rows(source, weights, m, seed, rows=None):
    """``m`` distinct rows drawn with probability proportional to weight, in one pass.

    Efraimidis and Spirakis' keys ``log(u) / w``: each chunk keeps its ``m``
    largest, the reduction the largest overall; each chunk's uniforms are
    seeded by ``seed`` and its first row. Zero-weight rows come last.

    Examples
    --------
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> rows = draw_rows(as_source(X), None, 3, seed=0, rows=4)
    >>> rows.shape, len({tuple(r) for r in rows.tolist()})
    ((3, 2), 3)
    """
    source = as_source(source)

    def top(X, w, start, stop):
        u = np.random.default_rng([seed, 0, start]).uniform(size=stop - start)
        with np.errstate(divide="ignore"):
            keys = np.where(w > 0, np.log(u) / np.where(w > 0, w, 1.0), -np.inf)
        keys = np.where(np.isinf(keys), -1e300 * (1 + u), keys)
        keep = np.argsort(-keys, kind="stable")[:m]
        return keys[keep], X[keep]

    def merge(a, b):
        keys, X = np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]])
        keep = np.argsort(-keys, kind="stable")[:m]
        return keys[keep], X[keep]

    return np.ascontiguousarray(map_reduce(source, top, merge, weights=weights, rows=rows)[1])
