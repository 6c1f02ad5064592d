"""Factor analysis as a step set for ``general_em``: a continuous latent variable.

The model: ``z ~ N(0, I_q)``, ``x | z ~ N(mu + L z, Psi)`` with ``Psi``
diagonal, so ``x ~ N(mu, L L^T + Psi)``. Unlike a mixture, every point has
its own continuous latent vector; the posterior ``q(z_i) = N(m_i, G)`` is
Gaussian with one covariance ``G = (I + L^T Psi^-1 L)^-1`` shared by all
points and mean ``m_i = G L^T Psi^-1 (x_i - mu)``.
"""

import numpy as np
from sklearn.base import BaseEstimator

from clusterlab._validation import check_data

_LOG_2PI = np.log(2.0 * np.pi)


def _check_factors(n_factors, d):
    if isinstance(n_factors, bool) or not isinstance(n_factors, int | np.integer):
        raise TypeError(f"n_factors must be an int; got {type(n_factors).__name__}.")
    if not 1 <= n_factors <= d:
        raise ValueError(f"n_factors must be in [1, n_features={d}]; got {n_factors}.")


def fa_initialize(X, n_factors):
    """Starting parameters of factor analysis, from the principal components.

    ``mu`` is the mean of ``X``; ``L`` the leading ``n_factors`` principal
    directions scaled by the square root of their variance above the mean of
    the others (probabilistic PCA's estimate); ``Psi`` the variances of
    ``X``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data (validated as every estimator's ``X``).
    n_factors : int
        Dimension ``q`` of the latent variable, ``1 <= q <= n_features``.

    Returns
    -------
    params : dict
        ``mu`` (n_features,), ``L`` (n_features, n_factors), ``psi`` (n_features,).

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import fa_initialize
    >>> X = np.random.default_rng(0).normal(size=(50, 4))
    >>> fa_initialize(X, 2)["L"].shape
    (4, 2)
    """
    X = check_data(BaseEstimator(), X, min_samples=2)
    _check_factors(n_factors, X.shape[1])
    mu = X.mean(axis=0)
    _, s, vt = np.linalg.svd(X - mu, full_matrices=False)
    var = s**2 / X.shape[0]
    rest = var[n_factors:].mean() if var.size > n_factors else 0.0
    L = vt[:n_factors].T * np.sqrt(np.maximum(var[:n_factors] - rest, 0.0))
    return {"mu": mu, "L": L, "psi": X.var(axis=0)}


def fa_e_step(X, params):
    """E-step of factor analysis: the Gaussian posterior of each point's factors.

    ``G = (I + L^T Psi^-1 L)^-1`` and ``m_i = G L^T Psi^-1 (x_i - mu)``; at this
    posterior the ELBO equals the log-likelihood of ``N(mu, L L^T + Psi)``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    params : dict
        ``mu``, ``L``, ``psi``.

    Returns
    -------
    Q : dict
        ``mean`` (n_samples, n_factors), the posterior means ``m_i``, and
        ``cov`` (n_factors, n_factors), the shared posterior covariance ``G``.
    elbo : float
        The ELBO per sample at ``Q``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import fa_e_step
    >>> params = {"mu": np.zeros(2), "L": np.array([[1.0], [1.0]]), "psi": np.ones(2)}
    >>> Q, elbo = fa_e_step(np.array([[1.0, 1.0]]), params)
    >>> Q["mean"].round(3).tolist(), Q["cov"].round(3).tolist()
    ([[0.667]], [[0.333]])
    """
    X = np.asarray(X, dtype=np.float64)
    L, psi = params["L"], params["psi"]
    A = L.T / psi  # L^T Psi^-1, shape (q, d)
    G = np.linalg.inv(np.eye(L.shape[1]) + A @ L)
    G = 0.5 * (G + G.T)
    Q = {"mean": (X - params["mu"]) @ A.T @ G, "cov": G}
    return Q, fa_elbo(X, params, Q)


def fa_m_step(X, Q):
    """M-step of factor analysis.

    With ``S_xz = (1/n) sum_i (x_i - mu) m_i^T`` and ``S_zz = G + (1/n) sum_i
    m_i m_i^T``: ``mu`` is the mean of ``X``, ``L = S_xz S_zz^-1`` and ``Psi``
    the diagonal of ``(1/n) sum_i (x_i - mu)(x_i - mu)^T - L S_xz^T``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    Q : dict
        ``mean`` and ``cov`` from :func:`fa_e_step`.

    Returns
    -------
    params : dict
        ``mu``, ``L``, ``psi``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import fa_m_step
    >>> X = np.array([[1.0, 1.0], [-1.0, -1.0]])
    >>> Q = {"mean": np.array([[1.0], [-1.0]]), "cov": np.zeros((1, 1))}
    >>> fa_m_step(X, Q)["L"].ravel().tolist()
    [1.0, 1.0]
    """
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    mu = X.mean(axis=0)
    Xc = X - mu
    m = Q["mean"]
    s_xz = Xc.T @ m / n
    s_zz = Q["cov"] + m.T @ m / n
    L = np.linalg.solve(s_zz, s_xz.T).T
    psi = (Xc * Xc).mean(axis=0) - np.einsum("dq,dq->d", L, s_xz)
    return {"mu": mu, "L": L, "psi": psi}


def fa_elbo(X, params, Q):
    """The ELBO per sample of factor analysis for a Gaussian ``Q``.

    ``E_Q[log p(x | z) + log p(z)] + H(Q)``, in closed form:
    the expected reconstruction term uses ``E[z z^T] = G + m m^T``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    params : dict
        ``mu``, ``L``, ``psi``.
    Q : dict
        ``mean`` (n_samples, q) and ``cov`` (q, q).

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.stats import multivariate_normal
    >>> from clusterlab import fa_e_step
    >>> params = {"mu": np.zeros(2), "L": np.array([[1.0], [0.5]]), "psi": np.ones(2)}
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> _, elbo = fa_e_step(X, params)
    >>> C = params["L"] @ params["L"].T + np.diag(params["psi"])
    >>> bool(np.isclose(elbo, multivariate_normal(np.zeros(2), C).logpdf(X).mean()))
    True
    """
    X = np.asarray(X, dtype=np.float64)
    L, psi = params["L"], params["psi"]
    Xc = X - params["mu"]
    m, G = Q["mean"], Q["cov"]
    d, q = L.shape
    LtPL = (L.T / psi) @ L
    second = G + m.T @ m / X.shape[0]  # mean of E[z z^T]
    recon = -0.5 * (d * _LOG_2PI + np.log(psi).sum() + ((Xc * Xc) / psi).sum(axis=1).mean()
                    - 2.0 * np.einsum("nd,nd->", Xc / psi, m @ L.T) / X.shape[0]
                    + np.sum(LtPL * second))
    prior = -0.5 * (q * _LOG_2PI + np.trace(second))
    entropy = 0.5 * (q * (1.0 + _LOG_2PI) + np.linalg.slogdet(G)[1])
    return float(recon + prior + entropy)
