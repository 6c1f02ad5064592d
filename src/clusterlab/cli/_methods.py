"""The ``--method`` names of the command line: which estimator, which defaults.

A method knows how to build its unfitted estimator, which criterion and k
range it uses by default, and how its columns should be scaled. Nothing here
fits anything: the estimators do.
"""

import ast
from dataclasses import dataclass

from clusterlab.cli._errors import UsageError

_FAMILIES = ("gaussian", "poisson", "bernoulli", "categorical")
_LIKELIHOOD = ("bic", "aic", "icl")


@dataclass(frozen=True)
class Method:
    """A ``--method``: its estimator factory and defaults."""

    name: str
    build: object          # (seed, extra params) -> unfitted estimator
    criterion: str
    k_default: tuple
    scale: str             # default --scale
    soft: str = ""         # "probability" or "membership" columns in the labels file
    has_predict: bool = True


def _kmeans(seed, params):
    from clusterlab import KMeans

    return KMeans(random_state=seed, **params)


def _minibatch(seed, params):
    from clusterlab import MiniBatchKMeans

    return MiniBatchKMeans(random_state=seed, **params)


def _fuzzy(seed, params):
    from clusterlab import FuzzyCMeans

    return FuzzyCMeans(random_state=seed, **params)


def _gmm(seed, params):
    from clusterlab import GaussianMixture

    return GaussianMixture(random_state=seed, **params)


def _mixture(family):
    def build(seed, params):
        from clusterlab import MixtureModel

        return MixtureModel(family=family, random_state=seed, **params)

    return build


def _hierarchical(seed, params):
    from clusterlab import AgglomerativeClustering

    return AgglomerativeClustering(**{"linkage": "ward", **params})


def _deep(seed, params):
    try:
        from clusterlab.deep import DeepClustering
    except ImportError as exc:
        raise UsageError(f"--method deep needs PyTorch: {exc}") from None
    # small defaults for tables of a few columns; --param overrides any of them
    defaults = {"likelihood": "gaussian", "hidden_dim": (32, 32), "latent_dim": 2,
                "pretrain_epochs": 30, "epochs": 30, "batch_size": 64}
    return DeepClustering(random_state=seed, **{**defaults, **params})


_METHODS = {
    "kmeans": Method("kmeans", _kmeans, "silhouette", (2, 8), "standard"),
    "minibatch": Method("minibatch", _minibatch, "silhouette", (2, 8), "standard"),
    "fuzzy": Method("fuzzy", _fuzzy, "silhouette", (2, 8), "standard", soft="membership"),
    "gmm": Method("gmm", _gmm, "bic", (1, 8), "standard", soft="probability"),
    "hierarchical": Method("hierarchical", _hierarchical, "silhouette", (2, 8), "standard",
                           has_predict=False),
    "deep": Method("deep", _deep, "silhouette", (2, 5), "standard", soft="probability"),
}
METHOD_NAMES = [*_METHODS, *(f"mixture:{f}" for f in _FAMILIES)]


def get_method(name):
    """The :class:`Method` called ``name`` (``mixture:<family>`` included).

    Examples
    --------
    >>> get_method("mixture:poisson").scale, get_method("kmeans").criterion
    ('none', 'silhouette')
    """
    if name in _METHODS:
        return _METHODS[name]
    if name.startswith("mixture:"):
        family = name.split(":", 1)[1]
        if family not in _FAMILIES:
            raise UsageError(f"--method mixture:<family>: family must be one of {_FAMILIES}; "
                             f"got {family!r}.")
        scale = "standard" if family == "gaussian" else "none"
        return Method(name, _mixture(family), "bic", (1, 8), scale, soft="probability")
    raise UsageError(f"--method must be one of {METHOD_NAMES}; got {name!r}.")


def make_estimator(method, seed, params):
    """The method's unfitted estimator with ``--param`` values; unknown names refused.

    Examples
    --------
    >>> make_estimator(get_method("kmeans"), 0, {"max_iter": 5}).max_iter
    5
    >>> try:
    ...     make_estimator(get_method("kmeans"), 0, {"epochs": 5})
    ... except UsageError as exc:
    ...     print(str(exc)[:45])
    --param epochs: KMeans has no such parameter;
    """
    estimator = method.build(seed, {})
    known = estimator.get_params(deep=False)
    unknown = [name for name in params if name not in known]
    if unknown:
        raise UsageError(f"--param {', '.join(unknown)}: {type(estimator).__name__} has no such "
                         f"parameter; it has {sorted(known)}.")
    return estimator.set_params(**params)


def parse_params(items):
    """``["max_iter=50", "hidden_dim=(16, 8)"]`` -> a dict of Python literals.

    Examples
    --------
    >>> parse_params(["max_iter=50", "init='random'", "hidden_dim=(16,8)"])
    {'max_iter': 50, 'init': 'random', 'hidden_dim': (16, 8)}
    >>> parse_params(["linkage=average"])
    {'linkage': 'average'}
    """
    out = {}
    for item in items or ():
        name, sep, text = item.partition("=")
        if not sep or not name.isidentifier():
            raise UsageError(f"--param must look like NAME=VALUE; got {item!r}.")
        try:
            out[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            out[name] = text  # a bare word is a string
    return out


def check_criterion(method, criterion):
    """Refuse a likelihood criterion for a method without a likelihood."""
    if criterion in _LIKELIHOOD and method.criterion not in _LIKELIHOOD:
        raise UsageError(
            f"--criterion {criterion} needs a mixture model (--method gmm or mixture:<family>); "
            f"--method {method.name} has no likelihood. Use silhouette, calinski_harabasz, "
            "davies_bouldin, gap or elbow."
        )
