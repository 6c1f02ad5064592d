"""The family protocol: what the EM engine needs from a kind of component.

A family is a small, stateless object (but see ``reset``) (its hyperparameters, such as a
covariance structure or a smoothing pseudo-count, are fixed at construction).
The parameters of all ``k`` components are *stacked* in a dict of arrays whose
first axis is the component, so one call evaluates every component.

The engine and the estimators call, and never ask which family they hold
(every optional entry has a default on :class:`Family`):

``check_X(X)``
    Raise ``ValueError`` for data the family cannot model (default: accept).
``log_prob(X, params) -> (n, k)``
    Log-density (or log-mass) of every row under every component.
``statistics(X, resp, weights) -> stats``
    Sufficient statistics of one chunk, returned as a dict of arrays.
``combine(a, b) -> stats``
    Statistics of the union of two chunks (default: add every array).
``scale(stats, factor) -> stats``
    Statistics with every sample weight multiplied by ``factor`` (stepwise EM).
``m_step(stats) -> params``
    Maximum-likelihood parameters from statistics.
``n_parameters(n_components, n_features) -> int``
    Free parameters of the components (the mixture weights are counted apart).
``sample(params, counts, rng) -> X``
    ``counts[j]`` draws from component ``j``, stacked in component order.
``to_vector(params)`` / ``from_vector(vector, like)``
    The parameters as a flat vector and back (``None``: not valid), for
    SQUAREM's extrapolation (default: every array of ``params``).
``reset()``
    Forget state the M-step carries from one EM iteration to the next (a new
    run starts; default: none). Only the EVE and VVE covariance models keep
    any: the orientation their MM iterations start from, as mclust's do.
``collapsed(params, stats) -> list of (component, reason)``
    Degenerate components (default: none).
``collapse_remedies``
    What to suggest when components collapse (a sentence fragment; the
    default is family-neutral, the Gaussian family names its covariance
    options).
``attributes(params) -> dict``
    Fitted attributes the estimator exposes as ``<key>_`` (default: the
    ``params`` entries named in ``public_params``).
``fused_estep(X, weights, params, log_weights, hard) -> (stats, nk, ll, elbo) or None``
    Optional: the whole E-step of one chunk in one pass, for families whose
    kernels can fuse it (the diagonal Gaussian). ``None`` (the default) makes
    the engine compose ``log_prob``, its normalisation and ``statistics``.
``row_bytes(n_components, n_features) -> int``
    Bytes of temporaries one row needs in an E-step, which sizes the chunks
    (default: an (n, k) log-probability block plus the statistics' products).

Examples
--------
A user-defined family of exponential components in a few lines (``rate`` per
component and feature, features independent):

>>> import numpy as np
>>> from clusterlab import MixtureModel
>>> from clusterlab.mixture.families import Family
>>> class Exponential(Family):
...     name = "exponential"
...     def check_X(self, X):
...         if np.any(X < 0):
...             raise ValueError("Exponential components need X >= 0.")
...     def log_prob(self, X, params):
...         rate = params["rate"]
...         return np.log(rate).sum(axis=1) - X @ rate.T
...     def statistics(self, X, resp, weights):
...         wr = resp * weights[:, None]
...         return {"n": wr.sum(axis=0), "sum": wr.T @ X}
...     def m_step(self, stats):
...         return {"rate": stats["n"][:, None] / np.maximum(stats["sum"], 1e-300)}
...     def n_parameters(self, n_components, n_features):
...         return n_components * n_features
...     def sample(self, params, counts, rng):
...         return np.vstack([rng.exponential(1 / r, size=(c, r.size))
...                           for r, c in zip(params["rate"], counts)])
>>> rng = np.random.default_rng(0)
>>> X = np.vstack([rng.exponential(0.1, (3000, 1)), rng.exponential(10.0, (3000, 1))])
>>> model = MixtureModel(2, family=Exponential(), random_state=0).fit(X)
>>> np.sort(model.params_["rate"].ravel()).round(0).tolist()  # the true rates: 0.1 and 10
[0.0, 10.0]
"""

import numpy as np


