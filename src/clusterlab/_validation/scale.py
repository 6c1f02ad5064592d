"""Data of any finite magnitude: a power-of-two scale, as LAPACK's xLASCL does.

Squared distances, covariances and sums of squares overflow float64 for data
around 1e155 and vanish for data around 1e-155 (float32: 1e19 / 1e-19).
Estimators whose results are equivariant under scaling divide ``X`` by a
power of two ``s`` when its largest magnitude is outside an ordinary range,
fit, and multiply the outputs back (centres by ``s``, inertias by ``s**2``).
A power of two changes no digit, so labels are exactly those of the unscaled
problem. Ordinary data (the usual case) costs one max/min pass and no copy.
Estimators whose outputs cannot be represented at such magnitudes (the
covariances of a mixture are squares) refuse them by name instead.
"""

import math

import numpy as np

# |X| within [2**-E, 2**E] needs no scaling: E = 100 for float64 (squares and
# their sums stay far from over- and underflow), 30 for float32
_EXPONENT = {np.dtype(np.float64): 100, np.dtype(np.float32): 30}


def magnitude(*arrays):
    """Largest absolute value over ``arrays`` (0.0 when all are empty).

    Examples
    --------
    >>> magnitude(np.array([[1.0, -3.0]]), np.array([2.0]))
    3.0
    """
    top = 0.0
    for a in arrays:
        if a.size:
            top = max(top, float(a.max()), -float(a.min()))
    return top


def ordinary_range(dtype):
    """``(low, high)``: magnitudes fitted as they are for ``dtype``.

    Examples
    --------
    >>> ordinary_range(np.float64)[1] == 2.0**100
    True
    """
    e = _EXPONENT.get(np.dtype(dtype), 100)
    return 2.0**-e, 2.0**e


def power_of_two_scale(*arrays):
    """``s``, a power of two with ``max|arrays| / s`` in [0.5, 2), or 1.0 when ordinary.

    Examples
    --------
    >>> power_of_two_scale(np.array([3.0, 1e300])) == 2.0**997
    True
    >>> power_of_two_scale(np.array([3.0, -7.0]))
    1.0
    """
    top = magnitude(*arrays)
    low, high = ordinary_range(arrays[0].dtype)
    if top == 0.0 or low <= top <= high:
        return 1.0
    # 2**1024 is not a float64: the largest magnitudes get 2**1023 (X / s below 2)
    return math.ldexp(1.0, min(math.frexp(top)[1], 1023))


def scaled(X, s):
    """``X / s`` in ``X``'s dtype (``X`` itself when ``s == 1``)."""
    if s == 1.0:
        return X
    return np.ascontiguousarray(X / X.dtype.type(s))


def unscale(value, s, power, what):
    """``value * s**power`` (scalar or array); ``ValueError`` if that overflows.

    Examples
    --------
    >>> unscale(2.0, 4.0, 2, "inertia_")
    32.0
    """
    if s == 1.0:
        return value
    with np.errstate(over="ignore", under="ignore"):
        out = np.asarray(value) * s
        for _ in range(power - 1):  # s**power itself may overflow
            out = out * s
    if not np.all(np.isfinite(out)):
        raise ValueError(
            f"The fitted {what} overflows float64: it grows like the data squared times "
            f"sample_weight, and here the data or the weights were fitted divided by {s:g}. "
            "Rescale X (e.g. X / np.abs(X).max()) or divide sample_weight by a constant."
        )
    return out.item() if np.ndim(out) == 0 else out


def check_magnitude(X, estimator, reason):
    """``ValueError`` when ``X``'s magnitude is outside the ordinary range.

    For estimators that cannot undo a scale in their outputs.

    Examples
    --------
    >>> check_magnitude(np.ones((2, 2)), "GaussianMixture", "its covariances")
    """
    top = magnitude(X)
    low, high = ordinary_range(X.dtype)
    if top != 0.0 and not low <= top <= high:
        raise ValueError(
            f"X's largest magnitude is {top:g}, outside the range {estimator} fits in "
            f"{X.dtype} ([{low:g}, {high:g}]): {reason} would overflow or vanish. Rescale X, "
            "e.g. X / np.abs(X).max() (and undo it in the results), or use float64."
        )


def unscale_objective(value, s, ws, what):
    """A sum of weighted squares fitted at data scale ``s`` and weight scale ``ws``,
    back in the caller's units (``value * s**2 * ws``); ``ValueError`` on overflow.

    Examples
    --------
    >>> unscale_objective(3.0, 2.0, 0.5, "inertia_")
    6.0
    """
    return unscale(unscale(value, s, 2, what), ws, 1, what)
