"""Step sets for ``general_em``: Gaussian (``gmm_*``) and Bernoulli (``bmm_*``) mixtures.

The steps are the EM engine's own pieces (the family's log-densities,
statistics and M-step, the engine's chunked E-step), so ``general_em`` with
them computes what :class:`~clusterlab.GaussianMixture` and
:class:`~clusterlab.MixtureModel` compute. Parameters travel in the
textbook's names: ``phi`` (mixing weights), ``mu`` and ``Sigma`` (Gaussian),
``p`` (Bernoulli probabilities).
"""

import numpy as np

from clusterlab._rng import as_generator, spawn
from clusterlab.mixture import _em


def _gaussian():
    from clusterlab.mixture.families import Gaussian

    return Gaussian("full")


def _bernoulli():
    from clusterlab.mixture.families import Bernoulli

    return Bernoulli()


def _gmm_to_family(family, params):
    prec_chol, _ = family.structure.precision_cholesky(params["Sigma"])
    return {"means": params["mu"], "covariances": params["Sigma"],
            "precisions_cholesky": prec_chol}


def _gmm_from_family(fam, phi):
    return {"phi": phi, "mu": fam["means"], "Sigma": fam["covariances"]}


# model name -> (family factory, textbook -> family params, family -> textbook params)
_MODELS = {
    "gmm": (_gaussian, _gmm_to_family, _gmm_from_family),
    "bmm": (_bernoulli, lambda family, p: {"probs": p["p"]},
            lambda fam, phi: {"phi": phi, "p": fam["probs"]}),
}


def _initialize(model, X, k, init_method, random_state):
    """The estimator's validation and first M-step, as its ``fit`` makes them."""
    if model == "gmm":
        from clusterlab.mixture import GaussianMixture as est
    else:
        from clusterlab.mixture import MixtureModel

        def est(k, **kw):
            return MixtureModel(k, family="bernoulli", **kw)
    mixture = est(k, init_params=init_method, random_state=random_state)
    X, weights, family = mixture._validate_fit(X, None)
    rng = spawn(as_generator(random_state), 1)[0]  # fit's first (n_init=1) generator
    fam, phi = mixture._initial_params(X, weights, family, rng)
    return _MODELS[model][2](fam, phi)


def _e_step(model, X, params):
    family = _MODELS[model][0]()
    fam = _MODELS[model][1](family, params)
    X = np.asarray(X, dtype=np.float64)
    parts = list(_em.responsibilities(X, family, fam, np.log(params["phi"])))
    resp = np.concatenate([p[1] for p in parts])
    elbo = sum(float(p[3].sum()) for p in parts) / X.shape[0]
    return resp, elbo


def _m_step(model, X, Q):
    family = _MODELS[model][0]()
    X = np.asarray(X, dtype=np.float64)
    Q = np.asarray(Q, dtype=np.float64)
    stats, nk = _em.stats_from_init(X, np.ones(X.shape[0]), family, Q, Q.shape[1])
    fam, phi = _em.m_step(family, stats, nk, learn_weights=True)
    return _MODELS[model][2](fam, phi)


def _elbo(model, X, params, Q):
    family = _MODELS[model][0]()
    X = np.asarray(X, dtype=np.float64)
    Q = np.asarray(Q, dtype=np.float64)
    log_joint = family.log_prob(X, _MODELS[model][1](family, params)) + np.log(params["phi"])
    # 0 log 0 = 0: a point certainly not in a component adds nothing
    entropy_terms = np.where(Q > 0, Q * np.log(np.where(Q > 0, Q, 1.0)), 0.0)
    return float(((Q * log_joint).sum() - entropy_terms.sum()) / X.shape[0])


def gmm_initialize(X, k, init_method="kmeans", random_state=None):
    """Starting parameters of a Gaussian mixture: an initialiser's labels, then one M-step.

    The start :class:`~clusterlab.GaussianMixture` (and so ``em_mog``) makes
    with the same ``init_method`` and ``random_state``; ``X`` and ``k`` go
    through its validation.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    k : int
        Number of components.
    init_method : {"kmeans", "k-means++", "random", "random_from_data"}, default="kmeans"
        The initialiser (as ``init_params`` of GaussianMixture).
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
    ``Sigma_j = sum_i w_ij (x_i - mu_j)(x_i - mu_j)^T / sum_i w_ij + 1e-6 I``.

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

    The start :class:`~clusterlab.MixtureModel` with ``family='bernoulli'``
    makes; ``X`` must hold only zeros and ones.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Binary data.
    k : int
        Number of components.
    init_method : {"kmeans", "k-means++", "random", "random_from_data"}, default="random"
        The initialiser.
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
