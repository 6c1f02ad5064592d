"""MixtureModel: the EM engine with any family (Bernoulli, categorical, Poisson, yours)."""

import dataclasses

import numpy as np

from clusterlab._validation import Options
from clusterlab._validation.schema import Field
from clusterlab.mixture._base import BASE_CONSTRAINTS, BaseMixture, check_weights_init
from clusterlab.mixture.families import FAMILIES, Family, get_family
from clusterlab.sources import Source


class MixtureModel(BaseMixture):
    """A mixture of components from one family, fitted by EM.

    Parameters
    ----------
    n_components : int, default=1
    family : {"gaussian", "bernoulli", "categorical", "multinomial", "poisson"} or Family, \
default="gaussian"
        The component family; a :class:`~clusterlab.mixture.families.Family`
        instance (built-in with options, or user-defined) is used as given.
    params_init : dict of array-like, default=None
        Given initial component parameters, stacked as the family's
        ``m_step`` returns them (e.g. ``{"rates": (k, d) array}`` for Poisson);
        they replace the initialiser's.
    weights_init : array-like of shape (n_components,), default=None
        Given initial mixture weights.
    tol, max_iter, n_init, init_params, algorithm, learn_weights, random_state, \
warm_start, verbose, verbose_interval, chunk_size, stopping, acceleration
        As in :class:`~clusterlab.GaussianMixture`.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
    params_ : dict of ndarray
        Stacked component parameters; each public one is also ``<name>_``
        (``probs_`` for Bernoulli and categorical, ``rates_`` for Poisson).
    history_, lower_bound_, n_iter_, converged_, n_parameters_, collapsed_components_
        As in :class:`~clusterlab.GaussianMixture`.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import MixtureModel
    >>> X = np.array([[0, 0], [0, 1], [5, 6], [6, 5]], dtype=float)
    >>> mm = MixtureModel(2, family="poisson", random_state=0).fit(X)
    >>> np.sort(mm.rates_[:, 0]).round(1).tolist()
    [0.0, 5.5]
    """

    _parameter_constraints = {
        **BASE_CONSTRAINTS,
        "family": [Options(set(FAMILIES)), Family],
        "params_init": [dict, None],
        "weights_init": ["array-like", None],
    }

    def __init__(self, n_components=1, *, family="gaussian", tol=1e-8, max_iter=1000, n_init=1,
                 init_params="kmeans", params_init=None, weights_init=None, algorithm="soft",
                 learn_weights=True, random_state=None, warm_start=False, verbose=0,
                 verbose_interval=10, chunk_size=None,
                 stopping="relative", acceleration="none"):
        self.n_components = n_components
        self.family = family
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.params_init = params_init
        self.weights_init = weights_init
        self.algorithm = algorithm
        self.learn_weights = learn_weights
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.chunk_size = chunk_size
        self.stopping = stopping
        self.acceleration = acceleration

    def _init_fields(self, family):
        items = tuple(dataclasses.replace(f, optional=True) for f in family.param_fields())
        return (Field("params_init", "arrays", items=items, param=True),)

    def _make_family(self):
        return get_family(self.family)

    def _initial_params(self, X, weights, family, rng):
        if self.params_init is not None and self.weights_init is not None:
            params, mix = None, None
        else:
            params, mix = super()._initial_params(X, weights, family, rng)
        if self.weights_init is not None:
            mix = check_weights_init(self.weights_init, self.n_components)
        if self.params_init is not None:
            given = {key: np.asarray(value, dtype=np.float64)
                     for key, value in self.params_init.items()}
            first = X.read(0, 1) if isinstance(X, Source) else X[:1]
            reference = params or family.m_step(family.statistics(
                first, np.full((1, self.n_components), 1.0 / self.n_components), np.ones(1)))
            for key, value in given.items():
                if key not in reference:
                    raise ValueError(
                        f"params_init has an unknown key {key!r}; the {family.name} family "
                        f"expects {sorted(reference)}."
                    )
                if value.shape != reference[key].shape:
                    raise ValueError(f"params_init[{key!r}] must have shape "
                                     f"{reference[key].shape}; got {value.shape}.")
            params = {**reference, **given}
        return params, mix
