"""Registry of bandwidth rules.

scikit-learn's rules (:data:`SCALAR_RULES`, ``rule(n, d) -> h``): ``scott``
``n ** (-1 / (d + 4))`` and ``silverman`` ``(n (d + 2) / 4) ** (-1 / (d + 4))``
with ``n`` the number of rows (weights ignored), used as the bandwidth itself
(they assume data of unit variance).

Data-scaled rules (:data:`BANDWIDTH_RULES`) have one signature,
``rule(X, w, model_for) -> H`` with ``X`` of shape (n, d) float64, ``w``
non-negative weights, ``model_for(H)`` the exact evaluator of a kernel with
covariance ``H`` (for 'cv'), and ``H`` the (d, d) covariance of the smoothing
kernel (the kernel's standard deviation in 1-D is ``sqrt(H)``):

* ``scott_cov`` / ``silverman_cov``: scipy's rules, ``H = factor**2 * Cov(X)`` with the
  weighted covariance and Kish's effective sample size ``sum(w)**2 / sum(w**2)``.
* ``isj``: Botev, Grotowski and Kroese (2010), the improved Sheather-Jones
  fixed point, applied to each dimension (``H`` diagonal).
* ``cv``: maximum-likelihood leave-one-out cross-validation of the factor in
  ``H = factor**2 * Cov(X)``.
"""

import math
import numbers

import numpy as np
from scipy import fft, optimize

from clusterlab._kernels.binning import linear_binning_1d
from clusterlab._kernels.kde import weighted_moments
from clusterlab._validation.scale import power_of_two_scale, scaled

__all__ = ["BANDWIDTH_RULES", "RULE_NAMES", "SCALAR_RULES", "bandwidth_matrix",
           "isj_bandwidth", "scott_factor", "silverman_factor"]


def _n_eff(w):
    """Kish's effective sample size (scale-free; computed on w / max(w) so it cannot
    overflow or underflow)."""
    w = w / w.max()
    return float(w.sum() ** 2 / np.sum(w * w))


def weighted_covariance(X, w):
    """Unbiased weighted covariance, as ``numpy.cov(X.T, aweights=w)``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> float(weighted_covariance(X, np.ones(3))[0, 0])
    1.0
    """
    return _moments(X, w)[0]


def _moments(X, w):
    """Weighted covariance (numpy's ``aweights`` convention) and Kish's n_eff."""
    d = X.shape[1]
    mean = np.empty(d)
    scatter = np.empty((d, d))
    # both are invariant to the weights' scale; a power of two keeps sum(w**2) finite
    w = scaled(w, power_of_two_scale(w))
    sw, sw2 = weighted_moments(X, w, mean, scatter)
    return scatter / (sw - sw2 / sw), sw * sw / sw2


def _data_covariance(X, w, moments=None):
    cov, _ = _moments(X, w) if moments is None else moments
    try:
        diag = np.diag(np.linalg.cholesky(cov))
        # numerically singular: a rescaled copy (the rules multiply it) may not factor
        if not diag.min() > 1e-6 * diag.max():
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        raise ValueError(
            "The data's covariance matrix is singular or nearly so (a constant feature, "
            "collinear features or too few distinct samples), so a data-scaled "
            "bandwidth rule cannot be used. Pass a numeric bandwidth instead."
        ) from None
    return cov


def scott_factor(n_eff, d):
    """Scott's factor ``n_eff ** (-1 / (d + 4))``.

    Examples
    --------
    >>> round(scott_factor(100, 1), 6)
    0.398107
    """
    return n_eff ** (-1.0 / (d + 4))


def silverman_factor(n_eff, d):
    """Silverman's factor ``(n_eff (d + 2) / 4) ** (-1 / (d + 4))``.

    Examples
    --------
    >>> round(silverman_factor(100, 1), 6)
    0.421685
    """
    return (n_eff * (d + 2) / 4.0) ** (-1.0 / (d + 4))


def _scott(X, w, model_for):
    m = _moments(X, w)
    return scott_factor(m[1], X.shape[1]) ** 2 * _data_covariance(X, w, m)


def _silverman(X, w, model_for):
    m = _moments(X, w)
    return silverman_factor(m[1], X.shape[1]) ** 2 * _data_covariance(X, w, m)


