"""Density on a regular grid (1 to 3 dimensions) by binning and FFT convolution.

The weights are linearly binned onto a grid that extends the requested axes
(same spacing) far enough to hold every data point; the binned weights are
convolved with the kernel sampled at the grid offsets (any bandwidth matrix:
the offsets are whitened, so a correlated kernel is sampled exactly); the
requested part of the grid is returned. Cost O(n + G log G) for G nodes.
"""

import math
import numbers

import numpy as np
from scipy.signal import fftconvolve

from clusterlab._kernels.binning import linear_binning

# Largest grid (nodes, extension included) the FFT path will allocate.
MAX_GRID_NODES = 64 * 2**20


def default_axes(X, reach, n_points, low, high, extent=None):
    """Axes spanning the data plus the kernel's ``reach`` per feature (clipped to the bounds).

    Examples
    --------
    >>> import numpy as np
    >>> ax = default_axes(np.array([[0.0], [1.0]]), np.array([0.4]), [5],
    ...                   np.array([-np.inf]), np.array([np.inf]))
    >>> [round(float(v), 2) for v in ax[0]]
    [-0.4, 0.05, 0.5, 0.95, 1.4]
    """
    xmin, xmax = data_extent(X) if extent is None else extent
    axes = []
    for j in range(X.shape[1]):
        lo = max(float(xmin[j] - reach[j]), float(low[j]))
        hi = min(float(xmax[j] + reach[j]), float(high[j]))
        axes.append(np.linspace(lo, hi, int(n_points[j])))
    return axes


def parse_grid_points(grid_points, d):
    """``(axes, None)`` for explicit axes, ``(None, counts)`` for node counts per feature.

    Examples
    --------
    >>> parse_grid_points(64, 2)
    (None, [64, 64])
    """
    def is_int(v):
        return isinstance(v, numbers.Integral) and not isinstance(v, bool)

    if is_int(grid_points):
        counts = [int(grid_points)] * d
    else:
        items = list(grid_points)
        if not (items and all(is_int(v) for v in items) and len(items) == d):
            if d == 1 and all(isinstance(v, numbers.Real) for v in items):
                items = [items]
            axes = [np.asarray(a, dtype=np.float64) for a in items]
            if len(axes) != d or any(a.ndim != 1 or a.size < 1 or not np.all(np.isfinite(a))
                                     for a in axes):
                raise ValueError(f"grid_points must be an int, {d} ints, or {d} finite 1-D "
                                 "axes.")
            return axes, None
        counts = [int(v) for v in items]
    if any(c < 2 for c in counts):
        raise ValueError(f"grid_points must be >= 2 per feature; got {counts}.")
    return None, counts


def data_extent(X):
    """Per-feature minimum and maximum of ``X``."""
    return X.min(axis=0), X.max(axis=0)


def is_regular(axis):
    """Whether ``axis`` is strictly increasing with constant spacing (>= 2 points)."""
    if axis.ndim != 1 or axis.size < 2:
        return False
    step = np.diff(axis)
    return bool(step[0] > 0 and np.allclose(step, step[0], rtol=1e-9, atol=0.0))


def _extension(axis, xmin, xmax):
    dx = axis[1] - axis[0]
    left = max(0, math.ceil((axis[0] - xmin) / dx - 1e-9))
    right = max(0, math.ceil((xmax - axis[-1]) / dx - 1e-9))
    return left, right, dx


def whitened_offsets(L, tail, dx, sizes):
    """Grid offsets ``j * dx`` covering ``tail`` whitened units, whitened by ``L``.

    Returns ``U`` of shape (d, m), the offsets ``L^-1 o`` (columns), and the
    offsets' grid shape.

    Examples
    --------
    >>> U, shape = whitened_offsets(np.eye(1) * 2.0, 1.0, np.array([1.0]), [10])
    >>> U.ravel().tolist(), shape
    ([-1.0, -0.5, 0.0, 0.5, 1.0], (5,))
    """
    reach = tail * np.abs(L).sum(axis=1)
    half = [min(math.ceil(reach[j] / dx[j]), sizes[j] - 1) for j in range(len(dx))]
    offsets = np.meshgrid(*[np.arange(-h, h + 1) * dx[j] for j, h in enumerate(half)],
                          indexing="ij")
    pts = np.stack([o.ravel() for o in offsets])
    # broadcast product with the tiny inverse: no LAPACK/BLAS call, whose
    # threads stall on a busy machine
    U = (np.linalg.inv(L)[:, :, None] * pts[None, :, :]).sum(axis=1)
    return U, offsets[0].shape


def _kernel_grid(H, kernel, dx, sizes):
    # the product kernel sampled at offsets j * dx, far enough to cover its reach
    L = np.linalg.cholesky(H)
    U, shape = whitened_offsets(L, kernel.tail_radius, dx, sizes)
    vals = np.prod(kernel.pdf(U), axis=0) / np.prod(np.diag(L))
    return vals.reshape(shape)


def fft_density(X, w, form, axes, extent=None):
    """Density (not log) of the weighted KDE at the nodes of ``meshgrid(*axes)``.

    Parameters
    ----------
    X : ndarray (n, d), d in 1..3
    w : ndarray (n,)
    form : a kernel form of ``clusterlab.density._forms`` (its ``kernel_grid``)
    axes : list of d regular 1-D arrays
    extent : (ndarray, ndarray), optional
        The data's per-feature minimum and maximum, if already known.

    Returns
    -------
    ndarray of shape ``tuple(len(a) for a in axes)``
    """
    d = X.shape[1]
    xmin, xmax = data_extent(X) if extent is None else extent
    ext = [_extension(axes[j], xmin[j], xmax[j]) for j in range(d)]
    sizes = [ext[j][0] + axes[j].size + ext[j][1] for j in range(d)]
    if math.prod(sizes) > MAX_GRID_NODES:
        raise ValueError(
            f"The FFT grid would need {math.prod(sizes)} nodes (the requested axes "
            "extended with the same spacing to cover the data); use method='exact' "
            "or a coarser grid."
        )
    dx = np.array([e[2] for e in ext])
    lo = np.array([axes[j][0] - ext[j][0] * dx[j] for j in range(d)])
    binned = linear_binning(np.ascontiguousarray(X, dtype=np.float64), w, lo, dx, tuple(sizes))
    kgrid = form.kernel_grid(dx, sizes)
    dens = fftconvolve(binned, kgrid, mode="same") / w.sum()
    sl = tuple(slice(ext[j][0], ext[j][0] + axes[j].size) for j in range(d))
    # FFT round-off leaves values of order 1e-17 * peak of either sign where the
    # true density is 0; a density cannot be negative.
    return np.maximum(dens[sl], 0.0)
