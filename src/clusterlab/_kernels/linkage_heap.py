"""The indexed binary min-heap of the generic linkage algorithm.

``heap[p]`` is the node at position ``p``; ``hpos[node]`` its position (-1:
absent); keys are read from ``keys[node]``; equal keys order by node index, so
the queue breaks ties deterministically (the smaller index first).
"""


import numpy as np
from numba import njit

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)


@njit(cache=True, nogil=True)
def _less(keys, u, v):
    return keys[u] < keys[v] or (keys[u] == keys[v] and u < v)


@njit(cache=True, nogil=True)
def _sift_up(heap, hpos, keys, p):
    node = heap[p]
    while p > 0:
        parent = (p - 1) >> 1
        q = heap[parent]
        if not _less(keys, node, q):
            break
        heap[p] = q
        hpos[q] = p
        p = parent
    heap[p] = node
    hpos[node] = p


@njit(cache=True, nogil=True)
def _sift_down(heap, hpos, keys, p, hsize):
    node = heap[p]
    while True:
        c = 2 * p + 1
        if c >= hsize:
            break
        if c + 1 < hsize and _less(keys, heap[c + 1], heap[c]):
            c += 1
        if not _less(keys, heap[c], node):
            break
        heap[p] = heap[c]
        hpos[heap[p]] = p
        p = c
    heap[p] = node
    hpos[node] = p


@njit(cache=True, nogil=True)
def heap_update(heap, hpos, keys, node, hsize):
    # call after keys[node] changed in either direction
    _sift_up(heap, hpos, keys, hpos[node])
    _sift_down(heap, hpos, keys, hpos[node], hsize)


@njit(cache=True, nogil=True)
def heap_pop(heap, hpos, keys, hsize):
    top = heap[0]
    hsize -= 1
    if hsize > 0:
        heap[0] = heap[hsize]
        hpos[heap[0]] = 0
        _sift_down(heap, hpos, keys, 0, hsize)
    hpos[top] = -1
    return hsize


@njit(cache=True, nogil=True)
def heap_build(heap, hpos, keys, hsize):
    for p in range(hsize):
        hpos[heap[p]] = p
    for p in range(hsize // 2 - 1, -1, -1):
        _sift_down(heap, hpos, keys, p, hsize)


@njit(cache=True, nogil=True)
def heap_of(keys, size):
    """A heap of nodes ``0..size-1`` ordered by ``keys``; returns ``(heap, hpos)``
    (``hpos`` covers every entry of ``keys``, -1 for nodes not in the heap)."""
    heap = np.arange(size)
    hpos = np.full(keys.shape[0], -1, dtype=np.int64)
    heap_build(heap, hpos, keys, size)
    return heap, hpos
