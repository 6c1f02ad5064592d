"""GaussianMixture: scikit-learn's estimator on the family-agnostic EM engine."""

import numpy as np

from clusterlab._validation import Interval, Options
from clusterlab.mixture._base import BASE_CONSTRAINTS, BaseMixture, check_weights_init
from clusterlab.mixture.families import Gaussian
from clusterlab.mixture.families._covariance import STRUCTURES, Diag, _Structure


class GaussianMixture(BaseMixture):
    """Gaussian mixture fitted by EM (scikit-learn compatible).

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components.
    covariance_type : {"full", "tied", "diag", "spherical"} or structure, default="full"
        Shape of the covariances; a structure object such as
        ``FixedSpherical(variance)`` fixes the covariance instead of learning it.
    tol : float, default=1e-3
        Convergence threshold on the change of the mean log-likelihood.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance, keeping it positive definite.
    max_iter : int, default=100
        EM iterations per initialisation.
    n_init : int, default=1
        Initialisations; the best (highest final lower bound) is kept.
    init_params : {"kmeans", "k-means++", "random", "random_from_data"} or callable, \
default="kmeans"
        How to start: each yields labels or responsibilities, then one M-step.
    weights_init, means_init, precisions_init : array-like, default=None
        Given initial parameters (as in scikit-learn); they replace the
        initialiser's values.
    algorithm : {"soft", "hard"}, default="soft"
        Soft EM, or hard (classification) EM with one-hot responsibilities.
    learn_weights : bool, default=True
        Re-estimate the mixture weights; False keeps them equal.
    random_state : int, Generator, RandomState or None, default=None
    warm_start : bool, default=False
        Start the next ``fit`` from the current parameters.
    verbose : int, default=0
    verbose_interval : int, default=10
    chunk_size : int or None, default=None
        Rows per E-step chunk (None: from the memory budget).

    Attributes
    ----------
    weights_, means_, covariances_, precisions_, precisions_cholesky_ : ndarray
    params_ : dict
        The stacked family parameters.
    history_ : pandas.DataFrame of shape (n_iter_, 2)
        One row per EM iteration: ``log_likelihood`` and ``elbo`` (means per
        sample; equal for soft EM, the classification likelihood for hard EM).
    lower_bound_ : float
    n_iter_ : int
    converged_ : bool
    n_parameters_ : int
    collapsed_components_ : ndarray of int
        Components whose covariance collapsed onto a single value (empty if none).

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import GaussianMixture
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(8, 1, (50, 2))])
    >>> gm = GaussianMixture(n_components=2, random_state=0).fit(X)
    >>> [round(float(m)) for m in np.sort(gm.means_[:, 0])]
    [0, 8]
    >>> gm.collapsed_components_.tolist(), gm.bic(X) < GaussianMixture(1).fit(X).bic(X)
    ([], True)
    """

    _parameter_constraints = {
        **BASE_CONSTRAINTS,
        "covariance_type": [Options(set(STRUCTURES)), _Structure],
        "reg_covar": [Interval(float, 0, None)],
        "weights_init": ["array-like", None],
        "means_init": ["array-like", None],
        "precisions_init": ["array-like", None],
    }

    def __init__(self, n_components=1, *, covariance_type="full", tol=1e-3, reg_covar=1e-6,
                 max_iter=100, n_init=1, init_params="kmeans", weights_init=None,
                 means_init=None, precisions_init=None, algorithm="soft", learn_weights=True,
                 random_state=None, warm_start=False, verbose=0, verbose_interval=10,
                 chunk_size=None):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.algorithm = algorithm
        self.learn_weights = learn_weights
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.chunk_size = chunk_size

    def _make_family(self):
        return Gaussian(self.covariance_type, self.reg_covar)

    def _initial_params(self, X, weights, family, rng):
        given = (self.weights_init, self.means_init, self.precisions_init)
        if all(g is not None for g in given):
            params, mix = None, None
        else:
            params, mix = super()._initial_params(X, weights, family, rng)
        k, d = self.n_components, X.shape[1]
        if self.weights_init is not None:
            mix = check_weights_init(self.weights_init, k)
        means = params["means"] if params else None
        if self.means_init is not None:
            means = _check_array(self.means_init, (k, d), "means_init")
        if self.precisions_init is not None:
            shape = family.structure.shape(k, d)
            prec = _check_array(self.precisions_init, shape, "precisions_init")
            _check_positive(prec, family.structure)
            params = family.params_from_precisions(means, prec)
        elif self.means_init is not None:
            params = dict(params, means=means)
        return params, mix


def _check_array(value, shape, name):
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return arr


def _check_positive(prec, structure):
    kind = structure.name
    if isinstance(structure, Diag):  # diag, spherical and fixed spherical: variances
        if np.any(prec <= 0):
            raise ValueError(f"precisions_init ('{kind}') must be positive.")
        return
    mats = prec[None] if prec.ndim == 2 else prec
    for j, m in enumerate(mats):
        if not np.allclose(m, m.T) or np.linalg.eigvalsh(m)[0] <= 0:
            raise ValueError(
                f"precisions_init[{j}] ('{kind}') must be symmetric positive definite."
            )
