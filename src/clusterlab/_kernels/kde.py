"""Exact kernel-density sums: one pass of every query over every data point.

Queries and data arrive whitened (``u = L^-1 x`` with ``H = L L^T`` the
bandwidth matrix), so every kernel here is either a product of unit-variance
1-D kernels or a radial profile of the Euclidean norm of ``u``. Arrays in,
arrays out; callers validate.

Infinite-support kernels (gaussian, exponential, radial exponential) are
``exp(-g(u))``; their sums use the vectorisable ``exp`` of ``vexp.py`` so that
the loop over a block of data points runs in SIMD lanes. Compact kernels are
selected by an integer id.
"""

import math

import numpy as np
from numba import njit, prange

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)
from clusterlab._kernels.vexp import exp_neg_block

# Data points per block: block (d x BLOCK floats) and its buffers stay in L1.
BLOCK = 256
# Queries per parallel task.
QTILE = 32
# reassoc lets reductions vectorise; contract allows FMA. Neither assumes away NaN/inf.
_FM = {"reassoc", "contract"}

_SQRT2 = 1.4142135623730951


@njit(cache=True, nogil=True, fastmath=_FM)
def _g_block(Q, i, Zt, b0, nb, kind, g):
    # OUT g[k] = sum_j g(u_j) for data points b0..b0+nb against query i.
    # Row slices (not Zt[j, b0 + k]) let LLVM drop index checks and vectorise.
    d = Zt.shape[0]
    for k in range(nb):
        g[k] = 0.0
    for j in range(d):
        q = Q[i, j]
        z = Zt[j, b0:b0 + nb]
        if kind == 0:
            for k in range(nb):
                t = z[k] - q
                g[k] += 0.5 * t * t
        elif kind == 1:
            for k in range(nb):
                g[k] += _SQRT2 * abs(z[k] - q)
        else:
            for k in range(nb):
                t = z[k] - q
                g[k] += t * t
    if kind == 2:  # radial exponential: g = |u|
        for k in range(nb):
            g[k] = math.sqrt(g[k])


@njit(cache=True, nogil=True, fastmath=_FM)
def _wsum(w, b0, nb, e):
    wb = w[b0:b0 + nb]
    s = 0.0
    for k in range(nb):
        s += wb[k] * e[k]
    return s


def _exp_kernel_sums(Q, Zt, w, kind, out):
    """``out[i] = sum_k w[k] exp(-g(Q[i] - Z[k]))`` over all data points.

    Parameters
    ----------
    Q : (m, d) float64, IN, whitened queries.
    Zt : (d, n) float64, IN, whitened data, transposed (contiguous per dimension).
    w : (n,) float64, IN, weights.
    kind : int, IN, 0 for ``g = |u|^2 / 2`` (gaussian), 1 for ``g = sqrt(2) sum_j |u_j|``
        (product exponential), 2 for ``g = |u|`` (radial exponential).
    out : (m,) float64, OUT.
    """
    m = Q.shape[0]
    n = Zt.shape[1]
    n_tiles = (m + QTILE - 1) // QTILE
    for tile in prange(n_tiles):
        g = np.empty(BLOCK)
        e = np.empty(BLOCK)
        tmp = np.empty(BLOCK)
        i0 = tile * QTILE
        i1 = min(i0 + QTILE, m)
        for i in range(i0, i1):
            out[i] = 0.0
        for b0 in range(0, n, BLOCK):
            nb = min(BLOCK, n - b0)
            for i in range(i0, i1):
                _g_block(Q, i, Zt, b0, nb, kind, g)
                exp_neg_block(g, e, tmp, nb)
                out[i] += _wsum(w, b0, nb, e)


# One body, two builds: threads pay off only on large problems (a parallel
# launch costs milliseconds on a busy machine); the caller picks.
exp_kernel_sums = njit(cache=True, nogil=True, fastmath=_FM, parallel=True)(_exp_kernel_sums)
exp_kernel_sums_serial = njit(cache=True, nogil=True, fastmath=_FM)(_exp_kernel_sums)


