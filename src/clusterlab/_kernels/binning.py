"""Linear binning of weighted points onto regular grids (1 to 3 dimensions).

A point between grid nodes shares its weight between them in proportion to
its closeness (the "cloud in cell" rule), so binned sums are exact for linear
functions. Callers guarantee every point lies inside the grid.
"""

import numpy as np
from numba import njit

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)


@njit(cache=True, nogil=True, inline="always")
def _cell(x, lo, inv_dx, n):
    # index of the left node and the fraction towards the right node
    t = (x - lo) * inv_dx
    i = int(t)
    if i >= n - 1:
        i = n - 2
    if i < 0:
        i = 0
    return i, t - i


@njit(cache=True, nogil=True)
def linear_binning_1d(x, w, lo, dx, out):
    """Add the weights ``w`` of points ``x`` onto the grid ``lo + dx * arange(len(out))``.

    Parameters
    ----------
    x : (n,) float64, IN.
    w : (n,) float64, IN.
    lo, dx : float, IN.
    out : (g,) float64, IN/OUT, accumulated into.
    """
    inv = 1.0 / dx
    g = out.shape[0]
    for k in range(x.shape[0]):
        i, f = _cell(x[k], lo, inv, g)
        out[i] += w[k] * (1.0 - f)
        out[i + 1] += w[k] * f


@njit(cache=True, nogil=True)
def linear_binning_2d(X, w, lo, dx, out):
    """2-D linear binning of the rows of ``X`` (n, 2) onto ``out`` (g0, g1)."""
    i0v = 1.0 / dx[0]
    i1v = 1.0 / dx[1]
    g0, g1 = out.shape
    for k in range(X.shape[0]):
        i, fi = _cell(X[k, 0], lo[0], i0v, g0)
        j, fj = _cell(X[k, 1], lo[1], i1v, g1)
        wi0 = w[k] * (1.0 - fi)
        wi1 = w[k] * fi
        out[i, j] += wi0 * (1.0 - fj)
        out[i, j + 1] += wi0 * fj
        out[i + 1, j] += wi1 * (1.0 - fj)
        out[i + 1, j + 1] += wi1 * fj


@njit(cache=True, nogil=True)
def linear_binning_3d(X, w, lo, dx, out):
    """3-D linear binning of the rows of ``X`` (n, 3) onto ``out`` (g0, g1, g2)."""
    g0, g1, g2 = out.shape
    for k in range(X.shape[0]):
        i, fi = _cell(X[k, 0], lo[0], 1.0 / dx[0], g0)
        j, fj = _cell(X[k, 1], lo[1], 1.0 / dx[1], g1)
        m, fm = _cell(X[k, 2], lo[2], 1.0 / dx[2], g2)
        for a in range(2):
            wa = w[k] * (fi if a else 1.0 - fi)
            for b in range(2):
                wab = wa * (fj if b else 1.0 - fj)
                out[i + a, j + b, m] += wab * (1.0 - fm)
                out[i + a, j + b, m + 1] += wab * fm


def linear_binning(X, w, lo, dx, shape):
    """Bin the rows of ``X`` (n, d), d in 1..3, onto a new grid of ``shape``.

    Examples
    --------
    >>> import numpy as np
    >>> linear_binning(np.array([[0.25]]), np.ones(1), np.zeros(1), np.ones(1), (2,))
    array([0.75, 0.25])
    """
    out = np.zeros(shape)
    d = X.shape[1]
    if d == 1:
        linear_binning_1d(np.ascontiguousarray(X[:, 0]), w, float(lo[0]), float(dx[0]), out)
    elif d == 2:
        linear_binning_2d(X, w, lo, dx, out)
    else:
        linear_binning_3d(X, w, lo, dx, out)
    return out
