"""``kmeans`` and ``em_mog``: the course's functions, run by the estimators.

Nothing here iterates: each function builds the estimator with the same
settings, fits it (so the input goes through the estimator's validation) and
returns its fitted attributes in the textbook's shape.
"""

import numpy as np

from clusterlab.cluster import KMeans
from clusterlab.mixture import GaussianMixture

_KMEANS_INIT = {"kmeans++": "k-means++", "k-means++": "k-means++", "random": "random"}


def _fit(estimator, X, hint):
    """``estimator.fit(X)``, its validation errors told in the function's names."""
    try:
        return estimator.fit(X)
    except (TypeError, ValueError) as exc:
        exc.add_note(hint)
        raise


def kmeans(X, k, max_iters=100, tol=1e-4, init_method="kmeans++", n_init=1,
           random_state=None):
    """k-means clustering (Lloyd's algorithm), the best of ``n_init`` runs.

    Repeats until the centroids settle: assign each point to its nearest
    centroid, ``c_i = argmin_j ||x_i - mu_j||^2``, then move each centroid to
    the mean of its points. Each step lowers (never raises) the distortion
    ``J = sum_i ||x_i - mu_{c_i}||^2``. Runs :class:`~clusterlab.KMeans`
    (``refine='none'``: plain Lloyd iterations, whichever exact
    acceleration computes them).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    k : int
        Number of clusters.
    max_iters : int, default=100
        Most iterations of one run.
    tol : float, default=1e-4
        Stop when the summed squared centroid shift is at most ``tol`` times
        the mean variance of the features.
    init_method : {"kmeans++", "random"} or array-like of shape (k, n_features), \
default="kmeans++"
        k-means++ seeding, ``k`` distinct data points drawn at random, or
        given initial centroids.
    n_init : int, default=1
        Runs from different starts; the one of lowest distortion is returned.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the starts.

    Returns
    -------
    centroids : ndarray of shape (k, n_features)
        The centroids the returned labels were assigned to.
    labels : ndarray of shape (n_samples,)
        Index of each point's nearest centroid.
    distortion_history : ndarray of shape (n_iters,)
        The distortion ``J`` after each assignment step of the best run.
    n_iters : int
        Iterations of the best run.

    Raises
    ------
    ValueError, TypeError
        :class:`~clusterlab.KMeans`' own errors (``k`` is its ``n_clusters``,
        ``init_method`` its ``init``, ``max_iters`` its ``max_iter``).

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import kmeans
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 0.5, (50, 2)), rng.normal(5, 0.5, (50, 2))])
    >>> centroids, labels, history, n_iters = kmeans(X, 2, random_state=0)
    >>> [round(float(c)) for c in np.sort(centroids[:, 0])], bool(np.all(np.diff(history) <= 0))
    ([0, 5], True)
    """
    init = _KMEANS_INIT.get(init_method, init_method) if isinstance(init_method, str) \
        else init_method
    km = KMeans(n_clusters=k, init=init, n_init=n_init, max_iter=max_iters, tol=tol,
                random_state=random_state, refine="none")
    _fit(km, X, "kmeans(X, k, max_iters, tol, init_method, n_init) runs "
                "KMeans(n_clusters=k, max_iter=max_iters, tol, init=init_method, n_init).")
    return (km.cluster_centers_.copy(), km.labels_.copy(),
            km.history_["inertia"].to_numpy(copy=True), int(km.n_iter_))


def _gaussian_mixture(k, max_iters, tol, init_method, random_state):
    # the course's rule: the change of the mean log-likelihood (scikit-learn's), not
    # GaussianMixture's default relative change of the total
    common = dict(covariance_type="full", tol=tol, stopping="absolute", max_iter=max_iters,
                  random_state=random_state)
    if isinstance(init_method, str) or callable(init_method):
        return GaussianMixture(k, init_params=init_method, **common)
    if not (isinstance(init_method, tuple | list) and len(init_method) == 3):
        raise TypeError(
            "init_method must be 'kmeans', 'random' or a tuple (phi, mu, Sigma) of initial "
            f"parameters; got {type(init_method).__name__}."
        )
    phi, mu, sigma = (np.asarray(a, dtype=np.float64) for a in init_method)
    if sigma.ndim != 3 or not np.all(np.isfinite(sigma)):
        raise ValueError(f"Sigma in init_method must be a finite (k, d, d) array; got shape "
                         f"{sigma.shape}.")
    return GaussianMixture(k, weights_init=phi, means_init=mu,
                           precisions_init=np.linalg.inv(sigma), **common)


def em_mog(X, k, max_iters=100, tol=1e-4, init_method="kmeans", random_state=None):
    """EM for a mixture of Gaussians (full covariances).

    The model: ``z ~ Multinomial(phi)``, ``x | z = j ~ N(mu_j, Sigma_j)``.
    E-step: the responsibilities ``w_ij = p(z_i = j | x_i)``, proportional
    to ``phi_j N(x_i; mu_j, Sigma_j)``. M-step: ``phi_j`` the mean of
    ``w_ij`` over the points, ``mu_j`` the ``w``-weighted mean of the points
    and ``Sigma_j`` their ``w``-weighted covariance about ``mu_j`` (plus
    ``1e-6`` on the diagonal, as in scikit-learn). The ELBO
    ``sum_i sum_j w_ij log(phi_j N(x_i; mu_j, Sigma_j) / w_ij)`` equals the
    log-likelihood ``sum_i log sum_j phi_j N(x_i; mu_j, Sigma_j)`` right
    after each E-step, and neither decreases from one iteration to the next.
    Runs :class:`~clusterlab.GaussianMixture`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    k : int
        Number of components.
    max_iters : int, default=100
        Most EM iterations.
    tol : float, default=1e-4
        Stop when the mean log-likelihood changes by less than ``tol``.
    init_method : {"kmeans", "random"} or tuple (phi, mu, Sigma), default="kmeans"
        Start from the k-means labels, from random responsibilities, or from
        given parameters.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the start.

    Returns
    -------
    phi : ndarray of shape (k,)
        Mixing weights.
    mu : ndarray of shape (k, n_features)
        Means.
    Sigma : ndarray of shape (k, n_features, n_features)
        Covariances.
    w : ndarray of shape (n_samples, k)
        Responsibilities under the returned parameters.
    logliks, elbos : ndarray of shape (n_iters,)
        Mean log-likelihood per sample and mean ELBO per sample at each
        iteration's E-step (of the parameters that iteration started from):
        equal, and non-decreasing.

    Raises
    ------
    ValueError, TypeError
        :class:`~clusterlab.GaussianMixture`'s own errors (``k`` is its
        ``n_components``, ``init_method`` its ``init_params``).

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import em_mog
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (100, 2)), rng.normal(6, 1, (100, 2))])
    >>> phi, mu, Sigma, w, logliks, elbos = em_mog(X, 2, random_state=0)
    >>> phi.round(2).tolist(), np.allclose(logliks, elbos), w.shape
    ([0.5, 0.5], True, (200, 2))
    """
    gm = _gaussian_mixture(k, max_iters, tol, init_method, random_state)
    _fit(gm, X, "em_mog(X, k, max_iters, tol, init_method) runs GaussianMixture("
                "n_components=k, max_iter=max_iters, tol, init_params=init_method).")
    return (gm.weights_.copy(), gm.means_.copy(), gm.covariances_.copy(), gm.predict_proba(X),
            gm.history_["log_likelihood"].to_numpy(copy=True),
            gm.history_["elbo"].to_numpy(copy=True))
