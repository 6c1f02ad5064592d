"""Passes over a Dask array: each block mapped where it lives, a tree reduction.

The map function (which carries the model's parameters) enters the graph once,
as one leaf every block task depends on; each block task validates its block
and returns small statistics; ``combine`` adds them pairwise, ``split_every``
at a time, so the client receives one result of O(k x d) numbers. The active
``dask.distributed`` client runs the graph when there is one, otherwise the
local scheduler. A lost worker's blocks are recomputed by Dask from their
recipe; the result does not change.
"""

import contextlib

import dask
import numpy as np
from dask import delayed

from clusterlab.sources import check_chunk, check_weight_chunk

# results added at once in the reduction tree
SPLIT_EVERY = 8


@contextlib.contextmanager
def _one_numba_thread():
    """Dask parallelises across blocks (one per worker thread); a kernel's own thread
    pool on top of it oversubscribes the cores, and waking it cost ~0.1 s per call
    on a loaded worker (measured: 0.1 s -> 50 us for a 700-row Lloyd chunk)."""
    import numba  # here: only kernel modules import numba at module level

    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def _block_task(fn, X, w, start, stop, meta):
    with _one_numba_thread():
        return _map_block(fn, X, w, start, stop, meta)


def _map_block(fn, X, w, start, stop, meta):
    n_features, dtype, name = meta
    X = check_chunk(X, start, stop, n_features=n_features, dtype=dtype, name=name)
    if w is None:
        w = np.ones(stop - start, dtype=dtype)
    else:
        w = check_weight_chunk(w, start, stop, dtype)
    return fn(X, w, start, stop)


def _combine_many(combine, *parts):
    total = parts[0]
    for part in parts[1:]:
        total = combine(total, part)
    return total


def dask_map_reduce(source, fn, combine, weights):
    """``combine`` over ``fn(X_block, w_block, start, stop)`` for every block of ``source``."""
    blocks = source.X.to_delayed().ravel()
    wblocks = [None] * len(blocks) if weights.w is None else list(weights.w.to_delayed())
    fn_leaf = delayed(fn, traverse=False)
    meta = (source.n_features, source.dtype, source.name)
    task = delayed(_block_task, pure=True)
    parts = [task(fn_leaf, b, wb, start, stop, meta)
             for b, wb, (start, stop) in zip(blocks, wblocks, source.bounds(), strict=True)]
    reduce = delayed(_combine_many, pure=True)
    while len(parts) > 1:
        parts = [reduce(combine, *parts[i:i + SPLIT_EVERY])
                 for i in range(0, len(parts), SPLIT_EVERY)]
    (total,) = dask.compute(parts[0])
    return total


def _rows_task(block, fn, meta, block_info=None):
    n_features, dtype, name = meta
    start, stop = block_info[0]["array-location"][0]
    X = check_chunk(block, start, stop, n_features=n_features, dtype=dtype, name=name)
    with _one_numba_thread():
        return fn(X)


def dask_map_rows(source, fn, width, dtype):
    """A lazy Dask array of ``fn(block)`` per row block (shape ``(n,)`` or ``(n, width)``)."""
    meta = (source.n_features, source.dtype, source.name)
    if width is None:
        return source.X.map_blocks(_rows_task, fn, meta, dtype=dtype, drop_axis=1)
    return source.X.map_blocks(_rows_task, fn, meta, dtype=dtype,
                               chunks=(source.X.chunks[0], (width,)))
