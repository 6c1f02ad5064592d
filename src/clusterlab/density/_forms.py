"""What a fitted KernelDensity's kernel is: its shape, scale and distance.

A *form* turns the estimator's settings (kernel, ``kernel_form``,
``bandwidth_meaning``, metric) and its fitted bandwidth matrix into the pieces
every evaluator needs: an exact model for a chunk of data, the kernel sampled
on a grid (FFT), its reach (default grids) and draws from it (``sample``).

* :class:`ProductForm`: the product of 1-D kernels along the axes of the
  bandwidth matrix (the kernel's covariance ``H``).
* :class:`RadialForm`: scikit-learn's radial kernel ``c_d k(|N^-1/2 x|)`` of the
  Euclidean distance, ``N`` the squared scale.
* :class:`MetricForm`: the radial profile of another metric's distance,
  normalised as scikit-learn does (with the Euclidean constant).
"""

import math

import numpy as np

from clusterlab.density import _fft, _metric, radial
from clusterlab.density._exact import ExactModel, RadialModel
from clusterlab.density.kernels import get_kernel


class ProductForm:
    """Product kernel with covariance ``H``.

    Examples
    --------
    >>> f = ProductForm("epanechnikov", np.eye(1))
    >>> round(float(f.reach()[0]), 4)  # support: sqrt(5) standard deviations
    2.2361
    """

    def __init__(self, name, H):
        self.kernel = get_kernel(name)
        self.H = H

    def model(self, X, w):
        """Exact evaluator of the data ``X`` with weights ``w``."""
        return ExactModel(X, w, self.H, self.kernel)

    def kernel_grid(self, dx, sizes):
        """The kernel at the grid offsets (FFT convolution)."""
        return _fft._kernel_grid(self.H, self.kernel, dx, sizes)

    def reach(self):
        """Per-feature distance beyond the data that a default grid covers."""
        return min(self.kernel.radius, 4.0) * np.sqrt(np.diag(self.H))

    def sample(self, rng, n):
        """``n`` draws from the kernel centred at 0."""
        U = self.kernel.sample(rng, (n, self.H.shape[0]))
        return U @ np.linalg.cholesky(self.H).T


# unit-scale radius beyond which an unbounded profile is below 1e-16 of its peak
_TAIL = {"gaussian": math.sqrt(2.0 * 16.0 * math.log(10.0)), "exponential": 16.0 * math.log(10.0)}


class RadialForm:
    """Radial kernel of the Euclidean distance with squared scale ``N``.

    Examples
    --------
    >>> f = RadialForm("tophat", np.eye(2) * 4.0)
    >>> f.reach().tolist()  # the support's radius, 2
    [2.0, 2.0]
    """

    def __init__(self, name, N):
        self.name = name
        self.N = N
        self.L = np.linalg.cholesky(N)

    def model(self, X, w):
        """Exact evaluator of the data ``X`` with weights ``w``."""
        return RadialModel(X, w, self.N, self.name)

    def _unit_reach(self):
        if self.name in _TAIL:
            return 4.0 * math.sqrt(radial.axis_variance(self.name, self.N.shape[0]))
        return 1.0

    def reach(self):
        """Per-feature distance beyond the data that a default grid covers."""
        return self._unit_reach() * np.sqrt(np.diag(self.N))

    def kernel_grid(self, dx, sizes):
        """The kernel at the grid offsets (FFT convolution)."""
        U, shape = _fft.whitened_offsets(self.L, _TAIL.get(self.name, 1.0), dx, sizes)
        r = np.sqrt((U * U).sum(axis=0))
        log_c = radial.log_norm(self.name, len(dx)) - float(np.sum(np.log(np.diag(self.L))))
        return np.exp(radial.log_profile(self.name, r, 1.0) + log_c).reshape(shape)

    def sample(self, rng, n):
        """``n`` draws from the kernel centred at 0."""
        d = self.N.shape[0]
        g = rng.standard_normal((n, d))
        norm = np.sqrt((g * g).sum(axis=1))
        norm[norm == 0.0] = 1.0
        U = g * (radial.sample_radius(self.name, d, rng, n) / norm)[:, None]
        return U @ self.L.T


class MetricForm:
    """Radial profile of ``metric``'s distance with scale ``h``.

    Examples
    --------
    >>> f = MetricForm("gaussian", 0.5, "manhattan", {}, 2)
    >>> f.reach().tolist()
    [2.0, 2.0]
    """

    def __init__(self, name, h, metric, params, d):
        self.name, self.h, self.metric, self.params, self.d = name, h, metric, params, d

    def model(self, X, w):
        """Exact evaluator of the data ``X`` with weights ``w``."""
        return _metric.MetricModel(X, w, self.h, self.name, self.metric, self.params)

    def reach(self):
        """Per-feature distance beyond the data that a default grid covers."""
        unit = 1.0 if self.name in radial.PROFILE_ID else 4.0 * (1.0 + (self.name != "gaussian"))
        return np.full(self.d, unit * self.h)

    def kernel_grid(self, dx, sizes):
        raise ValueError(f"method='fft' needs the Euclidean metric; metric={self.metric!r} "
                         "is evaluated exactly (method='exact').")

    def sample(self, rng, n):
        """``n`` draws from the kernel (Minkowski-family metrics)."""
        p = _metric.minkowski_p(self.metric, self.params)
        if p is None:
            raise NotImplementedError(
                f"sample() draws from kernels of the Minkowski distances (euclidean, "
                f"manhattan, chebyshev, minkowski); metric={self.metric!r} has no sampler.")
        return self.h * _metric.lp_offsets(self.name, self.d, p, rng, n)