@njit(cache=True, nogil=True, fastmath=_FM)
def exp_kernel_logsums(Q, Zt, w, kind, out):
    """``out[i] = log sum_k w[k] exp(-g(Q[i] - Z[k]))``, shifted so nothing underflows.

    Two passes (minimum of ``g``, then the shifted sum): for the few queries
    far from all data, where :func:`exp_kernel_sums` underflows to 0.
    """
    m = Q.shape[0]
    n = Zt.shape[1]
    g = np.empty(BLOCK)
    e = np.empty(BLOCK)
    tmp = np.empty(BLOCK)
    for i in range(m):
        gmin = np.inf
        for b0 in range(0, n, BLOCK):
            nb = min(BLOCK, n - b0)
            _g_block(Q, i, Zt, b0, nb, kind, g)
            for k in range(nb):
                if w[b0 + k] > 0.0 and g[k] < gmin:
                    gmin = g[k]
        s = 0.0
        for b0 in range(0, n, BLOCK):
            nb = min(BLOCK, n - b0)
            _g_block(Q, i, Zt, b0, nb, kind, g)
            for k in range(nb):
                g[k] -= gmin
            exp_neg_block(g, e, tmp, nb)
            s += _wsum(w, b0, nb, e)
        out[i] = math.log(s) - gmin


def _compact_kernel_sums(Q, Zt, w, kid, inv_radius, out):
    """``out[i] = sum_k w[k] prod_j natural(kid, (Q[i, j] - Z[k, j]) * inv_radius)``.

    ``kid`` indexes the compact kernels of :func:`natural` (support ``(-1, 1)``);
    the caller divides by ``radius ** d``.
    """
    m = Q.shape[0]
    d, n = Zt.shape
    n_tiles = (m + QTILE - 1) // QTILE
    for tile in prange(n_tiles):
        i0 = tile * QTILE
        i1 = min(i0 + QTILE, m)
        for i in range(i0, i1):
            s = 0.0
            for k in range(n):
                v = w[k]
                for j in range(d):
                    x = (Q[i, j] - Zt[j, k]) * inv_radius
                    if v == 0.0 or abs(x) >= 1.0:
                        v = 0.0
                        break
                    v *= natural(kid, x)
                s += v
            out[i] = s


compact_kernel_sums = njit(cache=True, nogil=True, fastmath=_FM,
                           parallel=True)(_compact_kernel_sums)
compact_kernel_sums_serial = njit(cache=True, nogil=True, fastmath=_FM)(_compact_kernel_sums)


def _radial_compact_sums(Q, Zt, w, kid, out):
    """``out[i] = sum_k w[k] profile(kid, |Q[i] - Z[k]|^2)`` (zero outside the unit ball)."""
    m = Q.shape[0]
    d, n = Zt.shape
    n_tiles = (m + QTILE - 1) // QTILE
    for tile in prange(n_tiles):
        r2 = np.empty(BLOCK)
        i0 = tile * QTILE
        i1 = min(i0 + QTILE, m)
        for i in range(i0, i1):
            s = 0.0
            for b0 in range(0, n, BLOCK):
                nb = min(BLOCK, n - b0)
                for k in range(nb):
                    r2[k] = 0.0
                for j in range(d):
                    q = Q[i, j]
                    z = Zt[j, b0:b0 + nb]
                    for k in range(nb):
                        t = z[k] - q
                        r2[k] += t * t
                wb = w[b0:b0 + nb]
                for k in range(nb):
                    if r2[k] < 1.0:
                        s += wb[k] * radial_profile(kid, r2[k])
            out[i] = s


radial_compact_sums = njit(cache=True, nogil=True, fastmath=_FM,
                           parallel=True)(_radial_compact_sums)
radial_compact_sums_serial = njit(cache=True, nogil=True, fastmath=_FM)(_radial_compact_sums)


