"""A mixture of linear regressions as a step set for ``general_em``.

The model: ``z ~ Multinomial(phi)`` and ``y | x, z = j ~ N(b_j0 + x^T b_j,
sigma_j^2)``: each point follows one of ``k`` regression lines, which one
unknown. The data are the pair ``(X, y)``; the likelihood is of ``y`` given
``X``, which is not a mixture of the points' distributions.
"""

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator

from clusterlab._rng import as_generator
from clusterlab._validation import check_data, check_n_samples

_LOG_2PI = np.log(2.0 * np.pi)


def _pair(data):
    if not (isinstance(data, tuple | list) and len(data) == 2):
        raise TypeError("the data of a mixture of regressions must be a pair (X, y); got "
                        f"{type(data).__name__}.")
    return data


def _split(data):
    X, y = _pair(data)
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"y must be numeric; got dtype {y.dtype}.")
    y = y.astype(np.float64)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X; got {y.shape}.")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or infinity.")
    return np.column_stack([np.ones(X.shape[0]), X]), y


def _log_joint(Xa, y, params):
    resid = y[:, None] - Xa @ params["beta"].T
    s2 = params["sigma2"]
    return np.log(params["phi"]) - 0.5 * (_LOG_2PI + np.log(s2) + resid**2 / s2)


def mixreg_initialize(data, k, random_state=None):
    """Starting parameters: random responsibilities, then one M-step.

    Parameters
    ----------
    data : tuple (X, y)
        ``X`` of shape (n_samples,) or (n_samples, n_features), ``y`` of
        shape (n_samples,); ``X`` is validated as every estimator's.
    k : int
        Number of regression lines.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the responsibilities.

    Returns
    -------
    params : dict
        ``phi`` (k,), ``beta`` (k, 1 + n_features) (intercept first),
        ``sigma2`` (k,).

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import mixreg_initialize
    >>> x = np.linspace(0, 1, 20)
    >>> mixreg_initialize((x, 2 * x), 2, random_state=0)["beta"].shape
    (2, 2)
    """
    X, y = _pair(data)
    X = check_data(BaseEstimator(), np.asarray(X)[:, None] if np.ndim(X) == 1 else X)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be an int >= 1; got {k!r}.")
    check_n_samples(X, k, param="k")
    Q = as_generator(random_state).dirichlet(np.ones(k), size=X.shape[0])
    return mixreg_m_step((X, y), Q)


def mixreg_e_step(data, params):
    """E-step: each point's posterior over the lines, and the ELBO per sample.

    ``w_ij`` is proportional to ``phi_j N(y_i; b_j0 + x_i^T b_j, sigma_j^2)``.

    Parameters
    ----------
    data : tuple (X, y)
        Features and responses.
    params : dict
        ``phi``, ``beta``, ``sigma2``.

    Returns
    -------
    Q : ndarray of shape (n_samples, k)
    elbo : float

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import mixreg_e_step
    >>> params = {"phi": np.array([0.5, 0.5]), "beta": np.array([[0.0, 1.0], [0.0, -1.0]]),
    ...           "sigma2": np.array([0.1, 0.1])}
    >>> Q, _ = mixreg_e_step((np.array([1.0]), np.array([1.0])), params)
    >>> Q.round(3).tolist()
    [[1.0, 0.0]]
    """
    Xa, y = _split(data)
    log_joint = _log_joint(Xa, y, params)
    log_norm = logsumexp(log_joint, axis=1, keepdims=True)
    return np.exp(log_joint - log_norm), float(log_norm.mean())


def mixreg_m_step(data, Q):
    """M-step: one weighted least-squares fit per line.

    ``b_j`` minimises ``sum_i w_ij (y_i - b_j0 - x_i^T b_j)^2``; ``sigma_j^2``
    is the ``w``-weighted mean squared residual; ``phi_j`` the mean of ``w_ij``.

    Parameters
    ----------
    data : tuple (X, y)
        Features and responses.
    Q : ndarray of shape (n_samples, k)
        Responsibilities.

    Returns
    -------
    params : dict
        ``phi``, ``beta``, ``sigma2``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import mixreg_m_step
    >>> x = np.array([0.0, 1.0, 2.0, 0.0, 1.0, 2.0])
    >>> y = np.array([1.0, 3.0, 5.0, 0.0, -1.0, -2.0])
    >>> Q = np.repeat(np.eye(2), 3, axis=0)
    >>> mixreg_m_step((x, y), Q)["beta"].round(6).tolist()
    [[1.0, 2.0], [0.0, -1.0]]
    """
    Xa, y = _split(data)
    Q = np.asarray(Q, dtype=np.float64)
    k = Q.shape[1]
    beta = np.empty((k, Xa.shape[1]))
    sigma2 = np.empty(k)
    nk = Q.sum(axis=0)
    for j in range(k):
        root = np.sqrt(Q[:, j])
        beta[j] = np.linalg.lstsq(Xa * root[:, None], y * root, rcond=None)[0]
        sigma2[j] = Q[:, j] @ (y - Xa @ beta[j]) ** 2 / nk[j]
    return {"phi": nk / nk.sum(), "beta": beta, "sigma2": sigma2}


def mixreg_elbo(data, params, Q):
    """The ELBO per sample: ``(1/n) sum_ij Q_ij [log phi_j + log N(y_i; ...) - log Q_ij]``.

    Parameters
    ----------
    data : tuple (X, y)
        Features and responses.
    params : dict
        ``phi``, ``beta``, ``sigma2``.
    Q : ndarray of shape (n_samples, k)
        Responsibilities.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import mixreg_e_step, mixreg_elbo
    >>> params = {"phi": np.array([0.5, 0.5]), "beta": np.array([[0.0, 1.0], [1.0, 0.0]]),
    ...           "sigma2": np.array([1.0, 1.0])}
    >>> data = (np.array([0.0, 1.0, 2.0]), np.array([0.5, 1.0, 1.5]))
    >>> Q, elbo = mixreg_e_step(data, params)
    >>> bool(np.isclose(mixreg_elbo(data, params, Q), elbo))
    True
    """
    Xa, y = _split(data)
    Q = np.asarray(Q, dtype=np.float64)
    log_q = np.log(np.where(Q > 0, Q, 1.0))
    return float((Q * (_log_joint(Xa, y, params) - log_q)).sum() / Xa.shape[0])
