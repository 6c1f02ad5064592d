"""Radial kernels: ``K(x) = c_d k(|x|)`` with ``k`` a profile on the radius.

scikit-learn's kernels are radial with its bandwidth ``h`` as the kernel's
*scale*: the profile ``k(r / h)`` is ``exp(-r^2 / 2)`` (gaussian),
``exp(-r)`` (exponential), or compact on ``r < 1``: ``1`` (tophat),
``1 - r^2`` (epanechnikov), ``1 - r`` (linear), ``cos(pi r / 2)`` (cosine),
and here also ``(1 - r^2)^2`` (biweight), ``(1 - r^2)^3`` (triweight) and
``(1 - r^3)^3`` (tricube). This module knows, for each profile and dimension
``d``, the normalising constant over the Euclidean space (scikit-learn's own
expressions, except for the cosine in even dimensions, where scikit-learn's is
wrong), the variance per axis (to turn a standard
deviation into a scale), how to draw the radius, and the log-profile of a
distance exactly as scikit-learn's trees compute it.
"""

import functools
import math

import numpy as np
from scipy import integrate, special

from clusterlab._kernels import kde as _k

__all__ = ["axis_variance", "log_norm", "log_profile", "sample_radius"]

# compact profiles (1 - r^2)^b: the exponent b
_POWER = {"tophat": 0, "epanechnikov": 1, "biweight": 2, "triweight": 3}
#: profile id of each compact kernel for the compiled sums (``_kernels.kde``)
PROFILE_ID = {"tophat": _k.TOPHAT, "epanechnikov": _k.EPANECHNIKOV, "linear": _k.LINEAR,
              "cosine": _k.COSINE, "biweight": _k.BIWEIGHT, "triweight": _k.TRIWEIGHT,
              "tricube": _k.TRICUBE}


def _log_ball(d):
    """log of the volume of the unit Euclidean ball in ``d`` dimensions."""
    return 0.5 * d * math.log(math.pi) - math.lgamma(0.5 * d + 1.0)


def _log_sphere(d):
    """log of the surface of the unit sphere in ``d`` dimensions (``d V_d``)."""
    return math.log(d) + _log_ball(d)


def _log_radial_mass(name, d):
    """``log int_{R^d} k(|x|) dx`` (scikit-learn's expressions for its kernels)."""
    if name == "gaussian":
        return 0.5 * d * math.log(2.0 * math.pi)
    if name == "tophat":
        return _log_ball(d)
    if name == "epanechnikov":
        return _log_ball(d) + math.log(2.0 / (d + 2.0))
    if name == "exponential":
        return _log_sphere(d) + math.lgamma(d)
    if name == "linear":
        return _log_ball(d) - math.log(d + 1.0)
    if name == "cosine":
        # scikit-learn's closed form is right in odd dimensions only (d = 2: the
        # kernel integrates to 0.36; d = 4, 6, ...: log of a negative number, NaN)
        return _log_sphere(d) + math.log(_cosine_moment(d - 1))
    if name in _POWER:  # biweight, triweight: int_0^1 r^(d-1) (1-r^2)^b = B(d/2, b+1)/2
        return _log_sphere(d) + special.betaln(0.5 * d, _POWER[name] + 1.0) - math.log(2.0)
    if name == "tricube":  # int_0^1 r^(d-1) (1 - r^3)^3 dr = B(d/3, 4) / 3
        return _log_sphere(d) + special.betaln(d / 3.0, 4.0) - math.log(3.0)
    raise ValueError(f"Unknown kernel {name!r}.")


@functools.lru_cache(maxsize=256)
def _cosine_moment(n):
    """``int_0^1 r^n cos(pi r / 2) dr``."""
    return integrate.quad(lambda r: r ** n * math.cos(0.5 * math.pi * r), 0.0, 1.0,
                          epsabs=0.0, epsrel=1e-13)[0]


@functools.lru_cache(maxsize=256)
def log_norm(name, d):
    """log of ``c_d``: the radial kernel ``c_d k(|x|)`` integrates to 1 over ``R^d``.

    Examples
    --------
    >>> round(math.exp(log_norm("tophat", 2)), 6)  # 1 / pi
    0.31831
    """
    return -_log_radial_mass(name, d)


