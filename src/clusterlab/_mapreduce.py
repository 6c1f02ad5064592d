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
            return np.ones(stop - start, dtype=self.dtype)
        return check_weight_chunk(self.w[start:stop], start, stop, self.dtype)


def _dask_weights(w, source):
    import dask.array as da

    if not isinstance(w, da.Array):
        w = da.from_array(np.asarray(w), chunks=(source.X.chunks[0],))
    if w.ndim != 1 or w.shape[0] != source.n_rows:
        raise ValueError(f"sample_weight must have shape ({source.n_rows},) to match X; got "
                         f"shape {w.shape}.")
    return w.rechunk((source.X.chunks[0],))


def map_reduce(source, fn, combine=add, *, weights=None, rows=None):
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
        for start, stop, X, w in _prefetched(source, weights, rows):
            part = fn(X, w, start, stop)
            total = part if total is None else combine(total, part)
    return total


def _prefetched(source, weights, rows):
    """``(start, stop, X, w)`` in order, the next chunk read while this one is used."""
    def read(bounds):
        start, stop = bounds
        return start, stop, source.read(start, stop), weights.chunk(start, stop)

    bounds = source.bounds(rows)
    if len(bounds) == 1:
        yield read(bounds[0])
        return
    with ThreadPoolExecutor(1, thread_name_prefix="clusterlab-read") as pool:
        ahead = pool.submit(read, bounds[0])
        for nxt in [*bounds[1:], None]:
            current = ahead.result()
            if nxt is not None:
                ahead = pool.submit(read, nxt)
            yield current


def map_rows(source, fn, *, width=None, dtype=np.float64, out=None, rows=None):
    """Per-row outputs ``fn(X_chunk) -> (m,) or (m, width)`` over every chunk.

    On a Dask source the result is a lazy Dask array (``out`` must be None);
    otherwise it is written chunk by chunk into ``out`` (allocated when None;
    a ``numpy.memmap`` keeps a large result on disk).

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

        return dask_map_rows(source, fn, width, dtype)
    if out is None:
        out = np.empty(shape, dtype=dtype)
    elif not isinstance(out, np.ndarray) or out.shape != shape:
        raise ValueError(f"out must be an array of shape {shape}; got "
                         f"{getattr(out, 'shape', type(out).__name__)}.")
    for start, stop, X, _ in _prefetched(source, Weights(None, source), rows):
        out[start:stop] = fn(X)
    return out


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