@njit(cache=True, nogil=True, fastmath=_FM)
def radial_pair_sums(Q, Zt, w, qi, zj, kid, out):
    """``out[qi[p]] += w[zj[p]] profile(kid, |Q[qi[p]] - Z[zj[p]]|^2)`` over the pairs ``p``
    (a neighbour search's candidates; pairs outside the unit ball add 0).

    ``out`` is zeroed first; the distance is computed as in :func:`radial_compact_sums`.
    """
    d = Zt.shape[0]
    for i in range(out.shape[0]):
        out[i] = 0.0
    for p in range(qi.shape[0]):
        i = qi[p]
        k = zj[p]
        r2 = 0.0
        for j in range(d):
            t = Zt[j, k] - Q[i, j]
            r2 += t * t
        if r2 < 1.0:
            out[i] += w[k] * radial_profile(kid, r2)


# Compact 1-D kernels on their natural support (-1, 1), each integrating to 1.
# An integer id rather than a function argument keeps every build cacheable.
TOPHAT, EPANECHNIKOV, LINEAR, COSINE, BIWEIGHT, TRIWEIGHT, TRICUBE = range(7)


@njit(cache=True, nogil=True, inline="always")
def natural(kid, x):
    """Density of compact kernel ``kid`` at ``x`` with ``|x| < 1``."""
    if kid == TOPHAT:
        return 0.5
    if kid == EPANECHNIKOV:
        return 0.75 * (1.0 - x * x)
    if kid == LINEAR:
        return 1.0 - abs(x)
    if kid == COSINE:
        return 0.25 * math.pi * math.cos(0.5 * math.pi * x)
    t = 1.0 - x * x
    if kid == BIWEIGHT:
        return 0.9375 * t * t
    if kid == TRIWEIGHT:
        return 1.09375 * t * t * t
    a = abs(x)
    t = 1.0 - a * a * a
    return (70.0 / 81.0) * t * t * t


@njit(cache=True, nogil=True, inline="always")
def radial_profile(kid, r2):
    """Unnormalised radial profile of compact kernel ``kid`` at squared radius ``r2 < 1``."""
    if kid == TOPHAT:
        return 1.0
    if kid == EPANECHNIKOV:
        return 1.0 - r2
    if kid == LINEAR:
        return 1.0 - math.sqrt(r2)
    if kid == COSINE:
        return math.cos(0.5 * math.pi * math.sqrt(r2))
    t = 1.0 - r2
    if kid == BIWEIGHT:
        return t * t
    if kid == TRIWEIGHT:
        return t * t * t
    r = math.sqrt(r2)
    t = 1.0 - r * r * r
    return t * t * t


@njit(cache=True, nogil=True)
def eval_natural(kid, x, out):
    """``out[i] = natural(kid, x[i])`` inside ``(-1, 1)``, 0 outside."""
    for i in range(x.shape[0]):
        out[i] = natural(kid, x[i]) if abs(x[i]) < 1.0 else 0.0


@njit(cache=True, nogil=True)
def weighted_moments(X, w, mean, cov):
    """Weighted mean and centred scatter ``sum_k w_k (x_k - mean)(x_k - mean)^T``.

    Two passes (mean, then centred products), so large offsets cost no
    precision. Returns ``(sum(w), sum(w**2))``.

    Parameters
    ----------
    X : (n, d) float64, IN.
    w : (n,) float64, IN.
    mean : (d,) float64, OUT.
    cov : (d, d) float64, OUT, the scatter (caller normalises).
    """
    n, d = X.shape
    sw = 0.0
    sw2 = 0.0
    for j in range(d):
        mean[j] = 0.0
    for k in range(n):
        sw += w[k]
        sw2 += w[k] * w[k]
        for j in range(d):
            mean[j] += w[k] * X[k, j]
    for j in range(d):
        mean[j] /= sw
    for a in range(d):
        for b in range(d):
            cov[a, b] = 0.0
    c = np.empty(d)
    for k in range(n):
        for j in range(d):
            c[j] = X[k, j] - mean[j]
        for a in range(d):
            wa = w[k] * c[a]
            for b in range(a, d):
                cov[a, b] += wa * c[b]
    for a in range(d):
        for b in range(a):
            cov[a, b] = cov[b, a]
    return sw, sw2