# ---------------------------------------------------------------- ISJ (Botev 2010)

def _isj_sum(ia2_s, i, time):
    # sum_k k^(2s) a_k^2 exp(-k^2 pi^2 time); terms with k^2 pi^2 time > 746 are
    # exactly 0 in float64, so only the leading ones are computed.
    x = math.pi**2 * time
    m = i.size if x <= 0 else min(i.size, int(math.sqrt(746.0 / x)) + 1)
    # a plain product-sum, not np.dot: BLAS threads stall on a busy machine
    return float(np.sum(ia2_s[:m] * np.exp(-x * i[:m])))


def _isj_fixed_point(t, n, ia2, i):
    """``t - zeta * gamma^[l](t)`` with l = 7 stages (Botev et al., eq. 28-30)."""
    ell = 7
    f = 2.0 * math.pi ** (2 * ell) * _isj_sum(ia2[ell], i, t)
    for s in range(ell - 1, 1, -1):
        k0 = math.prod(range(1, 2 * s, 2)) / math.sqrt(2.0 * math.pi)
        const = (1.0 + 0.5 ** (s + 0.5)) / 3.0
        time = (2.0 * const * k0 / n / f) ** (2.0 / (3.0 + 2.0 * s))
        f = 2.0 * math.pi ** (2 * s) * _isj_sum(ia2[s], i, time)
    return t - (2.0 * n * math.sqrt(math.pi) * f) ** (-0.4)


def _isj_root(func, n):
    # Botev's search for the smallest root: widen [0, tol] until it brackets one.
    memo = {}

    def f(t):  # brentq re-evaluates the bracket ends; t = 0 is the costly one
        if t not in memo:
            memo[t] = func(t)
        return memo[t]

    n = min(max(n, 50.0), 1050.0)
    tol = 1e-12 + 0.01 * (n - 50.0) / 1000.0
    while True:
        try:
            if f(0.0) * f(tol) < 0:
                return optimize.brentq(f, 0.0, tol, xtol=1e-14, rtol=1e-12)
        except (FloatingPointError, ZeroDivisionError, OverflowError):
            pass
        if tol >= 0.1:
            res = optimize.minimize_scalar(lambda t: abs(f(t)), bounds=(0.0, 0.1),
                                           method="bounded")
            return float(res.x)
        tol = min(tol * 2.0, 0.1)


