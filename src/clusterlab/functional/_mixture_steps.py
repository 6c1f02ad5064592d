"""Step sets for ``general_em``: Gaussian (``gmm_*``) and Bernoulli (``bmm_*``) mixtures.

The steps are the EM engine's families (their log-densities, statistics and
M-step, through the public family protocol), validated as the estimators
validate, so ``general_em`` with them computes what
:class:`~clusterlab.GaussianMixture` and :class:`~clusterlab.MixtureModel`
compute from the same start. Parameters travel in the textbook's names:
``phi`` (mixing weights), ``mu`` and ``Sigma`` (Gaussian), ``p`` (Bernoulli
probabilities).
"""

import numpy as np
from scipy.special import logsumexp

from clusterlab._rng import as_generator
from clusterlab._validation import check_data, check_n_samples, validate_params
from clusterlab.functional._wrappers import kmeans
from clusterlab.mixture import GaussianMixture, MixtureModel
from clusterlab.mixture.families import Bernoulli, Gaussian

_STARTS = ("kmeans", "random")


def _gmm_to_family(family, params):
    prec_chol, _ = family.structure.precision_cholesky(params["Sigma"])
    return {"means": params["mu"], "covariances": params["Sigma"],
            "precisions_cholesky": prec_chol}


# model -> (estimator, family, textbook -> family params, family -> textbook params)
_MODELS = {
    "gmm": (GaussianMixture, lambda: Gaussian("full"), _gmm_to_family,
            lambda fam: {"mu": fam["means"], "Sigma": fam["covariances"]}),
    "bmm": (lambda k, **kw: MixtureModel(k, family="bernoulli", **kw), Bernoulli,
            lambda family, p: {"probs": p["p"]}, lambda fam: {"p": fam["probs"]}),
}


def _initialize(model, X, k, init_method, random_state):
    """The estimator's checks of ``k`` and ``X``, a start's responsibilities, one M-step."""
    make, family = _MODELS[model][:2]
    estimator = make(k, random_state=random_state)
    validate_params(estimator)
    X = check_data(estimator, X)
    family().check_X(X)
    check_n_samples(X, k, param="n_components")
    if init_method not in _STARTS:
        raise ValueError(f"init_method must be one of {_STARTS}; got {init_method!r}.")
    if init_method == "kmeans":
        Q = np.eye(k)[kmeans(X, k, random_state=random_state)[1]]
    else:
        Q = as_generator(random_state).random((X.shape[0], k))
        Q /= Q.sum(axis=1, keepdims=True)
    return _m_step(model, X, Q)


def _e_step(model, X, params):
    family = _MODELS[model][1]()
    X = np.asarray(X, dtype=np.float64)
    log_joint = family.log_prob(X, _MODELS[model][2](family, params)) + np.log(params["phi"])
    log_norm = logsumexp(log_joint, axis=1, keepdims=True)
    # at the posterior the ELBO equals the log-likelihood
    return np.exp(log_joint - log_norm), float(log_norm.mean())


def _m_step(model, X, Q):
    family = _MODELS[model][1]()
    X = np.asarray(X, dtype=np.float64)
    Q = np.asarray(Q, dtype=np.float64)
    fam = family.m_step(family.statistics(X, Q, np.ones(X.shape[0])))
    # as the engine and scikit-learn: 10 eps on every count keeps an empty
    # component's log-weight finite
    nk = Q.sum(axis=0) + 10 * np.finfo(np.float64).eps
    return {"phi": nk / nk.sum(), **_MODELS[model][3](fam)}


def _elbo(model, X, params, Q):
    family = _MODELS[model][1]()
    X = np.asarray(X, dtype=np.float64)
    Q = np.asarray(Q, dtype=np.float64)
    log_joint = family.log_prob(X, _MODELS[model][2](family, params)) + np.log(params["phi"])
    # 0 log 0 = 0: a point certainly not in a component adds nothing
    log_q = np.log(np.where(Q > 0, Q, 1.0))
    return float((Q * (log_joint - log_q)).sum() / X.shape[0])


def gmm_initialize(X, k, init_method="kmeans", random_state=None):
    """Starting parameters of a Gaussian mixture: a start's responsibilities, then one M-step.

    ``X`` and ``k`` go through :class:`~clusterlab.GaussianMixture`'s checks.
    ``em_mog(X, k, init_method=(phi, mu, Sigma))`` continues from the same
    start.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    k : int
        Number of components.
    init_method : {"kmeans", "random"}, default="kmeans"
        Start from the labels of :func:`~clusterlab.kmeans` (same
        ``random_state``) or from random responsibilities.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the initialiser.

    Returns
    -------
    params : dict
        ``phi`` (k,), ``mu`` (k, n_features), ``Sigma`` (k, n_features, n_features).

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import gmm_initialize
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0]])
    >>> sorted(gmm_initialize(X, 2, random_state=0)["mu"][:, 0].tolist())
    [0.0, 5.0]
    """
    return _initialize("gmm", X, k, init_method, random_state)


