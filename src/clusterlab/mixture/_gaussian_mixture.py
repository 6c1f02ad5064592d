"""GaussianMixture: scikit-learn's estimator on the family-agnostic EM engine."""

import numpy as np

from clusterlab._validation import Interval, Options
from clusterlab._validation.schema import Field
from clusterlab.mixture._base import BASE_CONSTRAINTS, BaseMixture, check_weights_init
from clusterlab.mixture.families import Gaussian
from clusterlab.mixture.families._covariance import Diag, _Structure
from clusterlab.mixture.families._missing import (
    MissingGaussian,
    check_rows_observed,
    fill_column_means,
)
from clusterlab.mixture.families._parsimonious import MCLUST_MODELS, STRUCTURES


class GaussianMixture(BaseMixture):
    """Gaussian mixture fitted by EM (scikit-learn compatible).

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components.
    covariance_type : {"full", "tied", "diag", "spherical"} or structure, default="full"
        Shape of the covariances; a structure object such as
        ``FixedSpherical(variance)`` fixes the covariance instead of learning it.
    tol : float, default=1e-8
        Convergence threshold on the value of the stopping rule (``stopping``).
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance, keeping it positive definite.
        With ``reg_covar=0`` a singular covariance (collapsed or singleton
        component) raises ``ValueError``, as in scikit-learn; with a positive
        value the fit goes on and flags it (``collapsed_components_``).
    max_iter : int, default=1000
        EM iterations per initialisation; 0 returns the initialisation.
    n_init : int, default=1
        Initialisations; the best (highest final lower bound) is kept.
    init_params : {"kmeans", "hc", "k-means++", "random", "random_from_data"} or callable, \
default="kmeans"
        How to start: each yields labels or responsibilities, then one M-step.
        "hc": mclust's model-based agglomerative clustering (``hc`` with its
        default unconstrained "VVV" merges on the scaled-SVD data, mclust's
        partitions row for row; a 2,000-row subset for large data; see
        ``mixture/_hc.py``). A callable
        ``init_params(X, n_components, rng)`` returns labels or
        responsibilities of ``X``; on a file or Dask array it is called on every
        chunk, ``rng`` seeded by the run and the chunk's first row.
    weights_init, means_init, precisions_init : array-like, default=None
        Given initial parameters (as in scikit-learn); they replace the
        initialiser's values.
    algorithm : {"soft", "hard"}, default="soft"
        Soft EM, or hard (classification) EM with one-hot responsibilities.
    learn_weights : bool, default=True
        Re-estimate the mixture weights; False keeps them equal.
    random_state : int, Generator, RandomState or None, default=None
    warm_start : bool, default=False
        Start the next ``fit`` from the current parameters; as in scikit-learn,
        its first change of the lower bound is measured from the previous
        ``lower_bound_``, so repeated short fits reach ``converged_``.
    verbose : int, default=0
    verbose_interval : int, default=10
    chunk_size : int or None, default=None
        Rows per E-step chunk (None: from the memory budget).
    stopping : {"relative", "aitken", "absolute"}, default="relative"
        What is compared with ``tol`` after every E-step: mclust's relative
        change of the total log-likelihood ``|L_t - L_{t-1}| / (1 + |L_t|)``;
        the relative distance to Aitken's extrapolated limit (Böhning et al.
        1994); or scikit-learn's change of the mean log-likelihood per sample
        (with ``tol=1e-3`` and ``max_iter=100``: scikit-learn's iterations).
    acceleration : {"none", "squarem"}, default="none"
        "squarem": SQUAREM extrapolation of soft EM (Varadhan and Roland 2008),
        monotone and valid by its safeguards; typically a few times fewer
        iterations to the same optimum.

    Attributes
    ----------
    weights_, means_, covariances_, precisions_, precisions_cholesky_ : ndarray
        float32 for float32 ``X`` (the EM itself runs in float64), else float64.
    params_ : dict
        The stacked family parameters.
    history_ : pandas.DataFrame of shape (n_iter_, 3)
        One row per EM iteration: ``log_likelihood`` and ``elbo`` (means per
        sample; equal for soft EM, the classification likelihood for hard EM)
        and ``change``, the value the stopping rule compared with ``tol``.
    lower_bound_ : float
        Mean log-likelihood of the last E-step of the best run (``-inf`` with
        ``max_iter=0``, which returns the initialisation).
    lower_bounds_ : list of float
        The lower bound of each iteration of the best run (scikit-learn's name).
    n_iter_ : int
    converged_ : bool
    n_parameters_ : int
    collapsed_components_ : ndarray of int
        Components whose covariance collapsed onto a single value (empty if none).

    Notes
    -----
    ``X`` may hold missing entries (NaN) in ``fit``, ``predict``,
    ``predict_proba``, ``score_samples`` and ``impute``: rows are scored on their
    observed coordinates and the M-step uses the conditional expectations of the
    missing ones (Ghahramani and Jordan 1994), for every covariance model. A row
    with every entry missing is refused. ``uncertainty(X)`` and
    ``icl(X, method="map")`` are mclust's.

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

    #: what ``select_k`` sweeps besides k when given no ``param_grid`` (as ``Mclust``)
    _select_k_grid = {"covariance_type": list(MCLUST_MODELS)}

    _parameter_constraints = {
        **BASE_CONSTRAINTS,
        "covariance_type": [Options(set(STRUCTURES)), _Structure],
        "reg_covar": [Interval(float, 0, None)],
        "weights_init": ["array-like", None],
        "means_init": ["array-like", None],
        "precisions_init": ["array-like", None],
    }

    def __init__(self, n_components=1, *, covariance_type="full", tol=1e-8, reg_covar=1e-6,
                 max_iter=1000, n_init=1, init_params="kmeans", weights_init=None,
                 means_init=None, precisions_init=None, algorithm="soft", learn_weights=True,
                 random_state=None, warm_start=False, verbose=0, verbose_interval=10,
                 chunk_size=None,
                 stopping="relative", acceleration="none"):
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
        self.stopping = stopping
        self.acceleration = acceleration

    _allow_nan = True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # missing values are modelled
        return tags

    def _init_fields(self, family):
        shape = family.structure.shape("n_components", "n_features_in_")
        return (Field("means_init", "array", shape=("n_components", "n_features_in_"),
                      param=True),
                Field("precisions_init", "array", shape=shape, param=True))

    def _make_family(self):
        return Gaussian(self.covariance_type, self.reg_covar)

    def _family_for(self, X, family):
        # only data holding NaN leave the complete-data path (bit-for-bit unchanged)
        if not np.isnan(X).any():
            return family
        check_rows_observed(X)
        return MissingGaussian(self.covariance_type, self.reg_covar)

    def impute(self, X):
        """``X`` with each missing entry (NaN) replaced by its conditional mean given the
        row's observed entries, under the fitted mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_features)

        Examples
        --------
        >>> import numpy as np
        >>> from clusterlab import GaussianMixture
        >>> rng = np.random.default_rng(0)
        >>> X = rng.multivariate_normal([0, 0], [[1, 0.9], [0.9, 1]], 500)
        >>> gm = GaussianMixture(1).fit(X)
        >>> round(float(gm.impute(np.array([[2.0, np.nan]]))[0, 1]), 1)
        1.8
        """
        X, family = self._check_apply(X)
        if not isinstance(family, MissingGaussian):
            return X.copy()
        return family.impute(X, self.params_, np.log(self.weights_))

    def _start_data(self, X, family):
        return fill_column_means(X) if isinstance(family, MissingGaussian) else X

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