class DegenerateFitError(ValueError):
    """A fit that has no valid parameters: a covariance that no regularisation
    makes positive definite, or an M-step whose scatter matrices are singular.

    It is a ``ValueError``; :func:`clusterlab.select_k` records such a
    candidate as failed and never chooses it (as mclust reports ``NA``).

    Examples
    --------
    >>> issubclass(DegenerateFitError, ValueError)
    True
    """


class Family:
    """Base class of EM families, with the defaults listed in the module docstring.

    Subclasses implement ``log_prob``, ``statistics``, ``m_step``,
    ``n_parameters`` and ``sample``; statistics that are not plain sums
    override ``combine`` and ``scale``.

    Examples
    --------
    >>> from clusterlab.mixture.families import get_family
    >>> get_family("poisson").name
    'poisson'
    """

    name = "family"
    #: keys of ``params`` exposed as fitted attributes ``<key>_`` by estimators
    public_params = ()
    #: suggested when components collapse (see ``collapsed``)
    collapse_remedies = "fewer components or more data"

    def check_X(self, X):
        """Raise ``ValueError`` for data outside the family's support (default: none)."""

    def combine(self, a, b):
        """Statistics of two disjoint chunks together (default: add)."""
        return {key: a[key] + b[key] for key in a}

    def scale(self, stats, factor):
        """Statistics with every sample weight multiplied by ``factor``."""
        return {key: value * factor for key, value in stats.items()}

    def to_vector(self, params):
        """The parameters as one flat vector, for extrapolation (SQUAREM).

        The default concatenates every array of ``params`` in key order.
        """
        return np.concatenate([np.ravel(params[key]) for key in sorted(params)])

    def from_vector(self, vector, like):
        """Parameters shaped as ``like`` from ``to_vector``'s layout, or ``None``
        if they are not valid (default: not finite; an invalid value such as a
        negative rate shows as a non-finite log-likelihood, which the engine
        rejects)."""
        if not np.all(np.isfinite(vector)):
            return None
        out, at = {}, 0
        for key in sorted(like):
            shape = np.shape(like[key])
            size = int(np.prod(shape))
            out[key] = vector[at:at + size].reshape(shape)
            at += size
        return out

    def reset(self):
        """Forget state kept between the M-steps of one run (default: none)."""

    def collapsed(self, params, stats):
        """Indices and reasons of degenerate components (default: none)."""
        return []

    def attributes(self, params):
        """Fitted attributes (keys without the trailing underscore) from ``params``."""
        return {key: params[key] for key in self.public_params if key in params}

    def fused_estep(self, X, weights, params, log_weights, hard):
        """One chunk's E-step in one pass, or ``None`` to let the engine compose it."""
        return None

    def param_fields(self):
        """Model-file schema of the stacked parameters (``Field`` objects), or ``None``.

        Shapes are in terms of ``n_components`` and ``n_features_in_``; a
        family returning ``None`` cannot be saved (see
        ``clusterlab.io.register_family``).
        """
        return None

    def row_bytes(self, n_components, n_features):
        """Bytes of temporaries one row needs in ``log_prob`` + ``statistics``."""
        return 8 * n_components * (n_features + 4)

    def __repr__(self):
        return f"{type(self).__name__}()"

    def __eq__(self, other):
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self):
        return hash(type(self).__name__)


def check_counts(X, family, *, binary=False):
    """Raise ``ValueError`` unless ``X`` holds non-negative integers (or 0/1).

    Examples
    --------
    >>> import numpy as np
    >>> check_counts(np.array([[0.0, 2.0]]), "poisson")
    >>> check_counts(np.array([[0.5]]), "poisson")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: The poisson family needs non-negative integer counts in X; found 0.5 ...
    """
    if binary:
        bad = (X != 0) & (X != 1)
        need = "binary values (0 or 1)"
        fix = "Binarise it first, e.g. (X > threshold).astype(float)."
    else:
        bad = (X < 0) | (X != np.floor(X))
        need = "non-negative integer counts"
        fix = "Round or re-encode the data."
    if np.any(bad):
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"The {family} family needs {need} in X; found {X[row, col]:g} at row {row}, "
            f"column {col}. {fix}"
        )
