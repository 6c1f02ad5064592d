"""Column moments of a chunk: the data summary of a streamed fit, without copies.

``numpy`` computes the same numbers through a float64 copy of the chunk and
two more temporaries (128 MB each for a 64 MB float32 chunk), which made the
summary pass cost several Lloyd passes. Rows are split into fixed blocks (by
``n`` only) whose partial sums are added in block order, so the result does
not depend on the number of threads.
"""

import numpy as np
from numba import njit, prange

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)


@njit(cache=True, nogil=True, parallel=True)
def _block_sums(X, mean, bs, out):
    """``out[b] = sum over block b of (X - mean)^p`` with p = 1 if mean is empty, else 2."""
    n, d = X.shape
    centred = mean.shape[0] > 0
    for b in prange(out.shape[0]):
        acc = out[b]
        acc[:] = 0.0
        for i in range(b * bs, min(n, (b + 1) * bs)):
            for f in range(d):
                t = np.float64(X[i, f])
                if centred:
                    t -= mean[f]
                    acc[f] += t * t
                else:
                    acc[f] += t


@njit(cache=True, nogil=True)
def column_moments(X):
    """Column means and centred sums of squares of ``X`` (n >= 1 rows), in float64.

    Returns
    -------
    mean, m2 : (d,) float64 arrays
    """
    n, d = X.shape
    n_blocks = max(1, min(64, n // 4096))
    bs = -(-n // n_blocks)
    n_blocks = -(-n // bs)
    part = np.empty((n_blocks, d))
    _block_sums(X, np.empty(0), bs, part)
    mean = np.zeros(d)
    for b in range(n_blocks):
        mean += part[b]
    mean /= n
    _block_sums(X, mean, bs, part)
    m2 = np.zeros(d)
    for b in range(n_blocks):
        m2 += part[b]
    return mean, m2
