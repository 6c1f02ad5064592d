"""Hypothesis strategies for hostile estimator input (shapes, dtypes, magnitudes).

Each hostile choice (an extreme magnitude, a NaN, a wrong dtype, a parameter
beyond its bound) is drawn with a modest probability, so that many examples
still reach a fit and the invariants on fitted models get exercised too.
"""

import numpy as np
from hypothesis import strategies as st


def sometimes(ordinary, hostile, one_in=4):
    """``hostile`` about once in ``one_in`` draws, else ``ordinary``."""
    return st.integers(0, one_in - 1).flatmap(lambda i: hostile if i == 0 else ordinary)


DTYPES = sometimes(st.just("float64"), st.sampled_from(["float32", "int64", "bool", "object"]),
                   one_in=3)
EXPONENTS = sometimes(st.sampled_from([0, 1, -3]),
                      st.sampled_from([5, -40, 40, -150, 150, -200, 200, -300, 300, -310]),
                      one_in=3)
SPECIALS = sometimes(st.none(), st.sampled_from([np.nan, np.inf, -np.inf]), one_in=6)


@st.composite
def matrices(draw, max_rows=16, max_cols=4, kind="real"):
    """``X`` of 1..max_rows x 1..max_cols in a drawn dtype and magnitude.

    ``kind``: "real" (any sign), "counts" (non-negative integers) or
    "binary"; one cell may be NaN or infinite; rows may be duplicated.
    """
    n = draw(sometimes(st.integers(4, max_rows), st.integers(1, 3)))
    d = draw(st.integers(1, max_cols))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    if kind == "counts":
        X = rng.poisson(draw(st.sampled_from([0.5, 3.0, 1e6])), size=(n, d)).astype(float)
    elif kind == "binary":
        X = (rng.random((n, d)) < 0.5).astype(float)
    else:
        X = rng.normal(size=(n, d))
        X[: n // 2] += draw(st.sampled_from([0.0, 5.0, 1e6]))
        X = X * 10.0 ** draw(EXPONENTS)
    if n > 1 and draw(sometimes(st.just(False), st.just(True))):  # duplicated rows
        X[: n // 2 + 1] = X[0]
    special = draw(SPECIALS)
    if special is not None:
        X[draw(st.integers(0, n - 1)), draw(st.integers(0, d - 1))] = special
    dtype = draw(DTYPES)
    with np.errstate(all="ignore"):
        if dtype == "object":
            return X.astype(object)
        if dtype in ("int64", "bool") and np.all(np.isfinite(X)) and np.abs(X).max() < 2**62:
            return X.astype(dtype)
        return X.astype(np.float32) if dtype == "float32" else X


@st.composite
def weights(draw, n):
    """``None`` or a weight vector: ordinary, zero, subnormal, huge or NaN entries."""
    kind = draw(sometimes(st.sampled_from(["none", "ones", "random"]),
                          st.sampled_from(["subnormal", "huge", "zeros", "nan", "negative",
                                           "tiny", "one-heavy"])))
    if kind == "none":
        return None
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return {
        "ones": np.ones(n),
        "random": rng.random(n),
        "tiny": rng.random(n) * 1e-300,
        "one-heavy": np.r_[np.full(n - 1, 1e-300), 1e300],
        "subnormal": np.full(n, 1e-310),
        "huge": np.full(n, draw(st.sampled_from([1e300, 1e308]))),
        "zeros": np.zeros(n),
        "nan": np.r_[np.ones(n - 1), np.nan],
        "negative": np.r_[np.ones(n - 1), -1.0],
    }[kind]


def positive_ints(top=4):
    """Mostly 1..top; sometimes at or beyond the bound, or of a wrong type."""
    return sometimes(st.integers(1, top), st.sampled_from([0, -1, 2.5, "2", None, True]),
                     one_in=5)


def choice(ordinary, hostile, one_in=5):
    """Mostly one of ``ordinary``; sometimes one of ``hostile``."""
    return sometimes(st.sampled_from(ordinary), st.sampled_from(hostile), one_in=one_in)


def tolerances():
    return choice([1e-4, 0.0, 1e-8], [1.0, -1.0, float("nan"), float("inf"), "1e-3"])