def isj_bandwidth(x, w=None, n_grid=2**14, n_eff=None):
    """Improved Sheather-Jones bandwidth of 1-D data (Botev et al., 2010).

    The data are binned on ``n_grid`` points spanning the data's range padded
    by a tenth on each side (Botev's ``kde.m``); the fixed point ``t*`` is
    found in the unit-interval scale and the bandwidth is ``sqrt(t*) * R``
    with ``R`` the padded grid's width, which makes it scale-equivariant.
    The sample size in the fixed point is Kish's effective size of ``w``
    (``n`` for unit weights; Botev counts distinct values instead).

    Parameters
    ----------
    x : ndarray of shape (n,)
    w : ndarray of shape (n,), default=None
    n_grid : int, default=16384
    n_eff : float, optional
        Kish's effective sample size of ``w``, if already known.

    Returns
    -------
    float
        The kernel's standard deviation.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).standard_normal(10_000)
    >>> bool(0.15 < isj_bandwidth(x) < 0.19)  # optimum 1.0592 * 10000 ** -0.2 = 0.168
    True
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    unit = w is None
    w = np.ones_like(x) if unit else np.ascontiguousarray(w, dtype=np.float64)
    lo, hi = float(x.min()), float(x.max())
    if not hi > lo:
        raise ValueError("ISJ needs at least two distinct values; the data are constant.")
    pad = (hi - lo) / 10.0
    lo, hi = lo - pad, hi + pad
    width = hi - lo
    counts = np.zeros(n_grid)
    linear_binning_1d(x, w, lo, width / (n_grid - 1), counts)
    counts /= counts.sum()
    a = fft.dct(counts, type=2)
    i = np.arange(1, n_grid, dtype=np.float64) ** 2
    a2 = (a[1:] / 2.0) ** 2
    ia2 = {1: i * a2}
    for s in range(2, 8):
        ia2[s] = ia2[s - 1] * i
    n = float(x.size) if unit else (_n_eff(w) if n_eff is None else float(n_eff))
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        t_star = _isj_root(lambda t: _isj_fixed_point(t, n, ia2, i), n)
    return math.sqrt(t_star) * width


def _isj(X, w, model_for):
    n = _n_eff(w)
    return np.diag([isj_bandwidth(X[:, j], w, n_eff=n) ** 2 for j in range(X.shape[1])])


# ---------------------------------------------------------------- cross-validation

# Held-out points scored per candidate bandwidth (a stride of the data).
_CV_MAX_EVAL = 1000


def _cv(X, w, model_for):
    cov = _data_covariance(X, w)
    n, d = X.shape
    idx = np.arange(0, n, max(1, n // _CV_MAX_EVAL))
    ref = scott_factor(_n_eff(w), d)

    def neg_loo(log_c):
        H = math.exp(2.0 * log_c) * cov
        model = model_for(H)
        dens = np.exp(model.log_density(X[idx]) + math.log(w.sum()))
        self_term = w[idx] * model.peak_value()
        loo = np.maximum(dens - self_term, 0.0) / (w.sum() - w[idx])
        with np.errstate(divide="ignore"):
            ll = np.sum(w[idx] * np.log(loo)) / w[idx].sum()
        return -ll if np.isfinite(ll) else 1e300

    res = optimize.minimize_scalar(neg_loo, bounds=(math.log(ref / 20), math.log(ref * 5)),
                                   method="bounded", options={"xatol": 1e-3})
    return math.exp(2.0 * res.x) * cov


BANDWIDTH_RULES = {"scott_cov": _scott, "silverman_cov": _silverman, "isj": _isj, "cv": _cv}
SCALAR_RULES = {"scott": scott_factor, "silverman": silverman_factor}
#: every rule name a user may pass as ``bandwidth``
RULE_NAMES = sorted(set(BANDWIDTH_RULES) | set(SCALAR_RULES))


def bandwidth_matrix(bandwidth, d):
    """Map a numeric bandwidth (scalar, per-dimension vector, matrix) to ``H``.

    ``H`` holds squared bandwidths; those must be finite, normal float64
    numbers (a bandwidth between about 1e-154 and 1e154).

    Examples
    --------
    >>> bandwidth_matrix([1.0, 2.0], 2).tolist()
    [[1.0, 0.0], [0.0, 4.0]]
    """
    with np.errstate(over="ignore", under="ignore"):
        H = _raw_bandwidth_matrix(bandwidth, d)
    diag = np.diag(H)
    if not (np.all(np.isfinite(H)) and np.all(diag >= np.finfo(np.float64).tiny)):
        raise ValueError(
            f"bandwidth {bandwidth!r} is too {'large' if np.any(~np.isfinite(H)) else 'small'}: "
            "its square (the kernel's variance) overflows or underflows float64. Use a "
            "bandwidth between 1e-154 and 1e154 (rescale X with it)."
        )
    return H


def _raw_bandwidth_matrix(bandwidth, d):
    if isinstance(bandwidth, numbers.Real):
        return np.eye(d) * np.float64(bandwidth) ** 2
    b = np.asarray(bandwidth)
    if b.dtype.kind not in "biuf":
        raise TypeError(f"bandwidth must be numeric or a rule name; got dtype {b.dtype}.")
    b = b.astype(np.float64)
    if not np.all(np.isfinite(b)):
        raise ValueError("bandwidth contains NaN or infinity.")
    if b.ndim == 1 and b.size in (1, d):
        if np.any(b <= 0):
            raise ValueError(f"bandwidth values must be > 0; got {b.tolist()}.")
        return np.diag(np.broadcast_to(b, (d,)) ** 2)
    if b.shape == (d, d):
        if not np.allclose(b, b.T, rtol=1e-10, atol=0.0):
            raise ValueError("A bandwidth matrix must be symmetric.")
        try:
            np.linalg.cholesky(b)
        except np.linalg.LinAlgError:
            raise ValueError("A bandwidth matrix must be positive definite.") from None
        return b
    raise ValueError(
        f"bandwidth must be a number, a vector of {d} per-feature bandwidths, "
        f"a ({d}, {d}) matrix of squared bandwidths or one of {RULE_NAMES}; "
        f"got an array of shape {b.shape}."
    )