def gmm_e_step(X, params):
    """E-step of a Gaussian mixture: the responsibilities and the ELBO.

    ``w_ij = phi_j N(x_i; mu_j, Sigma_j) / sum_l phi_l N(x_i; mu_l, Sigma_l)``,
    computed in log space; at these ``w`` the ELBO equals the log-likelihood.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    params : dict
        ``phi``, ``mu``, ``Sigma`` (as :func:`gmm_initialize` returns them).

    Returns
    -------
    Q : ndarray of shape (n_samples, k)
        Responsibilities (rows sum to one).
    elbo : float
        The ELBO per sample at ``Q`` (the mean log-likelihood).

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import gmm_e_step
    >>> params = {"phi": np.array([0.5, 0.5]), "mu": np.array([[0.0], [4.0]]),
    ...           "Sigma": np.ones((2, 1, 1))}
    >>> Q, elbo = gmm_e_step(np.array([[0.0], [4.0]]), params)
    >>> Q.round(3).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    return _e_step("gmm", X, params)


def gmm_m_step(X, Q):
    """M-step of a Gaussian mixture: the parameters maximising the ELBO for ``Q``.

    ``phi_j = sum_i w_ij / n``; ``mu_j = sum_i w_ij x_i / sum_i w_ij``;
    ``Sigma_j = sum_i w_ij (x_i - mu_j)(x_i - mu_j)^T / sum_i w_ij + 1e-6 I``
    (the family's M-step, scikit-learn's ``reg_covar``).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    Q : ndarray of shape (n_samples, k)
        Responsibilities.

    Returns
    -------
    params : dict
        ``phi``, ``mu``, ``Sigma``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import gmm_m_step
    >>> X = np.array([[0.0], [2.0], [10.0]])
    >>> params = gmm_m_step(X, np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    >>> params["mu"].ravel().tolist(), params["phi"].round(3).tolist()
    ([1.0, 10.0], [0.667, 0.333])
    """
    return _m_step("gmm", X, Q)


def gmm_elbo(X, params, Q):
    """The ELBO per sample of a Gaussian mixture for any responsibilities ``Q``.

    ``(1/n) sum_i sum_j Q_ij [log phi_j + log N(x_i; mu_j, Sigma_j) - log Q_ij]``:
    the mean log-likelihood minus the mean KL divergence from ``Q`` to the
    posterior.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    params : dict
        ``phi``, ``mu``, ``Sigma``.
    Q : ndarray of shape (n_samples, k)
        Responsibilities.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import gmm_e_step, gmm_elbo
    >>> params = {"phi": np.array([0.5, 0.5]), "mu": np.array([[0.0], [1.0]]),
    ...           "Sigma": np.ones((2, 1, 1))}
    >>> X = np.array([[0.0], [0.5], [2.0]])
    >>> Q, elbo = gmm_e_step(X, params)
    >>> bool(np.isclose(gmm_elbo(X, params, Q), elbo))
    True
    >>> bool(gmm_elbo(X, params, np.full((3, 2), 0.5)) < elbo)
    True
    """
    return _elbo("gmm", X, params, Q)


def bmm_initialize(X, k, init_method="random", random_state=None):
    """Starting parameters of a Bernoulli mixture (binary features).

    ``X`` and ``k`` go through the checks of :class:`~clusterlab.MixtureModel`
    with ``family='bernoulli'``: ``X`` must hold only zeros and ones.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Binary data.
    k : int
        Number of components.
    init_method : {"kmeans", "random"}, default="random"
        Start from k-means labels or from random responsibilities.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the initialiser.

    Returns
    -------
    params : dict
        ``phi`` (k,) and ``p`` (k, n_features), the probability of a one.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import bmm_initialize
    >>> X = np.array([[1, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 1]])
    >>> bmm_initialize(X, 2, random_state=0)["p"].shape
    (2, 3)
    """
    return _initialize("bmm", X, k, init_method, random_state)


def bmm_e_step(X, params):
    """E-step of a Bernoulli mixture: responsibilities and the ELBO per sample.

    ``w_ij`` is proportional to ``phi_j prod_d p_jd^x_id (1 - p_jd)^(1 - x_id)``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Binary data.
    params : dict
        ``phi`` and ``p``.

    Returns
    -------
    Q : ndarray of shape (n_samples, k)
    elbo : float

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import bmm_e_step
    >>> params = {"phi": np.array([0.5, 0.5]), "p": np.array([[0.9, 0.9], [0.1, 0.1]])}
    >>> Q, _ = bmm_e_step(np.array([[1, 1], [0, 0]]), params)
    >>> Q.round(2).tolist()
    [[0.99, 0.01], [0.01, 0.99]]
    """
    return _e_step("bmm", X, params)


def bmm_m_step(X, Q):
    """M-step of a Bernoulli mixture.

    ``phi_j = sum_i w_ij / n``; ``p_jd = sum_i w_ij x_id / sum_i w_ij``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Binary data.
    Q : ndarray of shape (n_samples, k)
        Responsibilities.

    Returns
    -------
    params : dict
        ``phi`` and ``p``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import bmm_m_step
    >>> X = np.array([[1, 0], [1, 1], [0, 0]])
    >>> bmm_m_step(X, np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))["p"].round(2).tolist()
    [[1.0, 0.5], [0.0, 0.0]]
    """
    return _m_step("bmm", X, Q)


def bmm_elbo(X, params, Q):
    """The ELBO per sample of a Bernoulli mixture for responsibilities ``Q``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Binary data.
    params : dict
        ``phi`` and ``p``.
    Q : ndarray of shape (n_samples, k)
        Responsibilities.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import bmm_e_step, bmm_elbo
    >>> params = {"phi": np.array([0.5, 0.5]), "p": np.array([[0.8, 0.3], [0.2, 0.6]])}
    >>> X = np.array([[1, 0], [0, 1]])
    >>> Q, elbo = bmm_e_step(X, params)
    >>> bool(np.isclose(bmm_elbo(X, params, Q), elbo))
    True
    """
    return _elbo("bmm", X, params, Q)
