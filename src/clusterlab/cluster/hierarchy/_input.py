"""Input checks for hierarchical clustering: one clear message per problem."""

import math

import numpy as np
from sklearn.utils import check_array

from clusterlab.cluster.hierarchy._solvers import EUCLIDEAN_ONLY, METHODS, METRICS


def check_method_metric(method, metric, *, data_is_raw):
    """Raise ``ValueError`` for an unknown method/metric or a bad combination."""
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(
            f"method must be one of {sorted(METHODS)}; got {method!r}."
        )
    allowed = sorted(METRICS) + ["precomputed"]
    if not isinstance(metric, str) or metric not in allowed:
        raise ValueError(f"metric must be one of {allowed}; got {metric!r}.")
    if data_is_raw and method in EUCLIDEAN_ONLY and metric != "euclidean":
        raise ValueError(
            f"method={method!r} needs euclidean distances between observations; got "
            f"metric={metric!r}. Use metric='euclidean', or pass precomputed distances."
        )


def _as_numeric(X, name):
    arr = np.asarray(X) if not hasattr(X, "toarray") else None
    if arr is None:
        raise TypeError(f"{name} must be a dense array; got a sparse matrix. Use .toarray().")
    if arr.dtype.kind == "c":  # numpy would drop the imaginary part with only a warning
        raise TypeError(
            f"{name} must hold real numbers; got complex dtype {arr.dtype}. Pass X.real, "
            "np.abs(X) or stack real and imaginary parts as features."
        )
    if arr.dtype.kind not in "biuf":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"{name} must hold numbers; got an array of dtype {arr.dtype}."
            ) from None
    return arr


def n_from_condensed_length(length):
    """Number of points of a condensed vector, or ``ValueError`` if impossible."""
    n = int(round((1 + math.sqrt(1 + 8 * length)) / 2))
    if length < 1 or n * (n - 1) // 2 != length:
        raise ValueError(
            f"A condensed distance vector must have length n*(n-1)/2 for some n >= 2 "
            f"(1, 3, 6, 10, ...); got length {length}."
        )
    return n


def check_distances(D, name="distances"):
    """Finite, non-negative float64 distances, else ``ValueError``."""
    D = np.ascontiguousarray(D, dtype=np.float64)
    if not np.all(np.isfinite(D)):
        raise ValueError(f"{name} contain NaN or infinity; distances must be finite.")
    if D.size and D.min() < 0:
        raise ValueError(
            f"{name} must be non-negative; found a negative value ({D.min():g})."
        )
    return D


def condensed_from_square(D, name="X"):
    """Condensed vector of a square, symmetric, hollow distance matrix."""
    if D.ndim != 2 or D.shape[0] != D.shape[1]:
        raise ValueError(
            f"With metric='precomputed', {name} must be a square distance matrix; "
            f"got shape {D.shape}."
        )
    n = D.shape[0]
    if n < 2:
        raise ValueError(
            f"Hierarchical clustering needs at least 2 points; got n_samples={n}."
        )
    D = check_distances(D, name=f"precomputed distances {name}")
    if not np.allclose(D, D.T, rtol=1e-10, atol=0):
        raise ValueError(f"precomputed distances {name} must be symmetric.")
    if np.any(np.diag(D) != 0):
        raise ValueError(f"precomputed distances {name} must have a zero diagonal.")
    return D[np.triu_indices(n, 1)], n


def check_observations(X, metric):
    """2-D finite observations with at least 2 rows (float32 kept, else float64)."""
    X = check_array(
        X,
        dtype=[np.float64, np.float32],
        order="C",
        ensure_min_samples=2,
        input_name="X",
    )
    check_cosine_rows(X, metric)
    return X


def check_cosine_rows(X, metric):
    """``ValueError`` for all-zero rows under ``metric='cosine'``."""
    if metric != "cosine":
        return
    # a row is zero when every entry is (a norm would underflow for tiny rows)
    zero = ~np.any(X != 0, axis=1)
    if np.any(zero):
        raise ValueError(
            "metric='cosine' is undefined for all-zero rows; X has "
            f"{int(np.sum(zero))} of them (first at row {int(np.argmax(zero))}). Remove "
            "them or use another metric."
        )


def prepare_linkage_input(X, method, metric):
    """Return ``("data", X, n)`` or ``("condensed", D, n)`` after all checks."""
    arr = _as_numeric(X, "X")
    if arr.ndim == 1:
        check_method_metric(method, metric, data_is_raw=False)
        n = n_from_condensed_length(arr.shape[0])
        return "condensed", check_distances(arr, "condensed distances"), n
    if arr.ndim != 2:
        raise ValueError(
            f"X must be a 1-D condensed distance vector or a 2-D array; got {arr.ndim}-D."
        )
    if metric == "precomputed":
        check_method_metric(method, metric, data_is_raw=False)
        D, n = condensed_from_square(arr)
        return "condensed", D, n
    check_method_metric(method, metric, data_is_raw=True)
    Xc = check_observations(arr, metric)
    return "data", Xc, Xc.shape[0]
