"""Data checks: one clear message per problem, naming the input.

Kernels assume what these functions guarantee: 2-D, C-contiguous, finite,
float64 or float32 arrays with at least one row.
"""

import numbers

import numpy as np
from sklearn.utils.validation import validate_data

from clusterlab._kernels import compiled

FLOAT_DTYPES = (np.float64, np.float32)


def _reject_non_numeric(X, name):
    """Raise ``TypeError`` for string or other non-numeric input."""
    if hasattr(X, "dtypes") and hasattr(X, "columns"):  # pandas DataFrame
        bad = [str(c) for c, t in zip(X.columns, X.dtypes, strict=True) if t.kind not in "biuf"]
        if bad:
            raise TypeError(
                f"{name} must hold numbers only; non-numeric column(s) {bad}. "
                "Drop them or encode them as numbers first."
            )
        return
    arr = X if isinstance(X, np.ndarray) else None
    if arr is not None and arr.dtype.kind in "USV":
        raise TypeError(
            f"{name} must hold numbers; got an array of dtype {arr.dtype} (strings). "
            "Convert it to numbers first."
        )
    if arr is not None and arr.dtype.kind == "O":
        try:
            arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} must hold numbers; found a non-numeric value ({exc})."
            ) from None


def check_data(estimator, X, *, reset=True, min_samples=1, dtype=FLOAT_DTYPES, name="X",
               allow_nan=False, accept_sparse=False):
    """Validate ``X`` for ``estimator`` and record ``n_features_in_`` when ``reset``.

    float32 stays float32; every other numeric dtype becomes float64.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator being fitted or applied (its ``n_features_in_`` is
        set when ``reset`` and checked otherwise).
    X : array-like of shape (n_samples, n_features)
        The data.
    reset : bool, default=True
        True in ``fit``; False in ``predict`` and friends.
    min_samples : int, default=1
        Fewest rows accepted.
    dtype : tuple of dtypes, default=(float64, float32)
        Accepted float dtypes; the first is used for everything else.
    name : str, default="X"
        The name used in error messages.
    allow_nan : bool, default=False
        Accept NaN entries (missing values; infinity is still refused).
    accept_sparse : bool, default=False
        Accept a scipy sparse matrix, returned in CSR format without repeated
        entries (copied only when it has some).

    Returns
    -------
    ndarray of shape (n_samples, n_features)
        C-contiguous, finite, float64 or float32.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> check_data(BaseEstimator(), np.array([[1, 2], [3, 4]])).dtype
    dtype('float64')
    """
    _reject_non_numeric(X, name)
    if isinstance(X, np.ndarray) and X.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_features); got {X.ndim}-D "
            f"shape {X.shape}. Reshape your data either using X.reshape(-1, 1) if it has a "
            "single feature or X.reshape(1, -1) if it is a single sample."
        )
    out = validate_data(
        estimator,
        X,
        reset=reset,
        dtype=list(dtype),
        order="C",
        ensure_min_samples=min_samples,
        ensure_all_finite="allow-nan" if allow_nan else True,
        accept_sparse="csr" if accept_sparse else False,
    )
    if (accept_sparse and hasattr(out, "indptr") and not out.has_canonical_format
            and _csr_has_duplicates(out.indptr, out.indices, out.shape[1])):
        # repeated entries would spoil row norms: merge them in a copy (X is not
        # modified); unsorted rows without repeats are used as they are
        out = out.copy()
        out.sum_duplicates()
    return out


def check_n_samples(X, n_clusters, *, param="n_clusters"):
    """Raise ``ValueError`` when ``X`` has fewer rows than ``n_clusters``.

    Examples
    --------
    >>> import numpy as np
    >>> check_n_samples(np.zeros((3, 2)), 2)
    """
    if X.shape[0] < n_clusters:
        raise ValueError(
            f"n_samples={X.shape[0]} should be >= {param}={n_clusters}: "
            f"X has fewer samples than clusters. Lower {param} or pass more data."
        )


def check_sample_weight(sample_weight, X, *, name="sample_weight"):
    """Return non-negative, finite weights of shape (n_samples,) in ``X``'s dtype.

    ``None`` gives unit weights. A scalar is broadcast.

    Examples
    --------
    >>> import numpy as np
    >>> check_sample_weight(None, np.zeros((2, 1)))
    array([1., 1.])
    """
    n = X.shape[0]
    if sample_weight is None:
        return np.ones(n, dtype=X.dtype)
    if isinstance(sample_weight, numbers.Number):
        sample_weight = np.full(n, sample_weight)
    w = np.asarray(sample_weight)
    if w.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric; got dtype {w.dtype}.")
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},) to match X; got shape {w.shape}.")
    if not np.all(np.isfinite(w)):
        raise ValueError(f"{name} contains NaN or infinity.")
    with np.errstate(over="ignore"):
        w = np.ascontiguousarray(w, dtype=X.dtype)
    if not np.all(np.isfinite(w)):
        raise ValueError(
            f"{name} holds values too large for {X.dtype} (largest "
            f"{float(np.max(sample_weight)):g}); divide the weights by a constant."
        )
    if np.any(w < 0):
        raise ValueError(
            f"Negative values in {name}: weights must be >= 0 (found min {w.min():g})."
        )
    if n and not np.any(w > 0):
        raise ValueError(f"{name} sums to zero: at least one weight must be positive.")
    _check_weight_range(w, name)
    return w


def _check_weight_range(w, name):
    """Refuse weights whose total overflows or whose positive values are all subnormal.

    Centres, means and densities do not change when every weight is
    multiplied by one constant, so the remedy is always to rescale them.
    """
    if w.size == 0:
        return
    top = float(w.max())
    info = np.finfo(w.dtype)
    if top < info.tiny:
        raise ValueError(
            f"{name} holds only subnormal positive values (largest {top:g} < {info.tiny:g} "
            f"for {w.dtype}): they lose precision in every sum. Multiply the weights by a "
            "constant (the fit does not change)."
        )
    # the sum in float64, and relative to the largest weight so it cannot overflow here
    if top * float(np.sum(w / top, dtype=np.float64)) > info.max:
        raise ValueError(
            f"{name} sums to more than the largest {w.dtype} ({info.max:g}): the weighted "
            "sums overflow. Divide the weights by a constant (the fit does not change)."
        )


def _csr_has_duplicates(indptr, indices, n_columns):
    # on first use: dense input never imports numba
    return compiled("sparse").csr_has_duplicates(indptr, indices, n_columns)