def _radius_moment(name, d, power):
    """``E[r^power]`` of the radius of the radial kernel (density ~ r^(d-1) k(r))."""
    if name == "gaussian":
        return math.exp(0.5 * power * math.log(2.0) + math.lgamma(0.5 * (d + power))
                        - math.lgamma(0.5 * d))
    if name == "exponential":
        return math.exp(math.lgamma(d + power) - math.lgamma(d))
    if name in _POWER:  # r^2 ~ Beta(d/2, b+1)
        b = _POWER[name] + 1.0
        return math.exp(special.betaln(0.5 * (d + power), b) - special.betaln(0.5 * d, b))
    if name == "linear":  # r ~ Beta(d, 2)
        return math.exp(special.betaln(d + power, 2.0) - special.betaln(d, 2.0))
    if name == "tricube":  # r^3 ~ Beta(d/3, 4)
        return math.exp(special.betaln((d + power) / 3.0, 4.0) - special.betaln(d / 3.0, 4.0))
    if name == "cosine":
        return _cosine_moment(d - 1 + power) / _cosine_moment(d - 1)
    raise ValueError(f"Unknown kernel {name!r}.")


@functools.lru_cache(maxsize=256)
def axis_variance(name, d):
    """Variance along each axis of the unit-scale radial kernel in ``d`` dimensions.

    A kernel with standard deviation ``s`` along each axis has scale
    ``s / sqrt(axis_variance)``. In one dimension this is the kernel's variance.

    Examples
    --------
    >>> round(axis_variance("epanechnikov", 1), 6), axis_variance("gaussian", 5)
    (0.2, 1.0)
    """
    if name == "gaussian":
        return 1.0
    if name == "exponential":  # E r^2 = d (d + 1)
        return d + 1.0
    return _radius_moment(name, d, 2) / d


def sample_radius(name, d, rng, size):
    """Draw radii of the unit-scale radial kernel (density ~ ``r^(d-1) k(r)``).

    Examples
    --------
    >>> r = sample_radius("tophat", 3, np.random.default_rng(0), 100_000)
    >>> bool(r.max() < 1.0 and abs(np.mean(r**3) - 0.5) < 0.01)  # uniform in the ball
    True
    """
    if name == "gaussian":
        return np.sqrt(rng.chisquare(d, size))
    if name == "exponential":
        return rng.gamma(d, 1.0, size)
    if name in _POWER:
        return np.sqrt(rng.beta(0.5 * d, _POWER[name] + 1.0, size))
    if name == "linear":
        return rng.beta(d, 2.0, size)
    if name == "tricube":
        return rng.beta(d / 3.0, 4.0, size) ** (1.0 / 3.0)
    if name == "cosine":  # rejection from r^(d-1) on (0, 1), acceptance cos(pi r / 2)
        out = np.empty(size)
        filled = 0
        while filled < size:
            m = max(16, 4 * (size - filled))
            r = rng.random(m) ** (1.0 / d)
            keep = r[rng.random(m) < np.cos(0.5 * math.pi * r)]
            take = min(keep.size, size - filled)
            out[filled:filled + take] = keep[:take]
            filled += take
        return out
    raise ValueError(f"Unknown kernel {name!r}.")


def log_profile(name, dist, h):
    """``log k(dist / h)``, written as scikit-learn's trees write it.

    Examples
    --------
    >>> log_profile("linear", np.array([0.5, 2.0]), 1.0).tolist()
    [-0.6931471805599453, -inf]
    """
    dist = np.asarray(dist, dtype=np.float64)
    if name == "gaussian":
        return -0.5 * (dist * dist) / (h * h)
    if name == "exponential":
        return -dist / h
    inside = dist < h
    out = np.full(dist.shape, -np.inf)
    x = dist[inside]
    with np.errstate(divide="ignore"):
        if name == "tophat":
            out[inside] = 0.0
        elif name == "epanechnikov":
            out[inside] = np.log(1.0 - (x * x) / (h * h))
        elif name == "linear":
            out[inside] = np.log(1 - x / h)
        elif name == "cosine":
            out[inside] = np.log(np.cos(0.5 * np.pi * x / h))
        elif name in _POWER:
            out[inside] = _POWER[name] * np.log(1.0 - (x * x) / (h * h))
        elif name == "tricube":
            out[inside] = 3.0 * np.log(1.0 - (x / h) ** 3)
        else:
            raise ValueError(f"Unknown kernel {name!r}.")
    return out
