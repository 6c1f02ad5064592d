"""Registry of self-describing 1-D smoothing kernels, all with unit variance.

A :class:`Kernel` knows its density on its natural support, its variance
there, how to evaluate the unit-variance version and how to sample from it.
These are the factors of :class:`~clusterlab.KernelDensity`'s
``kernel_form="product"``: in ``d`` dimensions the product of ``d`` such 1-D
kernels, transformed by the bandwidth matrix (for the gaussian this is the
radial kernel). scikit-learn's radial kernels are in
:mod:`clusterlab.density.radial`.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from clusterlab._kernels import kde as _k

__all__ = ["KERNELS", "Kernel", "get_kernel"]


@dataclass(frozen=True)
class Kernel:
    """A symmetric 1-D kernel, normalised to unit variance.

    Parameters
    ----------
    name : str
        Registry name.
    natural_variance : float
        Variance of the kernel on its natural scale (support ``(-1, 1)`` for
        compact kernels; ``exp(-u^2/2)`` and ``exp(-|u|)`` otherwise).
    compact : bool
        Whether the support is bounded.
    kid : int
        Id of the compiled density on ``(-1, 1)`` (compact kernels).
    exp_kind : int
        For infinite support: 0 gaussian, 1 exponential (``exp(-g(u))`` form).
    sampler : callable
        ``sampler(rng, size)`` draws from the natural-scale kernel.

    Examples
    --------
    >>> k = get_kernel("epanechnikov")
    >>> round(k.radius, 6)  # support of the unit-variance kernel
    2.236068
    """

    name: str
    natural_variance: float
    compact: bool
    sampler: object = field(repr=False)
    kid: int = -1
    exp_kind: int = -1

    @property
    def scale(self):
        """Natural units per unit-variance unit: ``1 / sqrt(natural_variance)``."""
        return 1.0 / math.sqrt(self.natural_variance)

    @property
    def radius(self):
        """Support radius of the unit-variance kernel (``inf`` if unbounded)."""
        return self.scale if self.compact else math.inf

    @property
    def tail_radius(self):
        """Radius beyond which the unit-variance kernel is below 1e-16 of its peak."""
        if self.compact:
            return self.radius
        if self.exp_kind == 0:
            return math.sqrt(2.0 * 16.0 * math.log(10.0))
        return 16.0 * math.log(10.0) / math.sqrt(2.0)

    def pdf(self, u):
        """Density of the unit-variance kernel at ``u`` (any shape).

        Examples
        --------
        >>> bool(get_kernel("gaussian").pdf(0.0) == 1 / np.sqrt(2 * np.pi))
        True
        """
        u = np.asarray(u, dtype=np.float64)
        if self.exp_kind == 0:
            return np.exp(-0.5 * u * u) / math.sqrt(2.0 * math.pi)
        if self.exp_kind == 1:
            return np.exp(-math.sqrt(2.0) * np.abs(u)) / math.sqrt(2.0)
        x = np.ascontiguousarray(u.ravel() / self.radius)
        out = np.empty_like(x)
        _k.eval_natural(self.kid, x, out)
        return out.reshape(u.shape) / self.radius

    def sample(self, rng, size):
        """Draw ``size`` values from the unit-variance kernel.

        Examples
        --------
        >>> s = get_kernel("tophat").sample(np.random.default_rng(0), 100_000)
        >>> bool(abs(s.var() - 1.0) < 0.02)
        True
        """
        shape = (size,) if np.ndim(size) == 0 else tuple(size)
        flat = self.sampler(rng, math.prod(shape))
        return (flat * self.scale if self.compact else flat).reshape(shape)


def _beta_sampler(a):
    # (1 - x^2)^(a-1) on (-1, 1) is 2 Beta(a, a) - 1
    return lambda rng, size: 2.0 * rng.beta(a, a, size) - 1.0


def _triangular(rng, size):
    return rng.random(size) + rng.random(size) - 1.0


def _cosine(rng, size):
    # inverse CDF of (pi/4) cos(pi x / 2): F(x) = (1 + sin(pi x / 2)) / 2
    return (2.0 / math.pi) * np.arcsin(2.0 * rng.random(size) - 1.0)


def _tricube(rng, size):
    # rejection from the uniform: acceptance (1 - |x|^3)^3, rate 70/81/2 ~ 0.43
    out = np.empty(size)
    filled = 0
    while filled < size:
        m = max(16, int(2.5 * (size - filled)))
        x = 2.0 * rng.random(m) - 1.0
        keep = x[rng.random(m) < (1.0 - np.abs(x) ** 3) ** 3]
        take = min(keep.size, size - filled)
        out[filled:filled + take] = keep[:take]
        filled += take
    return out


KERNELS = {
    k.name: k
    for k in (
        Kernel("gaussian", 1.0, False, lambda rng, size: rng.standard_normal(size), exp_kind=0),
        Kernel("exponential", 1.0, False,
               lambda rng, size: rng.laplace(0.0, 1.0 / math.sqrt(2.0), size), exp_kind=1),
        Kernel("tophat", 1.0 / 3.0, True, _beta_sampler(1.0), _k.TOPHAT),
        Kernel("epanechnikov", 1.0 / 5.0, True, _beta_sampler(2.0), _k.EPANECHNIKOV),
        Kernel("linear", 1.0 / 6.0, True, _triangular, _k.LINEAR),
        Kernel("cosine", 1.0 - 8.0 / math.pi**2, True, _cosine, _k.COSINE),
        Kernel("biweight", 1.0 / 7.0, True, _beta_sampler(3.0), _k.BIWEIGHT),
        Kernel("triweight", 1.0 / 9.0, True, _beta_sampler(4.0), _k.TRIWEIGHT),
        Kernel("tricube", 35.0 / 243.0, True, _tricube, _k.TRICUBE),
    )
}


def get_kernel(name):
    """Return the registered :class:`Kernel` called ``name``.

    Examples
    --------
    >>> get_kernel("cosine").compact
    True
    """
    try:
        return KERNELS[name]
    except KeyError:
        raise ValueError(
            f"Unknown kernel {name!r}; expected one of {sorted(KERNELS)}."
        ) from None
